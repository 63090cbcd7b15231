import { PAGE } from "../../protocol";

const round1 = (n: number) => Math.round(n * 10) / 10;
const clamp = (n: number, max: number) => Math.min(max, Math.max(0, n));

/** A pointer position over the page element, in board units (0.1 precision, clamped to the page). */
export function toBoardPoint(page: Element, clientX: number, clientY: number): { x: number; y: number } {
  const rect = page.getBoundingClientRect();
  const scale = rect.width / PAGE.width;
  return {
    x: clamp(round1((clientX - rect.left) / scale), PAGE.width),
    y: clamp(round1((clientY - rect.top) / scale), PAGE.height),
  };
}
