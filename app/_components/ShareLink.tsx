"use client";

import { useRole } from "./use-permission";
import { CopyButton } from "./CopyButton";

/**
 * The board id and a button that copies the board's link, for whoever has the id; a tab that
 * came by the view-only link (no id) says it is view only, and has nothing to share.
 */
export function ShareLink({ boardId }: { boardId: string | null }) {
  const role = useRole();
  if (boardId === null) {
    return (
      <span className="badge badge--viewer" data-testid="view-only-badge">
        View only
      </span>
    );
  }
  return (
    <div className="share">
      <span className="share__id" data-testid="board-id">
        {boardId}
      </span>
      {role === "viewer" && (
        <span className="badge badge--viewer" data-testid="view-only-badge">
          View only
        </span>
      )}
      <CopyButton testId="copy-link" text={() => `${window.location.origin}/b/${boardId}`} label="Copy link" />
    </div>
  );
}
