import { describe, expect, it } from "vitest";
import { createReplicaStore } from "@/lib/client/board-replica";
import { PROTOCOL_VERSION } from "@/lib/protocol";
import type { ClientSocket } from "@/lib/client/socket";
import { StrokeFetcher } from "@/lib/client/stroke-fetcher";
import { selectView } from "@/lib/client/board-view";
import { addOp, commit, eraseOp, joinLoaded, newClientId, restoreOp, seedBoard, strokeInput, useServer } from "./harness";

const server = useServer();

/**
 * A tab's board as the app keeps it, on a real connection: the replica fed by the join, its
 * chunks and the ops, as BoardSession feeds it, and the stroke fetcher. `hold` keeps the fetcher
 * from asking (as if its request were still on its way) until `release`.
 */
async function tab(socket: ClientSocket, boardId: string, name: string) {
  const replica = createReplicaStore();
  let held = false;
  const asked: string[][] = [];
  socket.onAnyOutgoing((event: string, req: { strokeIds: string[] }) => {
    if (event === "strokes:get") asked.push(req.strokeIds);
  });
  socket.on("op", (op) => replica.getState().remote(op));
  socket.on("board:strokes", (chunk) => replica.getState().chunk(chunk));
  await new Promise<void>((resolve, reject) =>
    socket.emit("board:join", { protocol: PROTOCOL_VERSION, boardId, name, clientId: newClientId() }, (res) => {
      if (!res.ok) return reject(new Error(res.error.message));
      // In the ack callback, as BoardSession does: the first chunk may follow in the same frame.
      replica.getState().begin(boardId, res);
      resolve();
    }),
  );
  await expect.poll(() => replica.getState().loading).toBeNull();
  const fetcher = new StrokeFetcher(socket, replica, () => !held && socket.connected);
  fetcher.start();
  return {
    asked,
    replica,
    shown: () => selectView(replica.getState()).strokes.map((s) => s.id),
    seq: () => replica.getState().board.seq,
    hold: () => (held = true),
    release: () => {
      held = false;
      fetcher.fetch();
    },
    stop: () => fetcher.stop(),
  };
}

/** Ada drew x and y and erased x; Cy's tab joined after, so it never had x. */
async function lateTabWithErasedX() {
  const [a, b, c] = await Promise.all([server().connect(), server().connect(), server().connect()]);
  await joinLoaded(a, "room-1", "Ada");
  await joinLoaded(b, "room-1", "Bob");
  await commit(a, addOp("add-x", strokeInput("x")));
  await commit(a, addOp("add-y", strokeInput("y")));
  await commit(a, eraseOp("erase-x", "x"));
  return { a, b, cy: await tab(c, "room-1", "Cy") };
}

describe("a tab that lacks a restored stroke", () => {
  it("fetches it and shows it in its place, once", async () => {
    const { a, b, cy } = await lateTabWithErasedX();
    expect(cy.shown()).toEqual(["y"]);

    await commit(b, restoreOp("restore-x", "x"));

    await expect.poll(() => cy.shown()).toEqual(["x", "y"]);
    expect(cy.asked).toEqual([["x"]]);
    // Erased and restored again: it has the stroke now, nothing more to ask.
    await commit(a, eraseOp("erase-x-2", "x"));
    await commit(b, restoreOp("restore-x-2", "x"));
    await expect.poll(() => cy.seq()).toBe(6);
    expect(cy.shown()).toEqual(["x", "y"]);
    expect(cy.asked).toEqual([["x"]]);
    cy.stop();
  });

  it("keeps it hidden when an erase overtakes the fetched stroke, and shows it at the next restore without asking again", async () => {
    const { a, b, cy } = await lateTabWithErasedX();
    cy.hold();

    await commit(b, restoreOp("restore-x", "x"));
    const erased = await commit(a, eraseOp("erase-x-2", "x"));
    await expect.poll(() => cy.seq()).toBe(erased.seq);
    expect(cy.asked).toEqual([]);
    // The answer comes after the erase: the stroke arrives, and stays hidden.
    cy.release();
    await expect.poll(() => cy.replica.getState().board.stroke("x")?.id).toBe("x");
    expect(cy.shown()).toEqual(["y"]);

    await commit(b, restoreOp("restore-x-2", "x"));
    await expect.poll(() => cy.shown()).toEqual(["x", "y"]);
    expect(cy.asked).toEqual([["x"]]);
    cy.stop();
  });

  it("fetches many big strokes in as many answers as they need, and shows them all", async () => {
    const points = Array.from({ length: 2_000 * 3 }, (_, i) => (i % 3 === 2 ? 0.5 : 100 + (i % 700) + 0.123456));
    const ids = Array.from({ length: 40 }, (_, i) => `big-${i}`);
    await seedBoard(server().store, "room-1", [...ids.map((id) => addOp(`add-${id}`, strokeInput(id, { points }))), eraseOp("erase-all", ...ids)]);
    const [b, c] = await Promise.all([server().connect(), server().connect()]);
    await joinLoaded(b, "room-1", "Bob");
    const cy = await tab(c, "room-1", "Cy");
    expect(cy.shown()).toEqual([]);

    await commit(b, restoreOp("restore-all", ...ids));

    await expect.poll(() => cy.shown()).toEqual(ids);
    // An answer holds at most 30,000 points (15 of these strokes): each request asked for the rest.
    expect(cy.asked.map((asked) => asked.length)).toEqual([40, 25, 10]);
    cy.stop();
  });
});
