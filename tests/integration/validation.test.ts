import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CIRCLE_COLOR } from "@/lib/board";
import type { ClientSocket } from "@/lib/client/socket";
import {
  emitRaw,
  emitRawWithAck,
  join,
  lateJoiner,
  newClientId,
  next,
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
  ["an extra key", { ...validJoin(), role: "admin" }, /role/],
];

const badSets: [string, unknown, RegExp][] = [
  ["colour is a word", { opId: "op-1", color: "red" }, /color/],
  ["colour is short hex", { opId: "op-1", color: "#fff" }, /color/],
  ["colour is a number", { opId: "op-1", color: 123 }, /color/],
  ["opId is missing", { color: "#ff0000" }, /opId/],
  ["an extra key", { opId: "op-1", color: "#ff0000", seq: 99 }, /seq/],
  ["payload is a string", "#ff0000", /payload/],
  ["payload is null", null, /payload/],
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

describe("payload validation", () => {
  let a: ClientSocket;
  beforeEach(async () => {
    a = await server().connect();
    await join(a, "room-1", "Ada");
  });

  it.each(badJoins)("board:join refuses a payload where %s, and nothing moves", async (_label, payload, mentions) => {
    const res = await emitRawWithAck(a, "board:join", payload);

    expectRefused(res, "board:join", mentions);
    // The refused socket stays where it was, and no board appears.
    expect(server().sockets.boards.boardOf(a.id!)).toBe("room-1");
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 1 }]);
  });

  it("board:join refuses a request with no payload at all", async () => {
    expectRefused(await emitRawWithAck(a, "board:join"), "board:join", /payload/);
  });

  it.each(badSets)("circle:set refuses a payload where %s, and the circle stays", async (_label, payload, mentions) => {
    const res = await emitRawWithAck(a, "circle:set", payload);

    expectRefused(res, "circle:set", mentions);
    const snapshot = await lateJoiner(server(), "room-1");
    expect(snapshot.circle).toEqual({ color: DEFAULT_CIRCLE_COLOR, version: 0 });
    expect(snapshot.seq).toBe(0);
  });

  it("keeps the connection usable after a refusal", async () => {
    await emitRawWithAck(a, "circle:set", { opId: "op-1", color: "red" });
    expect(await a.emitWithAck("circle:set", { opId: "op-1", color: "#ff0000" })).toEqual({ ok: true, seq: 1 });
  });

  it("answers a bad payload sent without an ack callback with an error event", async () => {
    const error = next(a, "error");
    emitRaw(a, "circle:set", { opId: "op-1", color: "red" });

    expect(await error).toEqual({ code: "INVALID_PAYLOAD", message: expect.stringMatching(/^circle:set: color/) });
    expect(server().logs).toContainEqual(expect.objectContaining({ level: "warn", msg: "refused payload" }));
    expect((await lateJoiner(server(), "room-1")).circle.version).toBe(0);
  });

  it("answers a bad join sent without an ack callback with an error event", async () => {
    const error = next(a, "error");
    emitRaw(a, "board:join", 42);
    expect(await error).toEqual({ code: "INVALID_PAYLOAD", message: expect.stringMatching(/^board:join: payload/) });
  });
});

describe("circle:set off a board", () => {
  it("is refused with NOT_JOINED before joining", async () => {
    const a = await server().connect();
    const res = await a.emitWithAck("circle:set", { opId: "op-1", color: "#ff0000" });
    expect(res).toEqual({ ok: false, error: { code: "NOT_JOINED", message: expect.stringMatching(/\S/) } });
  });

  it("is refused with NOT_JOINED after leaving, and changes nothing", async () => {
    const a = await server().connect();
    await join(a, "room-1", "Ada");
    a.emit("board:leave");
    const res = await a.emitWithAck("circle:set", { opId: "op-1", color: "#ff0000" });
    expect(res).toMatchObject({ ok: false, error: { code: "NOT_JOINED" } });
    expect((await lateJoiner(server(), "room-1")).circle.version).toBe(0);
  });

  it("answers with an error event when sent without an ack callback", async () => {
    const a = await server().connect();
    const error = next(a, "error");
    emitRaw(a, "circle:set", { opId: "op-1", color: "#ff0000" });
    expect(await error).toMatchObject({ code: "NOT_JOINED" });
  });
});
