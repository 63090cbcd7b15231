import { once } from "node:events";
import WebSocket from "ws";

/**
 * A hand-driven Engine.IO/Socket.IO client over a raw WebSocket: it sends the packets an attacker
 * would write (`40`, `42[...]`, `41`, numeric event names) and can stop reading, which
 * socket.io-client never does. Pings are answered unless told otherwise, as a live client would.
 */
export class RawClient {
  /** Every text frame received after the handshake, in order. */
  readonly frames: string[] = [];
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const frame = data.toString();
      if (frame === "2") ws.send("3");
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => ws.once("close", () => resolve()));
    // A refused handshake fails `open` below; the error needs no second report.
    ws.on("error", () => undefined);
  }

  /** Opens a WebSocket transport (Engine.IO open packet received) without connecting to a namespace. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, { headers });
    const client = new RawClient(ws);
    await once(ws, "open");
    await client.waitFor((f) => f.startsWith("0{"));
    return client;
  }

  /** Opens a transport and connects to the main namespace. */
  static async connect(url: string): Promise<RawClient> {
    const client = await RawClient.open(url);
    client.send("40");
    await client.waitFor((f) => f.startsWith("40{"));
    return client;
  }

  send(...frames: string[]): void {
    for (const frame of frames) this.ws.send(frame);
  }

  /** Sends a Socket.IO event packet; `ack` numbers it so that the server answers. */
  emit(args: unknown[], ack?: number): void {
    this.ws.send(`42${ack ?? ""}${JSON.stringify(args)}`);
  }

  /** Resolves with the first frame (seen already or to come) that matches. */
  async waitFor(match: (frame: string) => boolean): Promise<string> {
    for (;;) {
      const seen = this.frames.find(match);
      if (seen !== undefined) return seen;
      await once(this.ws, "message");
    }
  }

  /** The answer to the event sent with `ack`. */
  async ack(ack: number): Promise<unknown> {
    const frame = await this.waitFor((f) => f.startsWith(`43${ack}[`));
    return (JSON.parse(frame.slice(2 + String(ack).length)) as unknown[])[0];
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Stops reading: the kernel buffers fill and the server's writes to this client back up. */
  pause(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  /** Cuts the TCP connection at once, with no close handshake. */
  terminate(): void {
    this.ws.terminate();
  }
}
