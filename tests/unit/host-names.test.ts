import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { HostNames, hostOf, hostPattern, reachableNames } from "@/lib/server/host-names";

describe("hostOf", () => {
  it.each([
    ["example.org", "example.org"],
    ["example.org:3000", "example.org"],
    ["Example.ORG:3000", "example.org"],
    ["example.org.", "example.org"],
    ["example.org.:80", "example.org"],
    ["127.0.0.1:3000", "127.0.0.1"],
    ["[::1]", "::1"],
    ["[::1]:3000", "::1"],
    ["[FD00::2]:3000", "fd00::2"],
  ])("reads %j as %j", (header, host) => {
    expect(hostOf(header)).toBe(host);
  });

  it.each(["", ":3000", "::1", "[::1", "[not-an-ip]", "[::1]x", "a:b:c", "example.org:port", "example.org:123456", "user@example.org", "example.org/path", "[::1]:80:80"])(
    "finds %j malformed",
    (header) => {
      expect(hostOf(header)).toBeUndefined();
    },
  );
});

describe("HostNames", () => {
  const names = new HostNames(["scribble.school.example", "*.boards.example"]);

  it.each(["127.0.0.1", "192.0.2.2:3000", "10.0.0.7.", "[::1]:3000", "[fd00::2]", "localhost", "LOCALHOST:3000", "localhost.", "scribble.localhost:3000"])(
    "always allows %j (an IP literal or a loopback name: no rebinding)",
    (header) => {
      expect(names.allows(header)).toBe(true);
    },
  );

  it.each(["scribble.school.example", "Scribble.School.Example:443", "scribble.school.example.", "room.boards.example", "a.b.boards.example:8080"])(
    "allows the configured %j, whatever the port, case or trailing dot",
    (header) => {
      expect(names.allows(header)).toBe(true);
    },
  );

  it.each([
    "attacker.example",
    "attacker.example:3000",
    "boards.example", // a wildcard covers the names under a domain, not the domain
    "evilboards.example",
    "scribble.school.example.attacker.example",
    "localhost.attacker.example",
    "127.0.0.1.attacker.example",
    "school.example",
    "[::1].attacker.example",
    "[scribble.school.example]",
  ])("refuses %j", (header) => {
    expect(names.allows(header)).toBe(false);
  });

  it("lets a request without a Host header through (not a browser)", () => {
    expect(names.allows(undefined)).toBe(true);
  });
});

describe("reachableNames", () => {
  const base = { host: "localhost", allowedOrigins: [], allowedHosts: [] };

  it("allows this machine's name, bare and under .local", () => {
    const names = reachableNames(base);
    expect(names.allows(`${hostname()}:3000`)).toBe(true);
    expect(names.allows(`${hostname().toUpperCase()}.local`)).toBe(true);
    expect(names.allows("attacker.example")).toBe(false);
  });

  it("allows the configured HOST, the hosts of ALLOWED_ORIGINS and ALLOWED_HOSTS", () => {
    const names = reachableNames({
      host: "Scribble.LAN",
      allowedOrigins: ["https://school.example", "http://[::1]:8080", "not a url"],
      allowedHosts: ["boards.example", "*.proxy.example"],
    });
    for (const header of ["scribble.lan:3000", "school.example", "boards.example", "x.proxy.example"]) {
      expect(names.allows(header)).toBe(true);
    }
    expect(names.allows("sub.school.example")).toBe(false);
  });

  it("takes nothing from a HOST that is an address", () => {
    expect(reachableNames({ ...base, host: "0.0.0.0" }).allows("attacker.example")).toBe(false);
    expect(reachableNames({ ...base, host: "::" }).allows("attacker.example")).toBe(false);
  });
});

describe("hostPattern", () => {
  it.each([
    ["School.Example", "school.example"],
    [" boards.example. ", "boards.example"],
    ["*.Boards.Example", "*.boards.example"],
    ["single_label-1", "single_label-1"],
  ])("reads %j as %j", (entry, pattern) => {
    expect(hostPattern(entry)).toBe(pattern);
  });

  it.each(["https://school.example", "school.example:443", "school.example/path", "*", "*.", "a.*.example", "**.example", "school..example", "[::1]", "bücher.example", ""])(
    "refuses %j",
    (entry) => {
      expect(hostPattern(entry)).toBeUndefined();
    },
  );
});
