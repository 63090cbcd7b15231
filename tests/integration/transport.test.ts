import { describe, expect, it } from "vitest";
import { join, lateJoiner, next, useServer } from "./harness";

const server = useServer();

describe("HTTP long-polling", () => {
  it("joins, changes the colour and hears the others as over WebSocket", async () => {
    const polling = await server().connect({ transports: ["polling"] });
    const ws = await server().connect();
    // Guards against the client upgrading silently, which would make this a WebSocket test.
    expect(polling.io.engine.transport.name).toBe("polling");

    const snapshot = await join(polling, "room-1", "Ada");
    expect(snapshot.self.name).toBe("Ada");
    const joined = next(polling, "presence:joined");
    await join(ws, "room-1", "Bob");
    expect((await joined).name).toBe("Bob");

    const toWs = next(ws, "circle:changed");
    expect(await polling.emitWithAck("circle:set", { opId: "p-1", color: "#EF4444" })).toEqual({ ok: true, seq: 1 });
    expect(await toWs).toEqual({ circle: { color: "#ef4444", version: 1 }, seq: 1 });

    const toPolling = next(polling, "circle:changed");
    await ws.emitWithAck("circle:set", { opId: "w-1", color: "#3b82f6" });
    expect(await toPolling).toEqual({ circle: { color: "#3b82f6", version: 2 }, seq: 2 });

    expect((await lateJoiner(server(), "room-1")).circle).toEqual({ color: "#3b82f6", version: 2 });
    expect(polling.io.engine.transport.name).toBe("polling");
  });
});
