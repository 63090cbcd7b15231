"use client";

import { useState } from "react";
import { useStore } from "zustand";
import type { BoardSession } from "@/lib/client/board-session";
import type { HistoryEntry } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";
import { ExportButtons } from "./ExportButtons";
import { useRole } from "./use-permission";

const time = (ms: number | undefined) => (ms === undefined ? "" : new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
const strokes = (n: number) => (n === 1 ? "a stroke" : `${n} strokes`);

/** What a run of changes says after its author's name. */
function didWhat(e: HistoryEntry): string {
  switch (e.type) {
    case "stroke:add":
      return `drew ${strokes(e.count)}`;
    case "stroke:erase":
      return `erased ${strokes(e.count)}`;
    case "stroke:restore":
      return `brought back ${strokes(e.count)}`;
    case "board:clear":
      return e.count > 0 ? `cleared the board (${strokes(e.count)})` : "cleared an empty board";
    case "circle:set":
      return e.count === 1 ? "recoloured the circle" : `recoloured the circle ${e.count} times`;
  }
}

/**
 * The board's history: a slider over its changes, newest at the right. Dragging it shows the
 * board as it was in this tab only; an owner can make that moment the board's again for everyone
 * (undoable), and anyone can save it as PNG or SVG.
 */
export function HistoryPanel({ session, exportName }: { session: BoardSession; exportName: string }) {
  const { timeline } = useBoardState();
  const { entries, moment, loading, error, firstSeq } = useStore(timeline);
  const role = useRole();
  const [confirming, setConfirming] = useState(false);
  // Position 0 is the earliest moment kept; position i the moment after entry i - 1; the last one is now.
  const [position, setPosition] = useState<number | null>(null);
  const at = position ?? entries.length;
  const seqAt = (p: number) => (p === 0 ? firstSeq : entries[p - 1]!.toSeq);
  const go = (p: number) => {
    setPosition(p);
    setConfirming(false);
    void session.showMoment(p === entries.length ? null : seqAt(p));
  };
  const shown = moment ? entries.findLast((e) => e.toSeq <= moment.seq) : entries.at(-1);
  const label = shown ? `${shown.name ?? "Someone"} ${didWhat(shown)}` : "The board as it began";

  return (
    <section className="history card" aria-label="History" data-testid="history-panel" data-seq={moment?.seq ?? ""} data-loading={loading ? "true" : "false"}>
      <header className="history__head">
        <h2>History</h2>
        <span className="muted">Drag to look back: only you see it.</span>
        <button className="link" data-testid="history-close" onClick={() => session.closeHistory()}>
          Close
        </button>
      </header>
      <input
        type="range"
        className="history__slider"
        data-testid="history-slider"
        aria-label="Moment of the board's history"
        min={0}
        max={entries.length}
        step={1}
        value={at}
        disabled={entries.length === 0}
        onChange={(e) => go(Number(e.target.value))}
      />
      <p className="history__now" aria-live="polite">
        <strong>{moment ? `After: ${label}` : "Now"}</strong>
        {moment && shown?.at !== undefined && <span className="muted"> · {time(shown.at)}</span>}
        {loading && <span className="muted"> · loading…</span>}
      </p>
      {error && (
        <p className="field-error" role="alert" data-testid="history-error">
          {error}
        </p>
      )}
      {moment && (
        <div className="history__actions">
          {role === "owner" &&
            (confirming ? (
              <span className="confirm" role="alertdialog" aria-label="Bring this moment back for everyone?">
                Everyone sees the board as it was then; undo takes it back.
                <button className="button button--small button--primary" data-testid="history-restore-confirm" autoFocus onClick={() => void session.restoreMoment(moment.seq)}>
                  Restore
                </button>
                <button className="button button--small" data-testid="history-restore-cancel" onClick={() => setConfirming(false)}>
                  Cancel
                </button>
              </span>
            ) : (
              <button className="button button--small button--primary" data-testid="history-restore" onClick={() => setConfirming(true)}>
                Restore this moment
              </button>
            ))}
          <ExportButtons className="button button--small" testIdPrefix="history-" strokes={() => moment.strokes} name={`${exportName}-${moment.seq}`} />
        </div>
      )}
      <ol className="history__list" data-testid="history-list">
        {[...entries.entries()].reverse().map(([i, e]) => (
          <li key={e.fromSeq}>
            <button
              className={`history__entry${i + 1 === at ? " history__entry--shown" : ""}`}
              data-testid="history-entry"
              data-seq={e.toSeq}
              data-type={e.type}
              data-name={e.name ?? ""}
              aria-current={i + 1 === at ? "true" : undefined}
              onClick={() => go(i + 1)}
            >
              <span>
                {e.name ?? "Someone"} {didWhat(e)}
              </span>
              <time className="muted">{time(e.at)}</time>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
