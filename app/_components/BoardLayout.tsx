"use client";

import type { ReactNode } from "react";
import { useStore } from "zustand";
import { useBoardState } from "./BoardStateProvider";
import { useRole } from "./use-permission";

/**
 * The joined board's frame. Its test hooks say what this tab may do: `data-role` (owner, editor,
 * viewer, as it applies now), `data-readonly` and `data-locked`; a read-only tab says so, and why.
 */
export function BoardLayout({ children }: { children: ReactNode }) {
  const { access } = useBoardState();
  const role = useRole();
  const locked = useStore(access, (s) => s.settings.locked);
  const readOnly = role === "viewer";
  return (
    <main className="board-layout" data-testid="board" data-role={role} data-readonly={readOnly ? "true" : "false"} data-locked={locked ? "true" : "false"}>
      {readOnly && (
        <p className="readonly-banner" role="status" data-testid="readonly-banner">
          <strong>View only.</strong> {locked ? "The board is locked: only its owners can change it." : "You can follow the board live but not change it."}
        </p>
      )}
      {children}
    </main>
  );
}
