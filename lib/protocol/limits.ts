/** Limits shared by the client (to guide people) and the server (to refuse the rest). */
export const LIMITS = {
  boardIdMaxLength: 64,
  nameMaxLength: 32,
  clientIdMinLength: 8,
  clientIdMaxLength: 64,
  opIdMaxLength: 64,
} as const;

/** Letters, digits, `_` and `-` only: a board id is a URL segment and a room name, never a path. */
export const BOARD_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Colours travel as lowercase `#rrggbb`; input in upper case is accepted and normalised. */
export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;
