import { z } from "zod";
import { BOARD_ID_PATTERN, COLOR_PATTERN, LIMITS, PAGE } from "./limits";
import { hasVisibleCharacter, isWellFormedName } from "./names";
import { ACTIVITY_STATES, TOOLS } from "./primitives";
import { GRANTABLE_ROLES } from "./access";

/** Runtime schemas for every inbound payload; the server parses with these at the boundary. */

export const boardIdSchema = z
  .string()
  .min(1, "board id is empty")
  .max(LIMITS.boardIdMaxLength, `board id is longer than ${LIMITS.boardIdMaxLength} characters`)
  .regex(BOARD_ID_PATTERN, "board id may hold only letters, digits, '_' and '-'");

export const displayNameSchema = z
  .string()
  .trim()
  .min(1, "name is empty")
  .max(LIMITS.nameMaxLength, `name is longer than ${LIMITS.nameMaxLength} characters`)
  // Control and direction-override characters would let a name forge or reorder what lists and
  // logs show; joiners (U+200C, U+200D) stay allowed, emoji sequences and many scripts need them.
  .regex(/^[^\p{Cc}\u200B\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF]+$/u, "name holds control characters")
  .refine(isWellFormedName, "name is not valid text")
  // Other invisible characters may stay (they only drop out when names are compared), but a name
  // of nothing else would be a person nobody can see in the list.
  .refine(hasVisibleCharacter, "name has nothing visible");

export const colorSchema = z
  .string()
  .regex(COLOR_PATTERN, "colour must be #rrggbb")
  .transform((c) => c.toLowerCase());

const tokenSchema = (what: string, min: number, max: number) =>
  z
    .string()
    .min(min, `${what} is shorter than ${min} characters`)
    .max(max, `${what} is longer than ${max} characters`)
    .regex(/^[A-Za-z0-9_-]+$/, `${what} may hold only letters, digits, '_' and '-'`);

export const clientIdSchema = tokenSchema("client id", LIMITS.clientIdMinLength, LIMITS.clientIdMaxLength);
export const opIdSchema = tokenSchema("op id", 1, LIMITS.opIdMaxLength);

/** An owner key or a view key: random, made by the app, about 22 characters. */
export const keySchema = (what: string) => tokenSchema(what, LIMITS.keyMinLength, LIMITS.keyMaxLength);

export const joinRequestSchema = z
  .strictObject({
    /**
     * The tab's PROTOCOL_VERSION. Optional here so that a tab of an older build, which sends none,
     * is answered VERSION_MISMATCH rather than INVALID_PAYLOAD; the type below makes it required.
     */
    protocol: z.number().int().min(0).max(2 ** 31).optional(),
    /** The board, by its id (its ordinary link) or by the key of its view-only link: one of the two. */
    boardId: boardIdSchema.optional(),
    view: keySchema("view key").optional(),
    /** This browser's owner key for the board: an owner's, or one to claim a board nobody has made yet. */
    ownerKey: keySchema("owner key").optional(),
    name: displayNameSchema,
    clientId: clientIdSchema,
    /** What a reconnecting tab already has: the board's epoch, the last seq it applied, and that op's opId when it knows it. */
    resume: z
      .strictObject({
        epoch: tokenSchema("epoch", 1, 64),
        seq: z.number().int().min(0),
        last: opIdSchema.optional(),
      })
      .optional(),
  })
  .refine((req) => (req.boardId === undefined) !== (req.view === undefined), "name the board by its id or by a view key, not both");

export type JoinRequest = Omit<z.input<typeof joinRequestSchema>, "protocol"> & { protocol: number };

const userIdSchema = tokenSchema("user id", 1, 64);

/** What an owner changes; every field is optional, at least one is set. */
const settingsPatchSchema = z
  .strictObject({
    locked: z.boolean().optional(),
    editorsMayErase: z.boolean().optional(),
    chat: z.boolean().optional(),
    cursors: z.enum(["everyone", "owners"]).optional(),
    laser: z.enum(["owners", "everyone"]).optional(),
    listed: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, "change at least one setting");

/** An owner's control over the board and the people on it. */
export const manageRequestSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("settings"), settings: settingsPatchSchema }),
  z.strictObject({ type: z.literal("role"), userId: userIdSchema, role: z.enum(GRANTABLE_ROLES) }),
  z.strictObject({ type: z.literal("remove"), userId: userIdSchema }),
  z.strictObject({ type: z.literal("readmit"), userId: userIdSchema }),
  z.strictObject({ type: z.literal("end") }),
  /** A new view-only link: the old one opens nothing from now on (viewers on the board stay). */
  z.strictObject({ type: z.literal("view-link") }),
]);
export type ManageRequest = z.input<typeof manageRequestSchema>;

const strokeIdSchema = tokenSchema("stroke id", 1, LIMITS.opIdMaxLength);

/** `[x, y, pressure]` triples on the page: finite, inside it, pressure in 0..1. */
const pointsSchema = z
  .array(z.number().finite("points must be finite numbers"))
  .min(3, "a stroke needs at least one point")
  .max(LIMITS.strokePointsMax * 3, `a stroke may have at most ${LIMITS.strokePointsMax} points`)
  .superRefine((points, ctx) => {
    if (points.length % 3 !== 0) {
      ctx.addIssue({ code: "custom", message: "points must be [x, y, pressure] triples" });
      return;
    }
    for (let i = 0; i < points.length; i += 3) {
      const x = points[i]!;
      const y = points[i + 1]!;
      const p = points[i + 2]!;
      if (x < 0 || x > PAGE.width || y < 0 || y > PAGE.height || p < 0 || p > 1) {
        ctx.addIssue({ code: "custom", message: `point ${i / 3} is off the ${PAGE.width}x${PAGE.height} page or its pressure is not in 0..1` });
        return;
      }
    }
  });

export const strokeInputSchema = z.strictObject({
  id: strokeIdSchema,
  color: colorSchema,
  width: z
    .number()
    .finite()
    .min(LIMITS.strokeWidthMin, `width is below ${LIMITS.strokeWidthMin}`)
    .max(LIMITS.strokeWidthMax, `width is above ${LIMITS.strokeWidthMax}`),
  tool: z.enum(TOOLS),
  simulatePressure: z.boolean(),
  points: pointsSchema,
});

const strokeIdsSchema = z
  .array(strokeIdSchema)
  .min(1, "name at least one stroke")
  .max(LIMITS.strokeIdsMax, `at most ${LIMITS.strokeIdsMax} strokes at once`);

export const opRequestSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("circle:set"), opId: opIdSchema, color: colorSchema }),
  z.strictObject({ type: z.literal("stroke:add"), opId: opIdSchema, stroke: strokeInputSchema }),
  z.strictObject({ type: z.literal("stroke:erase"), opId: opIdSchema, strokeIds: strokeIdsSchema }),
  z.strictObject({ type: z.literal("stroke:restore"), opId: opIdSchema, strokeIds: strokeIdsSchema }),
  z.strictObject({ type: z.literal("board:clear"), opId: opIdSchema }),
]);

/** The boards a lobby shows live head counts for: those this browser opened, and no others. */
export const lobbyWatchSchema = z.strictObject({
  boards: z.array(boardIdSchema).max(LIMITS.lobbyBoardsMax, `name at most ${LIMITS.lobbyBoardsMax} boards`),
});
export type LobbyWatchRequest = z.input<typeof lobbyWatchSchema>;

export const strokesRequestSchema = z.strictObject({
  strokeIds: z
    .array(strokeIdSchema)
    .min(1, "name at least one stroke")
    .max(LIMITS.strokeFetchMax, `at most ${LIMITS.strokeFetchMax} strokes at once`),
});

export type StrokesRequest = z.input<typeof strokesRequestSchema>;

/** Previews are never kept, but they are relayed, so they are held to the same shape as strokes. */
export const strokePreviewSchema = strokeInputSchema;

export const cursorSchema = z.strictObject({
  x: z.number().finite().min(0).max(PAGE.width),
  y: z.number().finite().min(0).max(PAGE.height),
});

/** Where the laser went since the last message: `[x, y, x, y, ...]` on the page. Never kept. */
export const laserSchema = z.strictObject({
  points: z
    .array(z.number().finite())
    .min(2, "the laser needs at least one point")
    .max(LIMITS.laserPointsMax * 2, `at most ${LIMITS.laserPointsMax} laser points at once`)
    .superRefine((points, ctx) => {
      if (points.length % 2 !== 0) ctx.addIssue({ code: "custom", message: "laser points must be [x, y] pairs" });
      else if (points.some((v, i) => v < 0 || v > (i % 2 === 0 ? PAGE.width : PAGE.height))) {
        ctx.addIssue({ code: "custom", message: `laser points must be on the ${PAGE.width}x${PAGE.height} page` });
      }
    }),
});
export type LaserRequest = z.input<typeof laserSchema>;

/** A moment of the board's history: right after the change with this seq. */
export const historyMomentSchema = z.strictObject({ seq: z.number().int().min(0).max(2 ** 53) });
export type HistoryMoment = z.input<typeof historyMomentSchema>;

export const activitySchema = z.strictObject({ state: z.enum(ACTIVITY_STATES) });

export const chatSendSchema = z.strictObject({
  opId: opIdSchema,
  text: z
    .string()
    .trim()
    .min(1, "message is empty")
    .max(LIMITS.chatTextMax, `message is longer than ${LIMITS.chatTextMax} characters`),
  to: tokenSchema("recipient id", 1, 64).optional(),
});

export type ChatSendRequest = z.input<typeof chatSendSchema>;
