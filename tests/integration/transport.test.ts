import { describe, expect, it } from "vitest";
import {
  addOp,
  circleOp,
  commit,
  drawStrokes,
  idsOf,
  join,
  joinLoaded,
  lateJoiner,
  next,
  sendOp,
  strokeInput,
  useServer,
} from "./harness";

const server = useServer();

describe("HTTP long-polling", () => {
  it("joins, loads the strokes, changes the board and hears the others as over WebSocket", async () => {
    const ws = await server().connect();
    const bob = await join(ws, "room-1", "Bob");
    await drawStrokes(ws, "early", 3);
    const polling = await server().connect({ transports: ["polling"] });
    // Guards against the client upgrading silently, which would make this a WebSocket test.
    expect(polling.io.engine.transport.name).toBe("polling");

    const { snapshot, chunks } = await joinLoaded(polling, "room-1", "Ada");
    expect(snapshot.self.name).toBe("Ada");
    expect(chunks).toEqual([{ strokes: expect.any(Array), done: true }]);
    expect(idsOf(chunks[0]!.strokes)).toEqual(["early-0", "early-1", "early-2"]);

    const toWs = next(ws, "op");
    expect(await sendOp(polling, circleOp("p-1", "#EF4444"))).toMatchObject({ ok: true, seq: 4 });
    expect(await toWs).toEqual({ seq: 4, author: snapshot.self.id, name: expect.any(String), at: expect.any(Number), op: { type: "circle:set", opId: "p-1", color: "#ef4444" } });

    const toPolling = next(polling, "op");
    await commit(ws, addOp("w-1", strokeInput("from-ws")));
    expect(await toPolling).toEqual({
      seq: 5,
      author: bob.self.id,
      name: expect.any(String),
      at: expect.any(Number),
      op: { type: "stroke:add", opId: "w-1", stroke: { ...strokeInput("from-ws"), author: bob.self.id, seq: 5 } },
    });

    const late = await lateJoiner(server(), "room-1");
    expect(late.circle).toEqual({ color: "#ef4444", version: 4 });
    expect(idsOf(late.strokes)).toEqual(["early-0", "early-1", "early-2", "from-ws"]);
    expect(polling.io.engine.transport.name).toBe("polling");
  });
});
