import type { ClientToServerEvents, ServerToClientEvents } from "../protocol";

/** How long the tab waits for any ack before it counts the request as unanswered. */
export const ACK_TIMEOUT_MS = 10_000;

/** What the session hears: the protocol's events and the connection's own two. */
export type SessionEvents = ServerToClientEvents & { connect: () => void; disconnect: () => void };

type Emits = ClientToServerEvents;
type Request<E extends keyof Emits> = Parameters<Emits[E]>[0];
/** The answer an event's ack callback gets. */
export type AckOf<E extends keyof Emits> = Parameters<Emits[E]> extends [unknown, (res: infer R) => void] ? R : never;
/** Events the tab sends without waiting for an answer. */
type Told = "board:leave" | "presence:state" | "cursor:hide" | "stroke:preview" | "cursor" | "laser";
/** Sent only if they can go now: dropped rather than queued while disconnected. */
type Volatile = "stroke:preview" | "cursor" | "laser";
/** Events the tab sends with nothing but an ack, and waits for it. */
type AskedBare = "history:list";
/** Events the tab sends with a request and waits for the ack of. */
type Asked = "op" | "chat:send" | "strokes:get" | "board:join" | "board:manage" | "history:at" | "history:restore";

/**
 * One overload per event rather than one generic signature: socket.io-client's own generic
 * signatures resolve their listener and argument types per event, and only a concrete event lets
 * them, so only overloads let a real socket satisfy this interface.
 */
type Overloads<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type Listen = Overloads<{ [E in keyof SessionEvents]: (event: E, listener: SessionEvents[E]) => unknown }[keyof SessionEvents]>;
type Tell<N extends keyof Emits> = Overloads<{ [E in N]: (event: E, ...args: Parameters<Emits[E]>) => unknown }[N]>;
type AckOfBare<E extends AskedBare> = Parameters<Emits[E]> extends [(res: infer R) => void] ? R : never;
type AskAwaited = Overloads<
  { [E in Asked]: (event: E, req: Request<E>) => Promise<AckOf<E>> }[Asked] | { [E in AskedBare]: (event: E) => Promise<AckOfBare<E>> }[AskedBare]
>;
type AskCallback = Overloads<
  { [E in Asked]: (event: E, req: Request<E>, ack: (err: Error | null, res: AckOf<E>) => void) => unknown }[Asked]
>;

/**
 * The part of a socket.io-client `Socket` a board session uses, typed from the protocol: a real
 * socket satisfies it, and so does the client end of the in-memory pair the unit tests drive.
 */
export interface SessionSocket {
  readonly connected: boolean;
  on: Listen;
  off: Listen;
  emit: Tell<Told>;
  readonly volatile: { emit: Tell<Volatile> };
  timeout(ms: number): {
    /** Rejects when no answer came within `ms`. */
    emitWithAck: AskAwaited;
    /** The answer in a callback, called in the frame that brought it (see BoardSession.join). */
    emit: AskCallback;
  };
}
