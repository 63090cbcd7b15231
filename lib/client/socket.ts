import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, ServerToClientEvents } from "../protocol";

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: ClientSocket | undefined;

/** This page load's own id: with `spread`, a cluster's proxy keeps each tab on one node by it. */
const tab = Math.random().toString(36).slice(2, 10);

/**
 * What every request of the socket says, for a proxy in front of a cluster (docs/DEPLOY.md): the
 * board the tab is on, so that a board's people meet on one node (`hash $arg_board`); the tab; and
 * `?node=` from the page's address, which pins the tab to that node (demos and tests). Read at
 * each connection, so a tab that moved to another board is routed by it when it reconnects.
 * A viewer's page names no board: a view-only link never reveals it.
 */
export function routing(): Record<string, string> {
  const board = /^\/b\/([A-Za-z0-9_-]+)/.exec(window.location.pathname)?.[1];
  const node = new URLSearchParams(window.location.search).get("node");
  return { ...(board && { board }), tab, ...(node && { node }) };
}

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
      query: routing(),
    });
    const manager = socket.io;
    manager.on("reconnect_attempt", () => (manager.opts.query = routing()));
  }
  return socket;
}
