/** Every refusal the server can answer with. Clients branch on `code`; `message` is for people. */
export const ERROR_CODES = [
  "INVALID_PAYLOAD",
  "NAME_TAKEN",
  "NOT_JOINED",
  "UNKNOWN_STROKE",
  "STROKE_EXISTS",
  "BOARD_FULL",
  "UNKNOWN_RECIPIENT",
  "RATE_LIMITED",
  /** The board has as many people as it admits, or this person as many tabs on it. */
  "TOO_MANY_PEOPLE",
  /** The tab and the server are different builds (`PROTOCOL_VERSION`): the page must be reloaded. */
  "VERSION_MISMATCH",
  /** The sender's role or the board's settings do not allow it (the message says which). */
  "FORBIDDEN",
  /** An owner removed this browser from the board; an owner can readmit it. */
  "REMOVED",
  /** A view-only link that names no board. */
  "UNKNOWN_LINK",
  /** A moment the board's history does not reach (before the oldest change kept, or not yet). */
  "UNKNOWN_MOMENT",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ProtocolError {
  code: ErrorCode;
  message: string;
  /** With RATE_LIMITED: how long to wait before trying again. */
  retryAfterMs?: number;
}

export type Refusal = { ok: false; error: ProtocolError };

export type Ack<T extends object = object> = ({ ok: true } & T) | Refusal;

/** Every refusal, on either side, is built here: a code to branch on and a short message that never echoes the input. */
export function refuse(code: ErrorCode, message: string, extra?: Pick<ProtocolError, "retryAfterMs">): Refusal {
  return { ok: false, error: { code, message, ...extra } };
}
