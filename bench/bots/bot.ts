import { io } from "socket.io-client";
import type { ClientSocket } from "../../lib/client/socket";
import { CIRCLE_PALETTE, PEN_PALETTE } from "../../lib/client/palette";
import { PROTOCOL_VERSION, STROKE_WIDTHS, type OpRequest } from "../../lib/protocol";
import { handStroke, rng, wander } from "./shapes";

export interface BotOptions {
  url: string;
  board: string;
  name: string;
  clientId: string;
  seed: number;
  /** Mean seconds between strokes, colour changes and chat messages; 0 turns one off. */
  drawEvery: number;
  colorEvery: number;
  chatEvery: number;
  /** Cursor updates per second; 0 turns the cursor off. */
  cursorHz: number;
}

export interface BotStats {
  connected: boolean;
  joined: boolean;
  acked: number;
  refused: number;
  /** Ids of the strokes the server acked: every one must be on the board afterwards. */
  ackedStrokes: string[];
  lastError: string | null;
}

const PHRASES = [
  "Hello everyone!",
  "Nice stroke :)",
  "Who drew the spiral?",
  "I'll take the left side.",
  "Undo that one, please",
  "Looks good to me",
  "Shall we change the colour?",
  "brb",
];

/** Points of a stroke sent per preview: a person's pen reports a few per animation frame. */
const POINTS_PER_FRAME = 3;
const FRAME_MS = 16;

/**
 * One simulated person on a board: joins under a name, wanders its cursor, now and then draws a
 * stroke that grows live on everyone's screen before it is committed, recolours the circle, and
 * says something. Rejoins by itself after a reconnect, like a tab.
 */
export class Bot {
  readonly stats: BotStats = { connected: false, joined: false, acked: 0, refused: 0, ackedStrokes: [], lastError: null };
  private readonly socket: ClientSocket;
  private readonly random: () => number;
  private readonly cursorAt: (t: number) => { x: number; y: number };
  private readonly timers = new Set<NodeJS.Timeout>();
  private drawing = false;
  private stopped = false;
  private strokeCount = 0;
  private readonly startedAt = Date.now();

  constructor(private readonly o: BotOptions) {
    this.random = rng(o.seed);
    this.cursorAt = wander(this.random);
    this.socket = io(o.url, { transports: ["websocket"], forceNew: true, reconnectionDelayMax: 3_000 });
    this.socket.on("connect", () => {
      this.stats.connected = true;
      this.join();
    });
    this.socket.on("disconnect", () => {
      this.stats.connected = false;
      this.stats.joined = false;
    });
    this.socket.on("connect_error", (err) => (this.stats.lastError = err.message));
  }

  start(): void {
    if (this.o.cursorHz > 0) this.every(1000 / this.o.cursorHz, () => this.moveCursor());
    this.schedule(this.o.drawEvery, () => this.draw());
    this.schedule(this.o.colorEvery, () => this.recolor());
    this.schedule(this.o.chatEvery, () => this.chat());
  }

  /** Leaves the board and closes the connection: the others see the person go at once. */
  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.socket.connected) this.socket.emit("board:leave");
    this.socket.disconnect();
  }

  private join(): void {
    const req = { protocol: PROTOCOL_VERSION, boardId: this.o.board, name: this.o.name, clientId: this.o.clientId };
    this.socket.timeout(10_000).emit("board:join", req, (err, res) => {
      if (err) return;
      if (!res.ok) {
        this.stats.lastError = res.error.message;
        return;
      }
      this.stats.joined = true;
    });
  }

  private moveCursor(): void {
    if (!this.stats.joined || this.drawing) return;
    this.socket.volatile.emit("cursor", this.cursorAt((Date.now() - this.startedAt) / 1000));
  }

  /** Streams a stroke the way a pen would, a few points per frame, then commits it. */
  private draw(): void {
    if (!this.stats.joined || this.drawing) return;
    this.drawing = true;
    const start = this.cursorAt((Date.now() - this.startedAt) / 1000);
    const points = handStroke(this.random, start, 40 + Math.floor(this.random() * 60));
    const style = {
      id: `${this.o.clientId}-${++this.strokeCount}`,
      color: PEN_PALETTE[Math.floor(this.random() * PEN_PALETTE.length)]!.color,
      width: STROKE_WIDTHS[Math.floor(this.random() * STROKE_WIDTHS.length)]!,
      tool: "pen" as const,
      simulatePressure: false,
    };
    let sent = 0;
    const frame = () => {
      if (this.stopped) return;
      const next = Math.min(points.length, sent + POINTS_PER_FRAME * 3);
      this.socket.volatile.emit("stroke:preview", { ...style, points: points.slice(sent, next) });
      this.socket.volatile.emit("cursor", { x: points[next - 3]!, y: points[next - 2]! });
      sent = next;
      if (sent < points.length) this.after(FRAME_MS, frame);
      else {
        this.drawing = false;
        this.send({ type: "stroke:add", opId: `${style.id}-add`, stroke: { ...style, points } });
      }
    };
    frame();
  }

  private recolor(): void {
    if (!this.stats.joined) return;
    const color = CIRCLE_PALETTE[Math.floor(this.random() * CIRCLE_PALETTE.length)]!.color;
    this.send({ type: "circle:set", opId: `${this.o.clientId}-c${Date.now()}`, color });
  }

  private chat(): void {
    if (!this.stats.joined) return;
    const text = PHRASES[Math.floor(this.random() * PHRASES.length)]!;
    this.socket.timeout(10_000).emit("chat:send", { opId: `${this.o.clientId}-m${Date.now()}`, text }, (err, res) => {
      if (err) return;
      if (res.ok) this.stats.acked += 1;
      else this.refused(res.error.message);
    });
  }

  /** Sends an op; a RATE_LIMITED answer is retried once its hint has passed, as the app does. */
  private send(req: OpRequest): void {
    this.socket.timeout(10_000).emit("op", req, (err, res) => {
      if (err) return;
      if (res.ok) {
        this.stats.acked += 1;
        if (req.type === "stroke:add") this.stats.ackedStrokes.push(req.stroke.id);
      }
      else if (res.error.code === "RATE_LIMITED") this.after(res.error.retryAfterMs ?? 1_000, () => this.send(req));
      else this.refused(res.error.message);
    });
  }

  private refused(message: string): void {
    this.stats.refused += 1;
    this.stats.lastError = message;
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    this.after(ms, () => {
      fn();
      this.every(ms, fn);
    });
  }

  /** Runs `fn` at random intervals averaging `meanSeconds` (exponential, like people). */
  private schedule(meanSeconds: number, fn: () => void): void {
    if (meanSeconds <= 0) return;
    const wait = -Math.log(1 - this.random()) * meanSeconds * 1000;
    this.after(wait, () => {
      fn();
      this.schedule(meanSeconds, fn);
    });
  }
}
