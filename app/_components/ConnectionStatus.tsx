"use client";

import { useStore } from "zustand";
import { boardStore } from "@/lib/client/board-store";
import { chatStore } from "@/lib/client/chat-store";
import { connectionStore, type ConnectionState } from "@/lib/client/connection-store";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export function ConnectionStatus() {
  const { state, transport, rttMs, detail } = useStore(connectionStore);
  const pendingOps = useStore(boardStore, (s) => s.pending.length);
  const pendingChat = useStore(chatStore, (s) => s.items.filter((i) => i.kind === "message" && i.status === "pending").length);
  const pending = pendingOps + pendingChat;
  return (
    <div
      className={`connection connection--${state}`}
      data-testid="connection-status"
      data-state={state}
      data-transport={transport ?? ""}
      data-rtt={rttMs ?? ""}
      data-pending={pending}
      role="status"
      title={detail ?? undefined}
    >
      <span className="connection__dot" aria-hidden />
      <span>{LABELS[state]}</span>
      {state === "connected" && (
        <span className="connection__meta">
          {transport === "polling" ? "long-polling" : transport}
          {rttMs !== null && ` · ${rttMs} ms`}
        </span>
      )}
      {state !== "connected" && detail && <span className="connection__meta">{detail}</span>}
      {pending > 0 && (
        <span className="badge" title="Changes waiting for the server to confirm them">
          {pending} pending
        </span>
      )}
    </div>
  );
}
