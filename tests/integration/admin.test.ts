import { io, type Socket } from "socket.io-client";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_NAMESPACE, OPERATOR, type AdminClientToServerEvents, type AdminServerToClientEvents, type AdminStats } from "@/lib/protocol";
import { newKey } from "@/lib/server/keys";
import { addOp, commit, lateJoiner, newClientId, next, openTab, refused, startServer, strokeInput, type TestServer } from "./harness";

type AdminSocket = Socket<AdminServerToClientEvents, AdminClientToServerEvents>;

const TOKEN = "admin-token-0123456789";
let server: TestServer | undefined;
const admins: AdminSocket[] = [];
afterEach(async () => {
  for (const a of admins.splice(0)) a.disconnect();
  await server?.close();
  server = undefined;
});

async function start(adminToken = TOKEN): Promise<TestServer> {
  server = await startServer({ adminToken });
  return server;
}

/** Connects to /admin showing `token`; resolves with the socket, or the refusal's message. */
function admin(srv: TestServer, token?: string): Promise<{ socket: AdminSocket } | { refused: string }> {
  const socket: AdminSocket = io(`${srv.url}${ADMIN_NAMESPACE}`, { forceNew: true, reconnection: false, transports: ["websocket"], auth: token === undefined ? {} : { token } });
  admins.push(socket);
  return new Promise((resolve) => {
    socket.once("connect", () => resolve({ socket }));
    socket.once("connect_error", (err) => resolve({ refused: err.message }));
  });
}

async function signedIn(srv: TestServer): Promise<AdminSocket> {
  const res = await admin(srv, TOKEN);
  if ("refused" in res) throw new Error(res.refused);
  return res.socket;
}

const stats = (socket: AdminSocket) => new Promise<AdminStats>((resolve) => socket.once("admin:stats", resolve));

describe("/admin", () => {
  it("refuses every connection while ADMIN_TOKEN is not set, saying how to turn it on", async () => {
    const srv = await start("");
    expect(await admin(srv, "anything-at-all-0000")).toEqual({ refused: expect.stringContaining("ADMIN_TOKEN") });
    expect(await admin(srv)).toEqual({ refused: expect.stringContaining("ADMIN_TOKEN") });
  });

  it("refuses a missing or wrong token, logs it without the token, and holds an address to a few tries", async () => {
    const srv = await start();
    expect(await admin(srv)).toEqual({ refused: "Wrong admin token." });
    for (let i = 0; i < 4; i++) expect(await admin(srv, `wrong-token-guess-${i}`)).toEqual({ refused: "Wrong admin token." });
    // The sixth try is refused before its token is even looked at: the right one too.
    expect(await admin(srv, TOKEN)).toEqual({ refused: expect.stringMatching(/^Too many wrong admin tokens/) });
    expect(srv.sockets.metrics.counters.adminRefusals).toBe(6);
    const logged = JSON.stringify(srv.logs.filter((l) => l.msg.startsWith("admin")));
    expect(logged).toContain("wrong token refused");
    expect(logged).not.toContain("wrong-token-guess");
  });

  it("reports the live boards with their people, roles and rates, connections and memory, once a second", async () => {
    const srv = await start();
    const owner = await openTab(srv, "class", "Olga", newClientId(), newKey());
    await openTab(srv, "class", "Ed");
    await commit(owner.socket, addOp("a1", strokeInput("s-1")));
    const socket = await signedIn(srv);
    const report = await stats(socket);
    expect(report.connections).toBeGreaterThanOrEqual(3);
    expect(report.memory.rssMb).toBeGreaterThan(0);
    expect(report.boards).toEqual([
      {
        boardId: "class",
        owned: true,
        settings: expect.objectContaining({ locked: false }),
        people: expect.arrayContaining([
          { id: owner.id, name: "Olga", role: "owner", state: "active", tabs: 1 },
          expect.objectContaining({ name: "Ed", role: "editor" }),
        ]),
        opsPerSecond: expect.any(Number),
        messagesPerSecond: expect.any(Number),
      },
    ]);
    expect(report.counters).toHaveProperty("rateLimited");
  });

  it("locks a board (owned or not), removes a person, and deletes a board, telling everyone on it", async () => {
    const srv = await start();
    const owner = await openTab(srv, "class", "Olga", newClientId(), newKey());
    const ed = await openTab(srv, "class", "Ed");
    const open = await openTab(srv, "open-board", "Al");
    const socket = await signedIn(srv);

    let told = next(ed.socket, "board:access");
    expect(await socket.emitWithAck("admin:lock", { boardId: "class", locked: true })).toEqual({ ok: true });
    expect(await told).toMatchObject({ type: "settings", by: OPERATOR, settings: { locked: true } });
    expect(await ed.socket.emitWithAck("op", addOp("x", strokeInput("x")))).toMatchObject(refused("FORBIDDEN"));
    expect(await owner.socket.emitWithAck("op", addOp("y", strokeInput("y")))).toMatchObject({ ok: true });

    // A board nobody owns can be locked too, and stays locked.
    await commit(open.socket, addOp("o", strokeInput("o")));
    expect(await socket.emitWithAck("admin:lock", { boardId: "open-board", locked: true })).toEqual({ ok: true });
    expect(await open.socket.emitWithAck("op", addOp("z", strokeInput("z")))).toMatchObject(refused("FORBIDDEN"));

    const dismissed = next(ed.socket, "board:dismissed");
    told = next(owner.socket, "board:access");
    expect(await socket.emitWithAck("admin:remove", { boardId: "class", userId: ed.id })).toEqual({ ok: true });
    expect(await dismissed).toEqual({ reason: "removed", by: OPERATOR });
    expect(await told).toMatchObject({ type: "removed", by: OPERATOR, name: "Ed" });

    const gone = next(owner.socket, "board:dismissed");
    expect(await socket.emitWithAck("admin:delete", { boardId: "class" })).toEqual({ ok: true });
    expect(await gone).toEqual({ reason: "deleted", by: OPERATOR });
    expect(await srv.store.load("class")).toBeNull();
    expect((await lateJoiner(srv, "class")).seq).toBe(0);

    expect(await socket.emitWithAck("admin:lock", { boardId: "never-made", locked: true })).toMatchObject(refused("UNKNOWN_LINK"));
    expect(await socket.emitWithAck("admin:lock", { boardId: "not a board", locked: true } as never)).toMatchObject(refused("INVALID_PAYLOAD"));
  });
});
