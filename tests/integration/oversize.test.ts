import { describe, expect, it } from "vitest";
import { LIMITS, PAGE } from "@/lib/protocol";
import { addOp, barrier, commit, join, lateJoiner, next, record, strokeInput, useServer } from "./harness";

const MAX_BUFFER = 20_000;
const server = useServer({ maxHttpBufferSize: MAX_BUFFER });

/** A stroke the schema accepts (the most points allowed, all on the page) but far over the buffer. */
const bigStroke = () =>
  strokeInput("big", {
    points: Array.from({ length: LIMITS.strokePointsMax }, (_, i) => [(i * 0.7311) % PAGE.width, (i * 0.4127) % PAGE.height, 0.123456]).flat(),
  });

describe("a payload above maxHttpBufferSize", () => {
  it.each(["websocket", "polling"] as const)("over %s: the server drops the sender; the board and the others are untouched", async (transport) => {
    const a = await server().connect({ transports: [transport] });
    const b = await server().connect();
    const ada = await join(a, "room-1", "Ada");
    await join(b, "room-1", "Bob");
    // Under the limit, the same connection works: the limit is what ends it below.
    await commit(a, addOp("small", strokeInput("small")));
    const toB = record(b, "op");
    const bobHearsAdaLeave = next(b, "presence:left");
    const aDisconnected = new Promise<string>((resolve) => a.once("disconnect", resolve));
    const payload = addOp("op-big", bigStroke());
    expect(JSON.stringify(payload).length).toBeGreaterThan(MAX_BUFFER);

    const acks: unknown[] = [];
    a.emit("op", payload, (res) => acks.push(res));

    expect(await aDisconnected).toMatch(/transport (close|error)/);
    // The server let go of the sender too: its person left the board.
    expect(await bobHearsAdaLeave).toBe(ada.self.id);
    await barrier(b);
    expect(toB).toEqual([]);
    expect(acks).toEqual([]);
    const late = await lateJoiner(server(), "room-1");
    expect(late).toMatchObject({ seq: 1, strokeCount: 1 });
    expect(late.strokes.map((s) => s.id)).toEqual(["small"]);
  });
});
