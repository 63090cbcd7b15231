import type { Circle, Color } from "../protocol";

export const DEFAULT_CIRCLE_COLOR: Color = "#6366f1";

/** How many recent opIds a board remembers to recognise a resend. */
export const DEDUPE_WINDOW = 10_000;

export type Op = { type: "circle:set"; opId: string; color: Color };

export interface Applied {
  seq: number;
  /** True when this opId was applied before: nothing changed, `seq` is the original one. */
  duplicate: boolean;
}

/**
 * The authoritative state of one board. Pure: no I/O, no clock, no sockets. The server orders
 * every change by handing it to `apply`, which gives it the board's next sequence number.
 */
export class Board {
  readonly id: string;
  private seqValue = 0;
  private circleValue: Circle = { color: DEFAULT_CIRCLE_COLOR, version: 0 };
  private readonly applied = new Map<string, number>();

  constructor(id: string) {
    this.id = id;
  }

  get seq(): number {
    return this.seqValue;
  }

  get circle(): Circle {
    return this.circleValue;
  }

  apply(op: Op): Applied {
    const earlier = this.applied.get(op.opId);
    if (earlier !== undefined) return { seq: earlier, duplicate: true };

    const seq = ++this.seqValue;
    switch (op.type) {
      case "circle:set":
        this.circleValue = { color: op.color, version: seq };
        break;
    }
    this.remember(op.opId, seq);
    return { seq, duplicate: false };
  }

  private remember(opId: string, seq: number): void {
    this.applied.set(opId, seq);
    if (this.applied.size > DEDUPE_WINDOW) {
      // Maps iterate in insertion order, so the first key is the oldest.
      const oldest = this.applied.keys().next().value as string;
      this.applied.delete(oldest);
    }
  }
}
