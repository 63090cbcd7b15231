import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION, type JoinSnapshot, type ProtocolError } from "@/lib/protocol";
import { barrier, join, newClientId, next, record, useServer } from "./harness";
import type { ClientSocket } from "@/lib/client/socket";

const server = useServer();

/** Joins as the board's owner: the first tab with an owner key makes the board its own. */
async function joinAsOwner(socket: ClientSocket, boardId: string, name: string): Promise<JoinSnapshot> {
  const res = await socket.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId, name, clientId: newClientId(), ownerKey: `owner-key-of-${boardId}` });
  if (!res.ok || res.self.role !== "owner") throw new Error("not the owner");
  return res;
}

describe("laser", () => {
  it("goes to everyone else on the board, under the pointer's user id, and to nobody on another board", async () => {
    const [ada, bob, elsewhere] = await Promise.all([server().connect(), server().connect(), server().connect()]);
    const me = await joinAsOwner(ada, "class", "Ada");
    await join(bob, "class", "Bob");
    await join(elsewhere, "other", "Cy");
    const own = record(ada, "laser");
    const away = record(elsewhere, "laser");

    const seen = next(bob, "laser");
    ada.emit("laser", { points: [10, 20, 30, 40] });
    expect(await seen).toEqual({ userId: me.self.id, points: [10, 20, 30, 40] });
    await barrier(ada);
    await barrier(elsewhere);
    expect(own).toEqual([]);
    expect(away).toEqual([]);
  });

  it("is the owners' on an owned board until they give it to everyone; a viewer never has it", async () => {
    const [ada, bob] = await Promise.all([server().connect(), server().connect()]);
    await joinAsOwner(ada, "class", "Ada");
    await join(bob, "class", "Bob");
    const heard = record(ada, "laser");

    const refused = next(bob, "error");
    bob.emit("laser", { points: [10, 20] });
    expect(await refused).toMatchObject<Partial<ProtocolError>>({ code: "FORBIDDEN", message: expect.stringMatching(/laser/) });
    await barrier(bob);
    await barrier(ada);
    expect(heard).toEqual([]);

    await ada.emitWithAck("board:manage", { type: "settings", settings: { laser: "everyone" } });
    const seen = next(ada, "laser");
    bob.emit("laser", { points: [11, 21] });
    expect(await seen).toMatchObject({ points: [11, 21] });

    await ada.emitWithAck("board:manage", { type: "settings", settings: { locked: true } });
    const again = next(bob, "error");
    bob.emit("laser", { points: [12, 22] });
    expect(await again).toMatchObject({ code: "FORBIDDEN" });
  });

  it("refuses points off the page, odd lists and more points than a frame holds, echoing none of them", async () => {
    const ada = await server().connect();
    await joinAsOwner(ada, "class", "Ada");
    for (const points of [[1700, 10], [10, 20, 30], Array.from({ length: 130 }, () => 5), []]) {
      const refused = next(ada, "error");
      ada.emit("laser", { points });
      const error = await refused;
      expect(error.code).toBe("INVALID_PAYLOAD");
      expect(error.message).not.toContain("1700");
    }
  });
});
