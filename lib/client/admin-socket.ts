import { routing } from "./socket";
import { io, type Socket } from "socket.io-client";
import { ADMIN_NAMESPACE, type AdminClientToServerEvents, type AdminServerToClientEvents } from "../protocol";

export type AdminSocket = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;

/** A connection to the server's `/admin` namespace, showing `token`; the caller connects and closes it. */
export function adminSocket(token: string): AdminSocket {
  // Routed by its tab like any page (see `routing`): a proxy keeps its long polls on one node.
  return io(ADMIN_NAMESPACE, { autoConnect: false, auth: { token }, reconnectionDelayMax: 3_000, transports: ["websocket", "polling"], query: routing() });
}
