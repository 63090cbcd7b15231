import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CIRCLE_COLOR } from "@/lib/board";
import type { ClientSocket } from "@/lib/client/socket";
import { LIMITS, PAGE } from "@/lib/protocol";
import {
  barrier,
  circleOp,
  commit,
  emitRaw,
  emitRawWithAck,
  join,
  lateJoiner,
  newClientId,
  next,
  record,
  sendOp,
  strokeInput,
  useServer,
} from "./harness";

const server = useServer();

const validJoin = () => ({ boardId: "room-2", name: "Bob", clientId: newClientId() });

/** [what is wrong, the payload, a word the refusal must name so that a person can fix it] */
const badJoins: [string, unknown, RegExp][] = [
  ["name is a number", { ...validJoin(), name: 42 }, /name/],
  ["payload is a string", "room-2", /payload/],
  ["payload is null", null, /payload/],
  ["board id climbs out (../x)", { ...validJoin(), boardId: "../x" }, /boardId/],
  ["board id holds a space", { ...validJoin(), boardId: "a b" }, /boardId/],
  ["board id is 65 characters", { ...validJoin(), boardId: "x".repeat(65) }, /boardId/],
  ["name is 33 characters", { ...validJoin(), name: "x".repeat(33) }, /name/],
  ["name is whitespace only", { ...validJoin(), name: "   " }, /name/],
  ["client id is missing", { boardId: "room-2", name: "Bob" }, /clientId/],
  // Named as a rule, never quoted: a key is what the client sent.
  ["an extra key", { ...validJoin(), role: "admin" }, /^(?!.*role).*payload: holds a field this event does not take/],
];

const set = (fields: object) => ({ type: "circle:set", opId: "op-1", ...fields });
const badCircleOps: [string, unknown, RegExp][] = [
  ["colour is a word", set({ color: "red" }), /color/],
  ["colour is short hex", set({ color: "#fff" }), /color/],
  ["colour is a number", set({ color: 123 }), /color/],
  ["opId is missing", { type: "circle:set", color: "#ff0000" }, /opId/],
  ["an extra key", set({ color: "#ff0000", seq: 99 }), /^(?!.*seq).*payload: holds a field this event does not take/],
  ["the op type is unknown", { type: "circle:spin", opId: "op-1", color: "#ff0000" }, /type/],
  ["the op type is missing", { opId: "op-1", color: "#ff0000" }, /type/],
  ["payload is a string", "#ff0000", /payload/],
  ["payload is null", null, /payload/],
];

/** JSON has no NaN or Infinity (they travel as null), so these are what a bad client can send. */
const add = (stroke: object) => ({ type: "stroke:add", opId: "op-1", stroke: { ...strokeInput("s-1"), ...stroke } });
const tooManyPoints = Array.from({ length: LIMITS.strokePointsMax + 1 }, (_, i) => [i % PAGE.width, 1, 0.5]).flat();
const badStrokeOps: [string, unknown, RegExp][] = [
  ["a point holds null (NaN or Infinity after JSON)", add({ points: [10, null, 0.5] }), /stroke\.points\.1/],
  ["a point holds a string", add({ points: ["1", 10, 0.5] }), /stroke\.points\.0/],
  ["points are off the page", add({ points: [PAGE.width + 1, 10, 0.5] }), /stroke\.points/],
  ["pressure is above 1", add({ points: [10, 10, 2] }), /stroke\.points/],
  ["points are not triples", add({ points: [10, 10, 0.5, 20] }), /stroke\.points/],
  [`there are ${LIMITS.strokePointsMax + 1} points`, add({ points: tooManyPoints }), /stroke\.points/],
  ["there are no points", add({ points: [] }), /stroke\.points/],
  ["the colour is a word", add({ color: "black" }), /stroke\.color/],
  ["the width is 0", add({ width: 0 }), /stroke\.width/],
  ["the width is 100", add({ width: 100 }), /stroke\.width/],
  ["the tool is unknown", add({ tool: "spray" }), /stroke\.tool/],
  ["the stroke carries its own author", add({ author: "someone-else" }), /^(?!.*author).*stroke: holds a field this event does not take/],
  ["the stroke id is not a token", add({ id: "../s" }), /stroke\.id/],
  ["an erase names no stroke", { type: "stroke:erase", opId: "op-1", strokeIds: [] }, /strokeIds/],
  ["a restore names a bad id", { type: "stroke:restore", opId: "op-1", strokeIds: ["a b"] }, /strokeIds/],
  ["a clear carries ids", { type: "board:clear", opId: "op-1", strokeIds: ["s-1"] }, /^(?!.*strokeIds).*payload: holds a field this event does not take/],
];

/** The refusal must be acked with a readable reason and logged as a warning with that reason. */
function expectRefused(res: unknown, event: string, mentions: RegExp): void {
  expect(res).toEqual({ ok: false, error: { code: "INVALID_PAYLOAD", message: expect.stringMatching(mentions) } });
  const { message } = (res as { error: { message: string } }).error;
  expect(message.startsWith(`${event}: `)).toBe(true);
  expect(server().logs).toContainEqual({
    level: "warn",
    msg: "refused payload",
    fields: expect.objectContaining({ event, message }),
  });
}

/** The board as a newcomer finds it is still untouched. */
async function expectUntouched(boardId: string): Promise<void> {
  const snapshot = await lateJoiner(server(), boardId);
  expect(snapshot).toMatchObject({ seq: 0, strokeCount: 0, strokes: [], circle: { color: DEFAULT_CIRCLE_COLOR, version: 0 } });
}

describe("payload validation", () => {
  let a: ClientSocket;
  let b: ClientSocket;
  let toB: unknown[];
  beforeEach(async () => {
    [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    toB = record(b, "op");
  });
  // Runs before the file's server closes: a refusal went to nobody once B has heard all before it.
  afterEach(async () => {
    await barrier(b);
    expect(toB).toEqual([]);
  });

  it.each(badJoins)("board:join refuses a payload where %s, and nothing moves", async (_label, payload, mentions) => {
    const res = await emitRawWithAck(a, "board:join", payload);

    expectRefused(res, "board:join", mentions);
    // The refused socket stays where it was, and no board appears.
    expect(server().sockets.boards.memberOf(a.id!)?.boardId).toBe("room-1");
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 2 }]);
  });

  it("board:join refuses a request with no payload at all", async () => {
    expectRefused(await emitRawWithAck(a, "board:join"), "board:join", /payload/);
  });

  it.each(badCircleOps)("op refuses a circle change where %s, and the circle stays", async (_label, payload, mentions) => {
    expectRefused(await emitRawWithAck(a, "op", payload), "op", mentions);
    await expectUntouched("room-1");
  });

  it.each(badStrokeOps)("op refuses a stroke op where %s, and nothing is stored", async (_label, payload, mentions) => {
    expectRefused(await emitRawWithAck(a, "op", payload), "op", mentions);
    await expectUntouched("room-1");
  });

  it("keeps the connection usable after a refusal, and the refused opId free", async () => {
    await emitRawWithAck(a, "op", set({ color: "red" }));
    expect(await sendOp(a, circleOp("op-1", "#ff0000"))).toMatchObject({ ok: true, seq: 1 });
    // The good op went out: the check this file's cleanup does would fail on it.
    toB.length = 0;
  });

  it("answers a bad payload sent without an ack callback with an error event", async () => {
    const error = next(a, "error");
    emitRaw(a, "op", set({ color: "red" }));

    expect(await error).toEqual({ code: "INVALID_PAYLOAD", message: expect.stringMatching(/^op: color/) });
    expect(server().logs).toContainEqual(expect.objectContaining({ level: "warn", msg: "refused payload" }));
    await expectUntouched("room-1");
  });

  it("answers a bad join sent without an ack callback with an error event", async () => {
    const error = next(a, "error");
    emitRaw(a, "board:join", 42);
    expect(await error).toEqual({ code: "INVALID_PAYLOAD", message: expect.stringMatching(/^board:join: payload/) });
  });
});

describe("ops off a board", () => {
  it("are refused with NOT_JOINED before joining", async () => {
    const a = await server().connect();
    const res = await sendOp(a, circleOp("op-1", "#ff0000"));
    expect(res).toEqual({ ok: false, error: { code: "NOT_JOINED", message: expect.stringMatching(/\S/) } });
  });

  it("are refused with NOT_JOINED after leaving, and change nothing", async () => {
    const a = await server().connect();
    await join(a, "room-1", "Ada");
    await commit(a, circleOp("op-0", "#00ff00"));
    a.emit("board:leave");
    const res = await sendOp(a, { type: "board:clear", opId: "op-1" });
    expect(res).toMatchObject({ ok: false, error: { code: "NOT_JOINED" } });
    expect(await lateJoiner(server(), "room-1")).toMatchObject({ seq: 1, circle: { color: "#00ff00", version: 1 } });
  });

  it("answer with an error event when sent without an ack callback", async () => {
    const a = await server().connect();
    const error = next(a, "error");
    emitRaw(a, "op", circleOp("op-1", "#ff0000"));
    expect(await error).toMatchObject({ code: "NOT_JOINED" });
  });
});
