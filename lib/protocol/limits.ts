/** Limits shared by the client (to guide people) and the server (to refuse the rest). */
export const LIMITS = {
  boardIdMaxLength: 64,
  /** Boards one lobby may watch: a browser remembers this many it opened. */
  lobbyBoardsMax: 8,
  /** Boards every lobby lists because their owners chose so. */
  listedBoardsMax: 50,
  nameMaxLength: 32,
  clientIdMinLength: 8,
  clientIdMaxLength: 64,
  opIdMaxLength: 64,
  /** Owner and view keys: 128 random bits take 22 characters. */
  keyMinLength: 16,
  keyMaxLength: 64,
  /** People an owned board remembers a role or a removal for. */
  grantsMax: 1_000,
  removedMax: 500,
  /** Points in one stroke; a longer line is continued as a new stroke by the client. */
  strokePointsMax: 2_000,
  /** Strokes a board keeps, erased ones included (they can be restored). */
  boardStrokesMax: 20_000,
  /** Ids in one erase or restore. */
  strokeIdsMax: 5_000,
  /** Ids in one `strokes:get` (100 hand-drawn strokes are about 0.5 MB; the server also caps an answer by points). */
  strokeFetchMax: 100,
  chatTextMax: 1_000,
  /** Messages a board keeps and shows to late joiners. */
  chatHistory: 200,
  /**
   * What a board's kept ops may take, as JSON: snapshots let the oldest go beyond it, so that
   * neither a long life nor a clear-and-undo loop grows a board without bound. Twice the default
   * BOARD_MAX_BYTES: a full board's whole drawing fits.
   */
  historyBytesMax: 256_000_000,
  /** Changes, and stroke ids in them, a board's history holds in memory (the latest). */
  historyChangesMax: 50_000,
  historyIdsMax: 500_000,
  /** Runs of changes a history answer lists, the latest ones. */
  historyEntriesMax: 2_000,
  /** Points in one laser message (the pointer's samples of about one frame). */
  laserPointsMax: 64,
  strokeWidthMin: 1,
  strokeWidthMax: 64,
} as const;

/**
 * The fixed logical page every board is drawn on, in board units. Tabs letterbox it into their
 * window, so any window size shows the same picture and a resize changes no coordinate.
 */
export const PAGE = { width: 1600, height: 1000 } as const;

/** The stroke widths the toolbar offers, in board units. */
export const STROKE_WIDTHS = [2, 5, 10, 20] as const;

/** Letters, digits, `_` and `-` only: a board id is a URL segment and a room name, never a path. */
export const BOARD_ID_PATTERN = /^[A-Za-z0-9_-]+$/;

/** Colours travel as lowercase `#rrggbb`; input in upper case is accepted and normalised. */
export const COLOR_PATTERN = /^#[0-9a-fA-F]{6}$/;

/** Stroke ids in parts of at most `LIMITS.strokeIdsMax`: the ops one erase or restore of many strokes travels in, applied in order. */
export function strokeIdParts(ids: readonly string[]): string[][] {
  const parts: string[][] = [];
  for (let i = 0; i < ids.length; i += LIMITS.strokeIdsMax) parts.push(ids.slice(i, i + LIMITS.strokeIdsMax));
  return parts;
}
