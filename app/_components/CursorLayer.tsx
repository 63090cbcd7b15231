"use client";

import { useEffect, useRef } from "react";
import { useStore } from "zustand";
import { visibleCursorIds } from "@/lib/client/cursor-store";
import { PAGE } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";

/** Time constant of the glide toward each new position: smooth at 30 Hz updates, never laggy. */
const GLIDE_MS = 45;

/**
 * Others' cursors over the page. React renders one element per visible cursor (when the set of
 * people with a cursor changes); positions glide toward their latest update in a
 * requestAnimationFrame loop that writes the DOM directly, so no update re-renders React.
 */
export function CursorLayer() {
  const { cursors, presence } = useBoardState();
  const ids = useStore(cursors, visibleCursorIds);
  const users = useStore(presence, (s) => s.users);
  const selfId = useStore(presence, (s) => s.self?.id);
  const layerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const layer = layerRef.current!;
    const shown = new Map<string, { x: number; y: number }>();
    let frame = 0;
    let last = performance.now();
    const loop = (now: number) => {
      const k = 1 - Math.exp(-(now - last) / GLIDE_MS);
      last = now;
      const scale = layer.clientWidth / PAGE.width;
      const { positions } = cursors.getState();
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
        shown.set(id, pos);
        el.style.transform = `translate(${pos.x * scale}px, ${pos.y * scale}px)`;
        el.dataset.x = String(target.x);
        el.dataset.y = String(target.y);
      }
      for (const id of shown.keys()) if (!positions.has(id)) shown.delete(id);
      frame = requestAnimationFrame(loop);
    };
    frame = requestAnimationFrame(loop);
    return () => cancelAnimationFrame(frame);
  }, [cursors]);

  const byId = new Map(users.map((u) => [u.id, u]));
  return (
    <div className="cursor-layer" ref={layerRef} aria-hidden>
      {ids
        .split(" ")
        .filter((id) => id && id !== selfId && byId.has(id))
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
