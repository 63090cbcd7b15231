"use client";

import { useState } from "react";
import { useStore } from "zustand";
import type { BoardSession } from "@/lib/client/board-session";
import { ownerKeyOf, ownerLink, viewLink } from "@/lib/client/owner-keys";
import type { BoardSettings } from "@/lib/protocol";
import { useBoardState } from "./BoardStateProvider";
import { CopyButton } from "./CopyButton";

/** The switches an owner has, in the words a teacher would use. */
const SWITCHES: { key: keyof BoardSettings; label: string; hint: string; on: Partial<BoardSettings>; off: Partial<BoardSettings> }[] = [
  { key: "locked", label: "Lock the board", hint: "Everyone but owners can only look.", on: { locked: true }, off: { locked: false } },
  {
    key: "editorsMayErase",
    label: "Others may erase and clear",
    hint: "Editors may erase anyone's strokes and clear the board.",
    on: { editorsMayErase: true },
    off: { editorsMayErase: false },
  },
  { key: "chat", label: "Chat", hint: "Editors may post in the chat.", on: { chat: true }, off: { chat: false } },
  {
    key: "cursors",
    label: "Show only owners' cursors",
    hint: "Students see the owners' cursors, not each other's.",
    on: { cursors: "owners" },
    off: { cursors: "everyone" },
  },
  { key: "laser", label: "Laser for everyone", hint: "Editors may point with the laser too.", on: { laser: "everyone" }, off: { laser: "owners" } },
  { key: "listed", label: "List in the lobby", hint: "Everyone who opens this site sees the board in the lobby.", on: { listed: true }, off: { listed: false } },
];

const isOn = (settings: BoardSettings, s: (typeof SWITCHES)[number]) =>
  Object.entries(s.on).every(([k, v]) => settings[k as keyof BoardSettings] === v);

/**
 * An owner's controls: lock, who may erase and chat, whose cursors show, the view-only and owner
 * links, the people kept out, and ending the session. Shown to owners only; the server checks
 * every change anyway.
 */
export function BoardControls({ session, boardId }: { session: BoardSession; boardId: string | null }) {
  const { access } = useBoardState();
  const settings = useStore(access, (s) => s.settings);
  const owner = useStore(access, (s) => s.owner);
  // What the owner just asked for, shown at once; the board's own settings once the server answers.
  const [asked, setAsked] = useState<Partial<BoardSettings> | null>(null);
  const [confirmingEnd, setConfirmingEnd] = useState(false);
  if (!owner || boardId === null) return null;

  const change = async (patch: Partial<BoardSettings>) => {
    setAsked(patch);
    await session.manage({ type: "settings", settings: patch });
    setAsked(null);
  };
  const shown = asked ? { ...settings, ...asked } : settings;
  const origin = typeof window === "undefined" ? "" : window.location.origin;

  return (
    <section className="card controls" aria-label="Board controls" data-testid="board-controls">
      <h2>Board controls</h2>
      <ul className="controls__switches">
        {SWITCHES.map((s) => {
          const on = isOn(shown, s);
          return (
            <li key={s.key}>
              <label className="switch" title={s.hint}>
                <input
                  type="checkbox"
                  role="switch"
                  data-testid={`setting-${s.key}`}
                  checked={on}
                  disabled={asked !== null}
                  onChange={() => change(on ? s.off : s.on)}
                />
                <span>{s.label}</span>
              </label>
            </li>
          );
        })}
      </ul>
      <div className="controls__links">
        <CopyButton testId="copy-view-link" text={() => viewLink(origin, owner.viewKey)} label="Copy view-only link" title="Opens the board read-only; it never shows the board's id" />
        <button
          className="button button--small"
          data-testid="new-view-link"
          title="Makes a new view-only link: the old one opens nothing from now on (viewers on the board stay)"
          onClick={() => void session.manage({ type: "view-link" })}
        >
          New view-only link
        </button>
        <CopyButton testId="copy-owner-link" text={() => ownerLink(origin, boardId, ownerKeyOf(boardId) ?? "")} label="Copy owner link" title="Makes whoever opens it a co-owner: share it with a co-teacher or your other device only" />
      </div>
      {owner.removed.length > 0 && (
        <div className="controls__removed" data-testid="removed-list">
          <h3>Removed</h3>
          <ul>
            {owner.removed.map((p) => (
              <li key={p.userId} data-testid="removed-person" data-name={p.name}>
                <span>{p.name}</span>
                <button className="link" data-testid="readmit" onClick={() => session.manage({ type: "readmit", userId: p.userId })}>
                  Let back in
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {confirmingEnd ? (
        <p className="confirm" role="alertdialog" aria-label="End the session for everyone?">
          Everyone but owners leaves, and the board is locked.
          <button
            className="button button--small button--danger"
            data-testid="end-session-confirm"
            autoFocus
            onClick={async () => {
              setConfirmingEnd(false);
              await session.manage({ type: "end" });
            }}
          >
            End session
          </button>
          <button className="button button--small" data-testid="end-session-cancel" onClick={() => setConfirmingEnd(false)}>
            Cancel
          </button>
        </p>
      ) : (
        <button className="button button--small" data-testid="end-session" onClick={() => setConfirmingEnd(true)}>
          End session…
        </button>
      )}
    </section>
  );
}
