"use client";

import { useStore } from "zustand";
import { selectView } from "@/lib/client/board-view";
import { CIRCLE_PALETTE } from "@/lib/client/palette";
import type { Color } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";
import { useWhyNot } from "./use-permission";

export function ColorCircle({ setColor }: { setColor(color: Color): void }) {
  const { replica, presence, timeline } = useBoardState();
  const then = useStore(timeline, (s) => s.moment?.circle.color);
  const now = useStore(replica, (s) => selectView(s).circleColor);
  // A moment of the history shows its circle too.
  const color = then ?? now;
  const pending = useStore(replica, (s) => s.pending.some((op) => op.type === "circle:set"));
  const noCircle = useWhyNot("circle");
  const watching = useStore(presence, (s) => s.self?.role === "viewer");
  return (
    <section className="circle-stage" aria-label="Shared colour circle">
      <div
        className="circle"
        data-testid="color-circle"
        data-color={color}
        data-pending={pending ? "true" : "false"}
        style={{ backgroundColor: color }}
        role="img"
        aria-label={`Circle coloured ${CIRCLE_PALETTE.find((p) => p.color === color)?.name ?? color}`}
      />
      {!watching && (
        <div className="palette" role="group" aria-label="Recolour the circle">
          {CIRCLE_PALETTE.map((p) => (
            <button
              key={p.color}
              className="swatch"
              data-testid="color-swatch"
              data-color={p.color}
              aria-pressed={p.color === color}
              title={noCircle ?? p.name}
              aria-label={p.name}
              disabled={!!noCircle}
              style={{ backgroundColor: p.color }}
              onClick={() => setColor(p.color)}
            />
          ))}
        </div>
      )}
    </section>
  );
}
