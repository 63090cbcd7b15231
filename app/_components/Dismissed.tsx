"use client";

import Link from "next/link";
import type { SessionDismissal } from "@/lib/client/session-store";

const TEXT: Record<SessionDismissal["reason"], { title: string; body: string; again?: string }> = {
  removed: { title: "You were removed from this board", body: "An owner of the board took you off it. Its owners can let you back in." },
  ended: {
    title: "The session has ended",
    body: "An owner ended the session and locked the board. You can still open it to look at it.",
    again: "Open the board (view only)",
  },
  deleted: { title: "This board was deleted", body: "Whoever runs this Scribble server deleted the board." },
  "unknown-link": { title: "This link leads to no board", body: "The view-only link is not valid, or the board is gone. Ask its owner for the link again." },
};

/** Why this tab is off its board for good, and where to go from here. */
export function Dismissed({ dismissal, onRejoin }: { dismissal: SessionDismissal | null; onRejoin(): void }) {
  const reason = dismissal?.reason ?? "removed";
  const { title, body, again } = TEXT[reason];
  return (
    <main className="name-gate">
      <div className="card name-card" role="alert" data-testid="dismissed" data-reason={reason}>
        <h1>{title}</h1>
        <p className="muted">{body}</p>
        {again && (
          <button className="button button--primary" type="button" data-testid="rejoin" autoFocus onClick={onRejoin}>
            {again}
          </button>
        )}
        <Link className="button" href="/">
          Back to the lobby
        </Link>
      </div>
    </main>
  );
}
