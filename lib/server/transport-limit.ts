import type { IncomingMessage, Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import type { Server as EngineServer, Socket as EngineSocket } from "engine.io";
import { ConnectionCounter, limitKey } from "./admission";

/** TCP connections per transport allowed: a tab's page loads and long polls use a few at once. */
export const TCP_PER_TRANSPORT = 2;

/**
 * Open connections per client address, counted where they really are: Engine.IO transports. A
 * transport is counted when its handshake is allowed and released when it closes, whatever
 * happened on top of it (a namespace joined and left, a half-made socket dropped by Socket.IO
 * without a `disconnect`), so that nothing a client does can hold a slot it does not use, or
 * leave one counted after it has gone.
 */
export class TransportLimit {
  private readonly counter: ConnectionCounter;
  private readonly tcp: ConnectionCounter;
  /** Handshakes allowed whose transport does not exist yet: released if it never comes. */
  private readonly admitted = new Map<IncomingMessage, { address: string; onClose: () => void }>();

  constructor(
    max: number,
    private readonly trustProxy: boolean,
  ) {
    this.counter = new ConnectionCounter(max);
    this.tcp = new ConnectionCounter(max * TCP_PER_TRANSPORT);
  }

  /**
   * Caps the TCP connections one address holds on the HTTP server, whatever they carry: a long
   * poll answered on a connection its client never reads stays in the kernel's buffers, out of
   * every count above, so the number of such connections must be bounded too; and one that makes
   * no request within `silentMs` is closed, so that silent connections cannot hold the slots.
   * Behind a trusted proxy every connection comes from the proxy: the proxy's own limits apply.
   */
  limitSockets(httpServer: HttpServer, silentMs: number): void {
    if (this.trustProxy) return;
    const spoke = new WeakSet<Socket>();
    httpServer.on("request", (req: IncomingMessage) => spoke.add(req.socket));
    httpServer.on("upgrade", (req: IncomingMessage) => spoke.add(req.socket));
    httpServer.on("connection", (socket: Socket) => {
      const address = limitKey({}, socket.remoteAddress ?? "", false);
      if (!this.tcp.admit(address)) {
        socket.destroy();
        return;
      }
      const silent = setTimeout(() => spoke.has(socket) || socket.destroy(), silentMs);
      silent.unref();
      socket.once("close", () => {
        clearTimeout(silent);
        this.tcp.release(address);
      });
    });
  }

  /** The address a handshake comes from, as admission sees it. */
  addressOf(req: IncomingMessage): string {
    return limitKey(req.headers, req.socket.remoteAddress ?? "", this.trustProxy);
  }

  /** For `allowRequest`: counts the handshake, or says no when its address holds too many already. */
  admit(req: IncomingMessage): boolean {
    const address = this.addressOf(req);
    if (!this.counter.admit(address)) return false;
    // A WebSocket handshake can die before Engine.IO makes a transport of it, saying nothing.
    const onClose = () => this.settle(req, false);
    req.socket.once("close", onClose);
    this.admitted.set(req, { address, onClose });
    return true;
  }

  /** Follows the handshakes this limit admitted until their transports close. */
  attach(engine: EngineServer): void {
    engine.on("connection", (conn: EngineSocket) => {
      const address = this.settle(conn.request, true);
      if (address !== undefined) conn.once("close", () => this.counter.release(address));
    });
    engine.on("connection_error", ({ req }: { req: IncomingMessage }) => this.settle(req, false));
  }

  /** TCP connections open from one address (not counted behind a trusted proxy). */
  socketsFrom(address: string): number {
    return this.tcp.count(address);
  }

  /** Transports open from one address. */
  openFrom(address: string): number {
    return this.counter.count(address);
  }

  /** The handshake became a transport (`made`) or never will: either way it is no longer pending. */
  private settle(req: IncomingMessage, made: boolean): string | undefined {
    const pending = this.admitted.get(req);
    if (!pending) return undefined;
    this.admitted.delete(req);
    req.socket.off("close", pending.onClose);
    if (!made) this.counter.release(pending.address);
    return pending.address;
  }
}
