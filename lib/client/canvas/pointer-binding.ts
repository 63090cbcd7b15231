import { toBoardPoint } from "./coords";
import type { BoardSample, PointerInput } from "./pointer-input";

function sampleOf(surface: Element, e: PointerEvent): BoardSample {
  const { x, y } = toBoardPoint(surface, e.clientX, e.clientY);
  // A mouse reports 0 or 0.5; only a pen's pressure means anything.
  const pressure = e.pointerType === "pen" && e.pressure > 0 ? Math.round(e.pressure * 100) / 100 : 0.5;
  return { x, y, pressure };
}

/**
 * Feeds `input` from the pointer events (mouse, touch, pen) on the drawing surface: the primary
 * mouse button only, the pointer captured for the whole gesture, and every coalesced sample.
 * Returns the function that unbinds it.
 */
export function bindPointerInput(surface: HTMLElement, input: PointerInput): () => void {
  const down = (e: PointerEvent) => {
    if (e.pointerType === "mouse" && e.button !== 0) return;
    if (!input.down(e.pointerId, sampleOf(surface, e), e.pointerType)) return;
    surface.setPointerCapture(e.pointerId);
    e.preventDefault();
  };
  const move = (e: PointerEvent) => {
    if (!input.tracks(e.pointerId)) return;
    // Coalesced events carry every sample the device made since the last frame: smoother ink.
    const coalesced = typeof e.getCoalescedEvents === "function" ? e.getCoalescedEvents() : [];
    input.move(e.pointerId, (coalesced.length > 0 ? coalesced : [e]).map((sample) => sampleOf(surface, sample)));
  };
  const up = (e: PointerEvent) => input.up(e.pointerId, sampleOf(surface, e));
  const cancel = (e: PointerEvent) => input.cancel(e.pointerId);

  surface.addEventListener("pointerdown", down);
  surface.addEventListener("pointermove", move);
  surface.addEventListener("pointerup", up);
  surface.addEventListener("pointercancel", cancel);
  return () => {
    surface.removeEventListener("pointerdown", down);
    surface.removeEventListener("pointermove", move);
    surface.removeEventListener("pointerup", up);
    surface.removeEventListener("pointercancel", cancel);
  };
}
