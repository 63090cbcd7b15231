"use client";

import { useEffect, useRef } from "react";
import { useStore } from "zustand";
import type { BoardSession } from "@/lib/client/board-session";
import { selectView } from "@/lib/client/board-view";
import { toBoardPoint } from "@/lib/client/canvas/coords";
import { frameScheduler } from "@/lib/client/canvas/frame-scheduler";
import { bindPointerInput } from "@/lib/client/canvas/pointer-binding";
import { PointerInput } from "@/lib/client/canvas/pointer-input";
import { BoardRenderer } from "@/lib/client/canvas/renderer";
import { toolStore } from "@/lib/client/tool-store";
import { PAGE } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";
import { CursorLayer } from "./CursorLayer";

/** A remote live stroke with no preview for this long is dropped (its author vanished). */
const LIVE_STROKE_TTL_MS = 5_000;

/**
 * The drawing surface: the fixed page letterboxed into whatever space it has. Drawing happens
 * in animation frames, asked for only when a store or the pointer changed something, that read
 * the stores transiently; React re-renders only when the counts in the test hooks change, never
 * per point.
 */
export function BoardCanvas({ session }: { session: BoardSession }) {
  const stageRef = useRef<HTMLDivElement>(null);
  const pageRef = useRef<HTMLDivElement>(null);
  const committedRef = useRef<HTMLCanvasElement>(null);
  const liveRef = useRef<HTMLCanvasElement>(null);
  const { replica, live, presence, laser, timeline } = useBoardState();
  const moment = useStore(timeline, (s) => s.moment);
  const liveCount = useStore(replica, (s) => selectView(s).strokes.length);
  const strokeCount = moment ? moment.strokes.length : liveCount;
  const seq = useStore(replica, (s) => s.board.seq);
  const pending = useStore(replica, (s) => s.pending.length);
  const loading = useStore(replica, (s) => s.loading);
  const tool = useStore(toolStore, (s) => s.tool);
  // Others' trails on screen now: a test hook, changing only as trails come and go.
  const lasers = useStore(laser, (s) => [...s.trails.keys()].filter((id) => id !== presence.getState().self?.id).length);

  useEffect(() => {
    const stage = stageRef.current!;
    const page = pageRef.current!;
    const renderer = new BoardRenderer(committedRef.current!, liveRef.current!);
    let committedDirty = true;
    let liveDirty = true;
    let erasingCount = 0;

    const frames = frameScheduler((now) => {
      if (committedDirty) {
        // A moment of the history, while one is shown, instead of the board now.
        const strokes = timeline.getState().moment?.strokes ?? selectView(replica.getState()).strokes;
        // Stays dirty until all is drawn: a big board is drawn over several frames.
        committedDirty = !renderer.drawCommitted(input.erasingCount ? strokes.filter((s) => !input.isErasing(s.id)) : strokes);
      }
      // Previews go out at most once a frame, however many pointer events came in between.
      sendPreview();
      // A trail fades a little every frame, until it is gone.
      const fading = laser.getState().fade(now);
      if (liveDirty || fading) {
        liveDirty = false;
        const others = [...live.getState().strokes.values()];
        const draft = input.draftStroke();
        renderer.drawLive(draft ? [...others, draft] : others, laser.getState().trails.values(), now);
      }
      return committedDirty || fading;
    });
    const redraw = (layers: { committed?: boolean; live?: boolean }) => {
      committedDirty ||= !!layers.committed;
      liveDirty ||= !!layers.live;
      frames.request();
    };

    const sendPreview = () => {
      const preview = input.takePreview();
      if (preview) session.preview(preview);
    };
    const input = new PointerInput({
      // The eraser passes over strokes this person may not erase (others', on an owned board).
      strokes: () => {
        const strokes = selectView(replica.getState()).strokes;
        const self = presence.getState().self?.id;
        // Own strokes not acked yet carry no author.
        return session.whyNot("erase-others") ? strokes.filter((s) => !("author" in s) || s.author === self) : strokes;
      },
      tool: () => {
        // Nothing is drawn on a moment of the past.
        if (timeline.getState().moment) return null;
        const inHand = toolStore.getState();
        return session.whyNot(inHand.tool === "laser" ? "laser" : "draw") ? null : inHand;
      },
      commit: (stroke) => {
        sendPreview();
        session.addStroke(stroke);
      },
      erase: (ids) => session.erase(ids),
      point: (points) => session.pointAt(points),
      invalidate: () => {
        redraw({ live: true, committed: input.erasingCount !== erasingCount });
        erasingCount = input.erasingCount;
      },
    });

    const fit = () => {
      const { width, height } = stage.getBoundingClientRect();
      const scale = Math.min(width / PAGE.width, height / PAGE.height);
      const w = Math.floor(PAGE.width * scale);
      page.style.width = `${w}px`;
      page.style.height = `${Math.floor(PAGE.height * scale)}px`;
      renderer.resize(w, window.devicePixelRatio || 1);
      redraw({ committed: true, live: true });
    };
    const resizeObserver = new ResizeObserver(fit);
    resizeObserver.observe(stage);
    fit();

    // The cursor follows the pointer over the page, drawing or not; leaving the page hides it.
    const surface = liveRef.current!;
    const onPointerMove = (e: PointerEvent) => {
      const { x, y } = toBoardPoint(surface, e.clientX, e.clientY);
      session.moveCursor(x, y);
    };
    const onPointerLeave = () => session.hideCursor();
    surface.addEventListener("pointermove", onPointerMove);
    surface.addEventListener("pointerleave", onPointerLeave);

    const unsubBoard = replica.subscribe(() => redraw({ committed: true }));
    const unsubLive = live.subscribe(() => redraw({ live: true }));
    const unsubLaser = laser.subscribe(() => redraw({ live: true }));
    const unsubTimeline = timeline.subscribe((s, before) => s.moment !== before.moment && redraw({ committed: true }));
    const detachInput = bindPointerInput(surface, input);
    const expiry = window.setInterval(() => live.getState().expire(performance.now(), LIVE_STROKE_TTL_MS), 1_000);

    return () => {
      frames.stop();
      window.clearInterval(expiry);
      resizeObserver.disconnect();
      unsubBoard();
      unsubLive();
      unsubLaser();
      unsubTimeline();
      detachInput();
      surface.removeEventListener("pointermove", onPointerMove);
      surface.removeEventListener("pointerleave", onPointerLeave);
    };
  }, [session, replica, live, presence, laser, timeline]);

  return (
    <div className="stage" ref={stageRef}>
      <div
        className={`page page--${tool}`}
        ref={pageRef}
        data-testid="board-canvas"
        data-stroke-count={strokeCount}
        data-seq={seq}
        data-pending={pending}
        data-loading={loading ? "true" : "false"}
        data-lasers={lasers}
        data-moment={moment?.seq ?? ""}
      >
        <canvas ref={committedRef} className="layer" aria-hidden />
        <canvas ref={liveRef} className="layer layer--input" aria-label="Drawing board" role="img" />
        <CursorLayer />
        {moment && (
          <div className="page__moment" role="status" data-testid="moment-banner">
            The board as it was then: only you see this. Close the history to draw.
          </div>
        )}
        {loading && (
          <div className="page__loading" role="status">
            Loading strokes… {loading.received.toLocaleString()} / {loading.total.toLocaleString()}
          </div>
        )}
      </div>
    </div>
  );
}
