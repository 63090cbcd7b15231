/**
 * Where a profiled server spent its CPU: `npx tsx bench/profile-summary.ts <file.cpuprofile> [top]`.
 * Self time per function and per origin (a package in node_modules, a repo folder, Node itself),
 * from the V8 profile `npm run bench -- --profile` writes.
 */
import { readFileSync } from "node:fs";
import { markdownTable } from "./lib/table";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: npx tsx bench/profile-summary.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const byFunction = new Map<string, number>();
const byOrigin = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const where = frame.url ? `${shortUrl(frame.url)}:${frame.lineNumber + 1}` : "";
  add(byFunction, `${frame.functionName || "(anonymous)"} ${where}`.trim(), us);
  add(byOrigin, origin(frame.url, frame.functionName), us);
}

const rows = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => [name, (us / 1000).toFixed(0), `${((us / totalUs) * 100).toFixed(1)}%`]);
const columns = (what: string) => [{ header: what, align: "left" as const }, { header: "self ms" }, { header: "share" }];

console.log(`${file}: ${(totalUs / 1e6).toFixed(1)} s sampled\n`);
console.log(markdownTable({ title: "by origin", columns: columns("origin"), rows: rows(byOrigin, 15) }));
console.log();
console.log(markdownTable({ title: "by function", columns: columns("function"), rows: rows(byFunction, top) }));

function add(m: Map<string, number>, key: string, us: number): void {
  m.set(key, (m.get(key) ?? 0) + us);
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf("node_modules/");
  if (nm >= 0) return url.slice(nm + "node_modules/".length);
  return url.replace(/^file:\/\/.*?\/(lib|bench)\//, "$1/");
}

/** "socket.io", "lib/server", "node:internal", "(garbage collector)"... */
function origin(url: string, fn: string): string {
  if (!url) return fn.startsWith("(") ? fn : "(native)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  if (url.startsWith("node:")) return "node:internal";
  const repo = /\/(lib\/[^/]+|bench)\//.exec(url);
  return repo ? repo[1]! : url;
}
