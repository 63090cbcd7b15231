"use client";

import { useEffect, useRef } from "react";
import { useStore } from "zustand";
import { frameScheduler } from "@/lib/client/canvas/frame-scheduler";
import { visibleCursorIds } from "@/lib/client/cursor-store";
import { effectiveRole, PAGE, type User } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";

/** Time constant of the glide toward each new position: smooth at 30 Hz updates, never laggy. */
const GLIDE_MS = 45;
/** The longest time step of one glide frame: two frames at 60 Hz. */
const MAX_STEP_MS = 34;
/** Closer than this to its target (board units), a cursor is put on it and stops asking for frames. */
const SETTLED = 0.1;

/**
 * Others' cursors over the page. React renders one element per visible cursor (when the set of
 * people with a cursor changes); positions glide toward their latest update in animation frames
 * that write the DOM directly, so no update re-renders React, and that stop once every cursor
 * has arrived.
 */
export function CursorLayer() {
  const { cursors, presence, access } = useBoardState();
  const settings = useStore(access, (s) => s.settings);
  const ids = useStore(cursors, visibleCursorIds);
  const users = useStore(presence, (s) => s.users);
  const selfId = useStore(presence, (s) => s.self?.id);
  const layerRef = useRef<HTMLDivElement>(null);
  const requestFrame = useRef<() => void>(() => {});

  useEffect(() => {
    const layer = layerRef.current!;
    const shown = new Map<string, { x: number; y: number }>();
    let last = performance.now();
    const frames = frameScheduler((now) => {
      // After an idle spell the first step is one frame's worth, not a jump to the target.
      const k = 1 - Math.exp(-Math.min(now - last, MAX_STEP_MS) / GLIDE_MS);
      last = now;
      const scale = layer.clientWidth / PAGE.width;
      const { positions } = cursors.getState();
      let gliding = false;
      for (const el of layer.querySelectorAll<HTMLElement>("[data-cursor-id]")) {
        const id = el.dataset.cursorId!;
        const target = positions.get(id);
        if (!target) continue;
        const from = shown.get(id);
        // A cursor that just appeared, or jumped across the page, goes straight there.
        const pos =
          !from || Math.hypot(target.x - from.x, target.y - from.y) > PAGE.width / 3
            ? { ...target }
            : { x: from.x + (target.x - from.x) * k, y: from.y + (target.y - from.y) * k };
        if (Math.hypot(target.x - pos.x, target.y - pos.y) < SETTLED) Object.assign(pos, target);
        else gliding = true;
        shown.set(id, pos);
        el.style.transform = `translate(${pos.x * scale}px, ${pos.y * scale}px)`;
        el.dataset.x = String(target.x);
        el.dataset.y = String(target.y);
      }
      for (const id of shown.keys()) if (!positions.has(id)) shown.delete(id);
      return gliding;
    });
    requestFrame.current = frames.request;
    const unsubscribe = cursors.subscribe(frames.request);
    // The page's size sets the scale from board units to pixels.
    const resizeObserver = new ResizeObserver(frames.request);
    resizeObserver.observe(layer);
    return () => {
      frames.stop();
      unsubscribe();
      resizeObserver.disconnect();
    };
  }, [cursors]);
  // Cursor elements React has just added get their place in the next frame.
  useEffect(() => requestFrame.current(), [ids, users]);

  const byId = new Map(users.map((u) => [u.id, u]));
  const selfOwns = byId.get(selfId ?? "")?.role === "owner";
  const shows = (user: User) =>
    effectiveRole(user.role, settings) !== "viewer" && (settings.cursors === "everyone" || selfOwns || user.role === "owner");
  return (
    <div className="cursor-layer" ref={layerRef} aria-hidden>
      {ids
        .split(" ")
        // A viewer has no cursor: one made a viewer (or locked out) leaves none standing; nor do
        // others' cursors once owners show only theirs.
        .filter((id) => id && id !== selfId && byId.has(id) && shows(byId.get(id)!))
        .map((id) => {
          const user = byId.get(id)!;
          const { x, y } = cursors.getState().positions.get(id) ?? { x: 0, y: 0 };
          return (
            <div
              key={id}
              className={`remote-cursor remote-cursor--${user.state}`}
              data-testid="remote-cursor"
              data-cursor-id={id}
              data-name={user.name}
              data-state={user.state}
              data-x={x}
              data-y={y}
              style={{ color: user.color }}
            >
              <svg width="18" height="18" viewBox="0 0 18 18" aria-hidden>
                <path d="M1 1l6.5 15 2.2-6.3L16 7.5z" fill="currentColor" stroke="white" strokeWidth="1.2" strokeLinejoin="round" />
              </svg>
              <span className="remote-cursor__label" style={{ backgroundColor: user.color }}>
                {user.name}
              </span>
            </div>
          );
        })}
    </div>
  );
}
