"use client";

import { useStore } from "zustand";
import type { BoardState } from "@/lib/client/board-state";
import { connectionStore, type ConnectionState } from "@/lib/client/connection-store";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

/** The connection status of a tab on a board, with the board session's changes still pending. */
export function BoardConnectionStatus({ board }: { board: BoardState }) {
  const pendingOps = useStore(board.replica, (s) => s.pending.length);
  const pendingChat = useStore(board.chat, (s) => s.items.filter((i) => i.kind === "message" && i.status === "pending").length);
  return <ConnectionStatus pending={pendingOps + pendingChat} />;
}

/** The tab's connection; `pending` counts the changes waiting for the server (none off a board). */
export function ConnectionStatus({ pending = 0 }: { pending?: number }) {
  const { state, transport, rttMs, detail, node } = useStore(connectionStore);
  // How the tab is connected: said in words on a wide screen, in the badge's title on a phone.
  const link = [transport === "polling" ? "long-polling" : transport, rttMs !== null && `${rttMs} ms`, node !== null && `node ${node}`].filter(Boolean).join(" · ");
  return (
    <div
      className={`connection connection--${state}`}
      data-testid="connection-status"
      data-state={state}
      data-transport={transport ?? ""}
      data-rtt={rttMs ?? ""}
      data-node={node ?? ""}
      data-pending={pending}
      role="status"
      title={(state === "connected" ? link : detail) ?? undefined}
    >
      <span className="connection__dot" aria-hidden />
      <span>{LABELS[state]}</span>
      {state === "connected" && <span className="connection__meta connection__link">{link}</span>}
      {state !== "connected" && detail && <span className="connection__meta">{detail}</span>}
      {pending > 0 && (
        <span className="badge" title="Changes waiting for the server to confirm them">
          {pending} pending
        </span>
      )}
    </div>
  );
}
