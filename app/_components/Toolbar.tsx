"use client";

import { useEffect, useState } from "react";
import { useStore } from "zustand";
import type { BoardSession } from "@/lib/client/board-session";
import { selectView } from "@/lib/client/board-view";
import { PEN_PALETTE } from "@/lib/client/palette";
import { toolStore, type ToolName } from "@/lib/client/tool-store";
import { STROKE_WIDTHS } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";
import { ExportButtons } from "./ExportButtons";
import { useWhyNot } from "./use-permission";

const isTyping = (target: EventTarget | null) =>
  target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

/** `exportName`: the exported file's name, without extension (a viewer's never holds the board id). */
export function Toolbar({ session, exportName }: { session: BoardSession; exportName: string }) {
  const { tool, color, width } = useStore(toolStore);
  const { history, replica, presence, timeline } = useBoardState();
  const historyOpen = useStore(timeline, (s) => s.open);
  const noHistory = useWhyNot("history");
  // Someone given the viewer role (a view-only link) has no tools to see; a lock only turns them off.
  const watching = useStore(presence, (s) => s.self?.role === "viewer");
  const canUndo = useStore(history, (s) => s.canUndo);
  const canRedo = useStore(history, (s) => s.canRedo);
  const empty = useStore(replica, (s) => selectView(s).strokes.length === 0);
  const [confirmingClear, setConfirmingClear] = useState(false);
  // The server refuses in these words too: the tooltip says why a control is off.
  const noDraw = useWhyNot("draw");
  const noClear = useWhyNot("clear");
  const noEraseOthers = useWhyNot("erase-others");
  const noLaser = useWhyNot("laser");

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!(e.ctrlKey || e.metaKey) || isTyping(e.target)) return;
      const key = e.key.toLowerCase();
      if (key === "z" && !e.shiftKey) session.undo();
      else if ((key === "z" && e.shiftKey) || key === "y") session.redo();
      else return;
      e.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [session]);

  // A laser taken away (the owner kept it for owners) leaves the pen in hand, not a tool that does nothing.
  useEffect(() => {
    if (tool === "laser" && noLaser) toolStore.setState({ tool: "pen" });
  }, [tool, noLaser]);

  const pick = (next: Partial<{ tool: ToolName; color: string; width: number }>) => toolStore.setState(next);
  const strokes = () => selectView(replica.getState()).strokes;

  const exports = <ExportButtons className="tool" strokes={strokes} name={exportName} />;

  if (watching) {
    return (
      <div className="toolbar" role="toolbar" aria-label="Board tools">
        <div className="toolbar__group">
          <span className="toolbar__note">Save a copy:</span>
          {exports}
        </div>
      </div>
    );
  }

  return (
    <div className="toolbar" role="toolbar" aria-label="Drawing tools">
      <div className="toolbar__group">
        <button className="tool" data-testid="tool-pen" aria-pressed={tool === "pen"} disabled={!!noDraw} onClick={() => pick({ tool: "pen" })} title={noDraw ?? "Pen"}>
          Pen
        </button>
        <button
          className="tool"
          data-testid="tool-eraser"
          aria-pressed={tool === "eraser"}
          disabled={!!noDraw}
          onClick={() => pick({ tool: "eraser" })}
          title={noDraw ?? (noEraseOthers ? "Eraser: removes your own strokes it touches (only owners erase others')" : "Eraser: removes whole strokes it touches")}
        >
          Eraser
        </button>
        <button
          className="tool"
          data-testid="tool-laser"
          aria-pressed={tool === "laser"}
          disabled={!!noLaser}
          onClick={() => pick({ tool: "laser" })}
          title={noLaser ?? "Laser: point for everyone; the trail fades by itself"}
        >
          Laser
        </button>
      </div>
      <fieldset className="toolbar__group" disabled={!!noDraw} title={noDraw} aria-label="Pen colour">
        {PEN_PALETTE.map((p) => (
          <button
            key={p.color}
            className="swatch swatch--small"
            data-testid="pen-color"
            data-color={p.color}
            aria-pressed={tool === "pen" && color === p.color}
            aria-label={`Pen colour ${p.name}`}
            title={p.name}
            style={{ backgroundColor: p.color }}
            onClick={() => pick({ tool: "pen", color: p.color })}
          />
        ))}
        <label className="custom-color" title="Custom colour">
          <input
            type="color"
            data-testid="pen-color-custom"
            aria-label="Custom pen colour"
            value={color}
            onChange={(e) => pick({ tool: "pen", color: e.target.value.toLowerCase() })}
          />
        </label>
      </fieldset>
      <fieldset className="toolbar__group" disabled={!!noDraw} title={noDraw} aria-label="Stroke width">
        {STROKE_WIDTHS.map((w) => (
          <button
            key={w}
            className="tool tool--width"
            data-testid="stroke-width"
            data-width={w}
            aria-pressed={width === w}
            aria-label={`Width ${w}`}
            title={`Width ${w}`}
            onClick={() => pick({ width: w })}
          >
            <span style={{ width: Math.min(22, 2 + w), height: Math.min(22, 2 + w) }} />
          </button>
        ))}
      </fieldset>
      <div className="toolbar__group">
        <button className="tool" data-testid="undo" disabled={!canUndo || !!noDraw} onClick={() => session.undo()} title={noDraw ?? "Undo (Ctrl+Z)"}>
          ↶ Undo
        </button>
        <button className="tool" data-testid="redo" disabled={!canRedo || !!noDraw} onClick={() => session.redo()} title={noDraw ?? "Redo (Ctrl+Shift+Z)"}>
          ↷ Redo
        </button>
      </div>
      <div className="toolbar__group">
        {confirmingClear ? (
          <span className="confirm" role="alertdialog" aria-label="Clear the board for everyone?">
            Clear for everyone?
            <button
              className="tool tool--danger"
              data-testid="clear-confirm"
              autoFocus
              onClick={() => {
                session.clear();
                setConfirmingClear(false);
              }}
            >
              Clear
            </button>
            <button className="tool" data-testid="clear-cancel" onClick={() => setConfirmingClear(false)}>
              Cancel
            </button>
          </span>
        ) : (
          <button className="tool" data-testid="clear-board" disabled={empty || !!noClear} title={noClear ?? "Clear the board for everyone (undo brings it back)"} onClick={() => setConfirmingClear(true)}>
            Clear
          </button>
        )}
        {exports}
        <button
          className="tool"
          data-testid="history-toggle"
          aria-pressed={historyOpen}
          disabled={!!noHistory}
          title={noHistory ?? "The board's history: look back, save or bring back an earlier moment"}
          onClick={() => (historyOpen ? session.closeHistory() : void session.openHistory())}
        >
          History
        </button>
      </div>
    </div>
  );
}
