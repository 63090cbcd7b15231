import { once } from "node:events";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import { PROTOCOL_VERSION } from "@/lib/protocol";
import { barrier, join, next, record, startServer, useServer } from "./harness";
import { RawClient } from "./support/raw-client";

const MAX = 4;
const server = useServer({ maxConnectionsPerIp: MAX });
const address = "127.0.0.1";

/** Whether one more ordinary client gets in now. */
const canConnect = () =>
  server()
    .connect()
    .then((s) => (s.disconnect(), true), () => false);

describe("connections per address are counted by transport", () => {
  it("a socket half made and dropped at once (CONNECT and an event in one burst, then gone) is released", async () => {
    for (let i = 0; i < MAX * 5; i++) {
      const raw = await RawClient.open(server().url);
      raw.send("40", '42["ping"]', `42["board:join",{"protocol":${PROTOCOL_VERSION},"boardId":"b","name":"X","clientId":"client-xxxx"}]`);
      raw.terminate();
      await raw.closed;
    }
    // What a person sees first: the address is not locked out. Then the count itself.
    expect(await canConnect()).toBe(true);
    await expect.poll(() => server().sockets.transports.openFrom(address)).toBe(0);
  });

  it("a transport that leaves the namespace is closed by the server, and never outnumbers the limit", async () => {
    const raws = await Promise.all(Array.from({ length: MAX }, () => RawClient.connect(server().url)));
    for (const raw of raws) raw.send("41");
    await Promise.all(raws.map((r) => r.closed));
    await expect.poll(() => server().sockets.transports.openFrom(address)).toBe(0);
    expect(server().sockets.io.engine.clientsCount).toBe(0);
    expect(await canConnect()).toBe(true);
  });

  it("a transport that never joins the namespace still counts: the next handshake from its address is refused", async () => {
    const raws = await Promise.all(Array.from({ length: MAX }, () => RawClient.open(server().url)));
    await expect(RawClient.open(server().url)).rejects.toThrow();
    expect(server().sockets.transports.openFrom(address)).toBe(MAX);
    for (const raw of raws) raw.terminate();
    await expect.poll(() => server().sockets.transports.openFrom(address)).toBe(0);
  });
});

describe("nobody hears a board without being on its people list", () => {
  it("a tab whose transport drops comes back outside the board's rooms until it joins again", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "board", "Ada");
    const bob = await join(b, "board", "Bob");
    const toA = record(a, "chat:message");
    const adaLeft = next(b, "presence:left");
    const back = new Promise<void>((resolve) => a.once("connect", resolve));
    a.io.reconnection(true);
    a.io.engine.close();
    await adaLeft;
    await back;

    await b.emitWithAck("chat:send", { opId: "m-1", text: "for the people on the board" });
    await barrier(a);
    expect(toA).toEqual([]);
    expect(bob.users.map((u) => u.name)).toContain("Bob");
  });

  it("board:leave takes the socket out of every board room it is in, however it got there", async () => {
    const [a, b] = await Promise.all([server().connect(), server().connect()]);
    await join(a, "board", "Ada");
    await join(b, "board", "Bob");
    await join(b, "other", "Bob");
    // In another board's rooms without a join, as a recovered session once was.
    const onServer = server().sockets.io.sockets.sockets.get(a.id!)!;
    onServer.join(["board:other", "user:other:someone"]);
    const toA = record(a, "chat:message");
    a.emit("board:leave");
    await barrier(a);

    expect([...onServer.rooms]).toEqual([a.id]);
    await b.emitWithAck("chat:send", { opId: "m-1", text: "only for the people on other" });
    await barrier(a);
    expect(toA).toEqual([]);
  });
});

describe("silent TCP connections", () => {
  it("are closed when they make no request in time, so that they cannot hold an address's slots", async () => {
    const quick = await startServer({ maxConnectionsPerIp: 2, connectTimeoutMs: 300 });
    try {
      const port = Number(new URL(quick.url).port);
      const silent = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const socket = connect(port, "127.0.0.1");
          socket.on("error", () => undefined);
          await once(socket, "connect");
          return socket;
        }),
      );
      await expect.poll(() => quick.sockets.transports.socketsFrom(address)).toBe(4);
      await Promise.all(silent.map((s) => once(s, "close")));
      await expect.poll(() => quick.sockets.transports.socketsFrom(address)).toBe(0);
      const tab = await quick.connect();
      expect(tab.connected).toBe(true);
    } finally {
      await quick.close();
    }
  });
});
