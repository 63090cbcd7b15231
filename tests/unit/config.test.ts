import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { loadConfig } from "@/lib/server/config";

describe("loadConfig", () => {
  it("has a default for every setting", () => {
    expect(loadConfig({}, [])).toEqual({
      port: 3000,
      host: "localhost",
      dev: false,
      logLevel: "info",
      pingIntervalMs: 10_000,
      pingTimeoutMs: 5_000,
      maxHttpBufferSize: 1_000_000,
      outboundMaxBytes: 4_000_000,
      outboundTotalMaxBytes: 256_000_000,
      outboundStallMs: 30_000,
      lobbyThrottleMs: 250,
      shutdownGraceMs: 4_000,
      connectTimeoutMs: 10_000,
      cursorTickMs: 33,
      cursorMode: "coalesce",
      chatBurst: 5,
      chatPerSecond: 1,
      storage: "sqlite",
      redisUrl: undefined,
      redisPrefix: "scribble",
      nodeId: hostname(),
      nodeTimeoutMs: 9_000,
      dataDir: "./data",
      sqliteSynchronous: "normal",
      snapshotEvery: 500,
      historyBytes: 256_000_000,
      boardIdleMs: 300_000,
      inboundBytesPerSecond: 1_000_000,
      maxPeoplePerBoard: 200,
      maxTabsPerPerson: 10,
      opsPerSecond: 60,
      writeBytesPerSecond: 1_000_000,
      writeBytesBurst: 4_000_000,
      boardMaxBytes: 120_000_000,
      joinsPerMinute: 30,
      maxConnectionsPerIp: 200,
      allowedOrigins: [],
      trustProxy: false,
      allowedHosts: [],
      healthToken: "",
      adminToken: "",
    });
  });

  it("treats empty values as unset", () => {
    const config = loadConfig({ PORT: "", HOST: "", LOG_LEVEL: "" }, []);
    expect(config.port).toBe(3000);
    expect(config.host).toBe("localhost");
    expect(config.logLevel).toBe("info");
  });

  it("reads PORT and HOST", () => {
    expect(loadConfig({ PORT: "8080", HOST: "0.0.0.0" }, [])).toMatchObject({ port: 8080, host: "0.0.0.0" });
    expect(loadConfig({ PORT: "0" }, []).port).toBe(0);
    expect(loadConfig({ PORT: "65535" }, []).port).toBe(65535);
  });

  it.each(["abc", "70000", "65536", "-1", "80.5", "0x1F90", " 3000 ", "1e3"])("refuses PORT=%j, naming the setting and the range", (port) => {
    expect(() => loadConfig({ PORT: port }, [])).toThrow(`PORT must be an integer from 0 to 65535, not "${port}"`);
  });

  it("checks the other numeric settings against their ranges", () => {
    expect(loadConfig({ LOBBY_THROTTLE_MS: "0" }, []).lobbyThrottleMs).toBe(0);
    expect(() => loadConfig({ PING_INTERVAL_MS: "50" }, [])).toThrow(/PING_INTERVAL_MS must be an integer from 100/);
  });

  it.each(["silent", "error", "warn", "info", "debug"] as const)("accepts LOG_LEVEL=%s", (level) => {
    expect(loadConfig({ LOG_LEVEL: level }, []).logLevel).toBe(level);
  });

  it.each(["verbose", "INFO", "trace"])("refuses LOG_LEVEL=%j, listing the allowed levels", (level) => {
    expect(() => loadConfig({ LOG_LEVEL: level }, [])).toThrow(
      `LOG_LEVEL must be one of silent, error, warn, info, debug, not "${level}"`,
    );
  });

  it.each(["normal", "full"] as const)("accepts SQLITE_SYNCHRONOUS=%s", (mode) => {
    expect(loadConfig({ SQLITE_SYNCHRONOUS: mode }, []).sqliteSynchronous).toBe(mode);
  });

  it.each(["FULL", "off", "extra", "2"])("refuses SQLITE_SYNCHRONOUS=%j, listing the allowed modes", (mode) => {
    expect(() => loadConfig({ SQLITE_SYNCHRONOUS: mode }, [])).toThrow(`SQLITE_SYNCHRONOUS must be one of normal, full, not "${mode}"`);
  });

  it("refuses a STORAGE or CURSOR_MODE it does not know, listing the allowed values", () => {
    expect(loadConfig({ STORAGE: "memory", CURSOR_MODE: "relay" }, [])).toMatchObject({ storage: "memory", cursorMode: "relay" });
    expect(() => loadConfig({ STORAGE: "postgres" }, [])).toThrow('STORAGE must be one of sqlite, memory, redis, not "postgres"');
    expect(() => loadConfig({ CURSOR_MODE: "batch" }, [])).toThrow('CURSOR_MODE must be one of coalesce, relay, not "batch"');
  });

  it("switches cluster mode on with REDIS_URL: the Redis store, and this node's name", () => {
    expect(loadConfig({ REDIS_URL: "redis://10.0.0.5:6379", NODE_ID: "n2" }, [])).toMatchObject({ storage: "redis", redisUrl: "redis://10.0.0.5:6379", nodeId: "n2", historyBytes: 32_000_000 });
    expect(loadConfig({ REDIS_URL: "redis://10.0.0.5:6379", HISTORY_BYTES: "64000000" }, []).historyBytes).toBe(64_000_000);
    expect(loadConfig({ REDIS_URL: "unix:///run/redis/redis.sock", REDIS_PREFIX: "class-7" }, [])).toMatchObject({ storage: "redis", redisPrefix: "class-7" });
    expect(() => loadConfig({ STORAGE: "redis" }, [])).toThrow("STORAGE=redis goes with REDIS_URL (cluster mode), and only with it");
    expect(() => loadConfig({ REDIS_URL: "redis://localhost", STORAGE: "sqlite" }, [])).toThrow("STORAGE=redis goes with REDIS_URL");
    expect(() => loadConfig({ REDIS_URL: "localhost:6379" }, [])).toThrow("REDIS_URL must be redis://host:port");
    expect(() => loadConfig({ REDIS_URL: "redis://localhost", NODE_ID: "node one" }, [])).toThrow("NODE_ID may hold only");
  });

  it("reads ALLOWED_HOSTS as host names and *.domain wildcards, and refuses anything else", () => {
    expect(loadConfig({ ALLOWED_HOSTS: " Scribble.School.Example, *.boards.example., " }, []).allowedHosts).toEqual([
      "scribble.school.example",
      "*.boards.example",
    ]);
    expect(() => loadConfig({ ALLOWED_HOSTS: "https://school.example" }, [])).toThrow(
      'ALLOWED_HOSTS must list host names or *.domain (no scheme, port or path), not "https://school.example"',
    );
    expect(() => loadConfig({ ALLOWED_HOSTS: "school.example:443" }, [])).toThrow(/ALLOWED_HOSTS/);
  });

  it.each([
    ["HEALTH_TOKEN", "healthToken"],
    ["ADMIN_TOKEN", "adminToken"],
  ] as const)("takes a %s of 16 characters or more, without quoting a short one", (key, field) => {
    expect(loadConfig({ [key]: "0123456789abcdef" }, [])[field]).toBe("0123456789abcdef");
    expect(() => loadConfig({ [key]: "short-secret" }, [])).toThrow(`${key} must be at least 16 characters long`);
  });

  it("turns on development mode with --dev only", () => {
    expect(loadConfig({}, ["node", "server.ts", "--dev"]).dev).toBe(true);
    expect(loadConfig({}, ["node", "server.ts"]).dev).toBe(false);
    expect(loadConfig({}, ["node", "server.ts", "--development"]).dev).toBe(false);
  });
});
