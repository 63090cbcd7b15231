import { describe, expect, it } from "vitest";
import type { ClientSocket } from "@/lib/client/socket";
import { PROTOCOL_VERSION, type Ack, type JoinSnapshot } from "@/lib/protocol";
import { barrier, join, newClientId, startServer } from "./harness";

describe("a join storm on one board", () => {
  it("1,000 people at once: the first MAX_PEOPLE_PER_BOARD get in, the rest are told the board is full, and the server keeps answering", async () => {
    const maxPeople = 150;
    const server = await startServer({ maxConnectionsPerIp: 2_000, maxPeoplePerBoard: maxPeople });
    try {
      const sockets: ClientSocket[] = [];
      for (let i = 0; i < 1_000; i += 100) {
        sockets.push(...(await Promise.all(Array.from({ length: 100 }, () => server.connect()))));
      }
      const answers = await Promise.all(
        sockets.map(
          (s, i) => s.timeout(60_000).emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "storm", name: `P${i}`, clientId: newClientId() }) as Promise<Ack<JoinSnapshot>>,
        ),
      );
      const admitted = answers.filter((a) => a.ok);
      const refused = answers.flatMap((a) => (a.ok ? [] : [a.error]));
      expect(admitted).toHaveLength(maxPeople);
      expect(refused).toHaveLength(1_000 - maxPeople);
      for (const error of refused) expect(error.code).toBe("TOO_MANY_PEOPLE");
      // Everyone admitted wears a colour, and the server still answers everyone, on this board and off it.
      for (const a of admitted) if (a.ok) expect(a.self.color).toMatch(/^#[0-9a-f]{6}$/);
      await barrier(sockets[999]!);
      const other = await server.connect();
      expect((await join(other, "elsewhere", "Quiet")).users).toHaveLength(1);
      expect(server.sockets.boards.activeBoards().find((b) => b.boardId === "storm")?.count).toBe(maxPeople);
    } finally {
      await server.close();
    }
  }, 60_000);

  it("a person's tabs on one board are limited too", async () => {
    const server = await startServer({ maxTabsPerPerson: 3 });
    try {
      const clientId = newClientId();
      const tabs = await Promise.all(Array.from({ length: 4 }, () => server.connect()));
      const answers = [];
      for (const tab of tabs) answers.push(await tab.emitWithAck("board:join", { protocol: PROTOCOL_VERSION, boardId: "b", name: "Ada", clientId }));
      expect(answers.map((a) => (a.ok ? "in" : a.error.code))).toEqual(["in", "in", "in", "TOO_MANY_PEOPLE"]);
    } finally {
      await server.close();
    }
  });
});

describe("boards only looked at", () => {
  it("leave memory as soon as nobody is on them: opening board after board fills nothing", async () => {
    const server = await startServer();
    try {
      const a = await server.connect();
      for (let i = 0; i < 9; i++) await join(a, `glance-${i}`, "Ada");
      expect(server.sockets.boards.loadedCount).toBe(1);
      a.emit("board:leave");
      await barrier(a);
      expect(server.sockets.boards.loadedCount).toBe(0);
    } finally {
      await server.close();
    }
  });
});
