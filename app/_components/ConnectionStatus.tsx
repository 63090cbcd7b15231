"use client";

import { useStore } from "zustand";
import { connectionStore, type ConnectionState } from "@/lib/client/connection-store";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  connected: "Connected",
  reconnecting: "Reconnecting…",
  offline: "Offline",
};

export function ConnectionStatus() {
  const { state, transport, rttMs, detail } = useStore(connectionStore);
  return (
    <div
      className={`connection connection--${state}`}
      data-testid="connection-status"
      data-state={state}
      data-transport={transport ?? ""}
      data-rtt={rttMs ?? ""}
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
    </div>
  );
}
