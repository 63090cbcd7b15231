import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { startServerProcess, type ServerProcess } from "./support/crashable";
import { RawClient } from "./support/raw-client";

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("event names of any type", () => {
  it("numbers, odd strings and empty names are ignored and counted; the server process never throws", async () => {
    server = await startServerProcess(mkdtempSync(joinPath(tmpdir(), "scribble-names-")), { LOG_LEVEL: "debug" });
    const raw = await RawClient.connect(server.url);
    raw.send("42[7]", "42[7,{}]", '42[1e400,"x"]', '42[""]', '42["__proto__",{}]', "42[-0]", '42["constructor"]');
    raw.emit(["ping"], 1);
    expect(await raw.ack(1)).toMatchObject({ ok: true });
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { counters: Record<string, number> };
    expect(health.counters.unknownEvents).toBe(7);
    expect(health.counters.handlerErrors).toBe(0);
    expect(server.output()).not.toMatch(/uncaught|TypeError/i);
    expect(raw.isOpen).toBe(true);
  });
});

/** Runs a TypeScript module in a process of its own; resolves with its exit code and all it printed. */
async function run(program: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", program], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, output };
}

describe("an uncaught exception", () => {
  it("is logged with its stack and ends the process with exit code 1, after the graceful shutdown steps", async () => {
    const shutdown = fileURLToPath(new URL("../../lib/server/shutdown.ts", import.meta.url));
    const log = fileURLToPath(new URL("../../lib/server/log.ts", import.meta.url));
    const program = `
      import { createServer } from "node:http";
      import { handleShutdownSignals } from ${JSON.stringify(shutdown)};
      import { createLogger } from ${JSON.stringify(log)};
      const httpServer = createServer().listen(0, "127.0.0.1");
      handleShutdownSignals({ httpServer, log: createLogger("info"), graceMs: 1000, closeApp: async () => console.log("closed the app") });
      setImmediate(() => { throw new Error("a bug nobody caught"); });
    `;
    const { code, output } = await run(program);
    expect(code).toBe(1);
    expect(output).toMatch(/uncaught exception: shutting down.*a bug nobody caught/);
    expect(output).toMatch(/closed the app/);
  });

  it("an unhandled rejection is logged and counted, and the server goes on", async () => {
    const shutdown = fileURLToPath(new URL("../../lib/server/shutdown.ts", import.meta.url));
    const log = fileURLToPath(new URL("../../lib/server/log.ts", import.meta.url));
    const program = `
      import { createServer } from "node:http";
      import { handleShutdownSignals } from ${JSON.stringify(shutdown)};
      import { createLogger } from ${JSON.stringify(log)};
      const httpServer = createServer().listen(0, "127.0.0.1");
      let counted = 0;
      handleShutdownSignals({ httpServer, log: createLogger("info"), graceMs: 1000, closeApp: async () => {}, onRejection: () => (counted += 1) });
      for (let i = 0; i < 20; i++) void Promise.reject(new Error("nobody awaited me"));
      setImmediate(() => { console.log("still serving, counted " + counted); process.exit(0); });
    `;
    const { code, output } = await run(program);
    expect(code).toBe(0);
    expect(output).toMatch(/still serving, counted 20/);
    // Logged, but a few at most: a stream of them must not flood the log.
    expect(output.match(/unhandled rejection/g)?.length).toBe(5);
  });
});
