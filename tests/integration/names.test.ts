import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "@/lib/protocol";
import { INVISIBLE_IN_ADA } from "../unit/fixtures";
import { barrier, join, newClientId, record, useServer } from "./harness";

const server = useServer();

/** Names that render as "Ada" beside a person already called "Ada". */
const LOOK_ALIKES: [string, string][] = [
  ...INVISIBLE_IN_ADA,
  ["tag characters", "Ada\u{e0041}\u{e0064}\u{e0061}"],
  ["a Hangul filler inside", "Ada\u3164"],
  ["a braille blank after it", "Ada\u2800"],
  ["a Cyrillic capital A", "\u0410da"],
  ["a Cyrillic small a", "Ad\u0430"],
  ["a Greek capital Alpha", "\u0391da"],
  ["Cherokee and Lisu capitals", "\u13aa\ua4d3a"],
];

/** Names with nothing to see once invisible characters are set aside. */
const BLANK_NAMES: [string, string][] = [
  ["a Hangul filler", "\u3164"],
  ["a braille blank", "\u2800\u2800"],
  ["a Hangul choseong filler", "\u115f"],
  ["a halfwidth Hangul filler", "\uffa0"],
  ["an ideographic and an em space", "\u3000\u2003"],
  ["a zero-width joiner", "\u200d"],
  ["tag characters", "\u{e0041}\u{e0042}"],
  ["combining marks alone", "\u0301\u0308"],
  ["a lone surrogate", "\ud800"],
  ["a letter with a lone surrogate", "Ada\udc00"],
];

describe("names that look alike", () => {
  it.each(LOOK_ALIKES)("refuses a second browser joining as Ada with %s: NAME_TAKEN, nobody added", async (_label, name) => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada");
    const toA = record(a, "presence:joined");

    const res = await b.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "room-1", name, clientId: newClientId() });

    expect(res).toMatchObject({ ok: false, error: { code: "NAME_TAKEN" } });
    if (!res.ok) expect(res.error.message).not.toContain(name);
    await barrier(a);
    expect(toA).toEqual([]);
    expect(server().sockets.boards.activeBoards()).toEqual([{ boardId: "room-1", count: 1 }]);
  });

  it("refuses Ada beside a person whose name was Ada with an invisible character", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "room-1", "Ada\u200d");

    const res = await b.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "room-1", name: "Ada", clientId: newClientId() });

    expect(res).toMatchObject({ ok: false, error: { code: "NAME_TAKEN" } });
  });

  it("lets names that only differ in what they show, and emoji sequences, share a board", async () => {
    const sockets = await Promise.all([server().connect(), server().connect(), server().connect(), server().connect()]);
    const names = ["Ada", "Adá", "👩\u200d💻 Ada", "Аня"];

    const joined = await Promise.all(names.map((name, i) => join(sockets[i]!, "room-1", name)));

    expect(joined.map((j) => j.self.name)).toEqual(names);
  });
});

describe("names with nothing visible", () => {
  it.each(BLANK_NAMES)("refuses %s with INVALID_PAYLOAD and does not echo it", async (_label, name) => {
    const a = await server().connect();

    const res = await a.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "room-1", name, clientId: newClientId() });

    expect(res).toMatchObject({ ok: false, error: { code: "INVALID_PAYLOAD" } });
    if (!res.ok) expect(res.error.message).not.toContain(name);
    expect(server().sockets.boards.activeBoards()).toEqual([]);
  });
});
