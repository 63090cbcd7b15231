import { describe, expect, it } from "vitest";
import { limitKey } from "@/lib/server/admission";

const key = (address: string, headers: Record<string, string> = {}, trustProxy = false) => limitKey(headers, address, trustProxy);

describe("limitKey: who a per-address limit counts", () => {
  it("an IPv4 address is itself, written either way", () => {
    expect(key("203.0.113.7")).toBe("203.0.113.7");
    expect(key("::ffff:203.0.113.7")).toBe("203.0.113.7");
  });

  it("IPv6 addresses of one /64 count as one, whatever their spelling", () => {
    const keys = ["2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:0db8:0001:0002:0:0:0:9", "2001:DB8:1:2::a%eth0"].map((a) => key(a));
    expect(new Set(keys)).toEqual(new Set(["2001:db8:1:2::/64"]));
    expect(key("2001:db8:1:3::1")).not.toBe(keys[0]);
    expect(key("::1")).toBe("0:0:0:0::/64");
  });

  it("behind a trusted proxy, the hop the proxy appended; otherwise the header is ignored", () => {
    const headers = { "x-forwarded-for": "198.51.100.1, 2001:db8:9:9::5" };
    expect(key("10.0.0.1", headers, true)).toBe("2001:db8:9:9::/64");
    expect(key("10.0.0.1", headers, false)).toBe("10.0.0.1");
  });
});
