/**
 * The limits the real server puts on one connection and one address. A bench client sends as fast
 * as its case asks and every bot comes from 127.0.0.1, so they are raised out of the way (the
 * environment can still set them).
 */
export const UNLIMITED_ENV: Record<string, string> = {
  OPS_PER_SECOND: process.env.OPS_PER_SECOND ?? "100000",
  INBOUND_BYTES_PER_SECOND: process.env.INBOUND_BYTES_PER_SECOND ?? "1000000000",
  WRITE_BYTES_PER_SECOND: process.env.WRITE_BYTES_PER_SECOND ?? "1000000000",
  WRITE_BYTES_BURST: process.env.WRITE_BYTES_BURST ?? "1000000000",
  JOINS_PER_MINUTE: process.env.JOINS_PER_MINUTE ?? "100000",
  MAX_CONNECTIONS_PER_IP: process.env.MAX_CONNECTIONS_PER_IP ?? "1000000",
};
