import { z } from "zod";
import { BOARD_ID_PATTERN, COLOR_PATTERN, LIMITS } from "./limits";

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
  // Control characters would let a name forge lines in logs and lists.
  .regex(/^[^\p{Cc}\p{Cf}]+$/u, "name holds control characters");

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

export const joinRequestSchema = z.strictObject({
  boardId: boardIdSchema,
  name: displayNameSchema,
  clientId: clientIdSchema,
});

export const circleSetSchema = z.strictObject({
  opId: opIdSchema,
  color: colorSchema,
});

export type JoinRequest = z.input<typeof joinRequestSchema>;
export type CircleSetRequest = z.input<typeof circleSetSchema>;
