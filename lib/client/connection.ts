import { connectionStore } from "./connection-store";
import type { ClientSocket } from "./socket";

const PING_EVERY_MS = 3_000;
const PING_TIMEOUT_MS = 5_000;

/**
 * Mirrors the socket's health into the connection store (state, transport, latency) and keeps
 * the socket connected for as long as the returned stop function is not called.
 */
export function trackConnection(socket: ClientSocket): () => void {
  const set = connectionStore.setState;
  const transport = () => socket.io.engine?.transport?.name ?? null;

  const onConnect = () => {
    set({ state: "connected", transport: transport(), detail: null });
    socket.io.engine.on("upgrade", () => set({ transport: transport() }));
    void ping();
  };
  const onDisconnect = (reason: string) => {
    const offline = typeof navigator !== "undefined" && !navigator.onLine;
    set({
      state: offline ? "offline" : "reconnecting",
      transport: null,
      rttMs: null,
      node: null,
      detail: offline ? "This device is offline." : `Connection lost (${reason}).`,
    });
  };
  const onConnectError = (err: Error) => {
    if (connectionStore.getState().state === "connected") return;
    set({ detail: `Cannot reach the server (${err.message}).` });
  };
  const onShutdown = () => set({ detail: "The server is restarting." });
  const onReconnectAttempt = () => {
    if (navigator.onLine) set({ state: "reconnecting" });
  };
  const onOffline = () => set({ state: "offline", detail: "This device is offline." });
  const onOnline = () => {
    if (!socket.connected) {
      set({ state: "reconnecting", detail: null });
      socket.connect();
    }
  };

  const ping = async () => {
    if (!socket.connected) return;
    const started = performance.now();
    try {
      const res = await socket.timeout(PING_TIMEOUT_MS).emitWithAck("ping");
      if (res.ok) set({ rttMs: Math.round(performance.now() - started), node: res.node ?? null });
    } catch {
      // No answer within the timeout: the heartbeat decides whether the connection is gone.
      set({ rttMs: null });
    }
  };

  socket.on("connect", onConnect);
  socket.on("disconnect", onDisconnect);
  socket.on("connect_error", onConnectError);
  socket.on("server:shutdown", onShutdown);
  socket.io.on("reconnect_attempt", onReconnectAttempt);
  window.addEventListener("offline", onOffline);
  window.addEventListener("online", onOnline);
  const timer = window.setInterval(() => void ping(), PING_EVERY_MS);

  if (socket.connected) onConnect();
  else socket.connect();

  return () => {
    window.clearInterval(timer);
    socket.off("connect", onConnect);
    socket.off("disconnect", onDisconnect);
    socket.off("connect_error", onConnectError);
    socket.off("server:shutdown", onShutdown);
    socket.io.off("reconnect_attempt", onReconnectAttempt);
    window.removeEventListener("offline", onOffline);
    window.removeEventListener("online", onOnline);
  };
}
