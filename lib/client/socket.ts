import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../protocol";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: ClientSocket | undefined;

/**
 * The tab's one socket, made on first use (never while prerendering) and connected by the caller
 * from an effect. `?transport=polling` in the page URL forces HTTP long-polling, the fallback a
 * proxy without WebSocket support leaves, so it can be tried and tested on purpose.
 */
export function getSocket(): ClientSocket {
  if (!socket) {
    const forced = new URLSearchParams(window.location.search).get("transport");
    socket = io({
      autoConnect: false,
      // Back within a few seconds of the network or the server: a board is no place for long waits.
      reconnectionDelayMax: 3_000,
      transports: forced === "polling" ? ["polling"] : forced === "websocket" ? ["websocket"] : ["polling", "websocket"],
    });
  }
  return socket;
}
