/**
 * `npm run bench`: runs the benchmark cases against a real server in its own process, on
 * loopback, prints markdown tables and writes bench/results/<date>.json. See docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { CASES } from "./cases";
import type { BenchCase, CaseResult, RunOptions } from "./cases/types";
import { parseBenchArgs, USAGE, type Args } from "./lib/args";
import { REPO_ROOT } from "../tools/lib/spawn-server";
import { installChildCleanup } from "./lib/child";
import { describeMachine, machineLine } from "./lib/machine";
import { describeRevision } from "./lib/revision";
import { markdownTable } from "./lib/table";

/** Said with every result: the figures mean nothing without it. */
const SETUP =
  "server, client processes and this coordinator share this machine's cores over loopback (127.0.0.1); " +
  "clients can limit what is measured, and cells where they did are tagged (see docs/BENCHMARKS.md)";

/** The whole run stops starting cells after this, whatever was asked. */
const RUN_BUDGET_MS = 9 * 60_000;

installChildCleanup();

const argv = process.argv.slice(2);
const args = readArgs(argv);
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}

const unknown = args.cases.filter((name) => !CASES.some((c) => c.name === name));
if (unknown.length) {
  console.error(`unknown case ${unknown.join(", ")}; cases: ${CASES.map((c) => c.name).join(", ")}`);
  process.exit(2);
}
const selected = args.cases.length ? CASES.filter((c) => args.cases.includes(c.name)) : CASES;

const startedAt = new Date();
const machine = describeMachine();
const revision = describeRevision();
// How it was run, so that a results file or a docs table can be reproduced as is.
const command =
  process.env.npm_lifecycle_event === "bench"
    ? `npm run bench${argv.length ? ` -- ${argv.join(" ")}` : ""}`
    : ["npx tsx bench/run.ts", ...argv].join(" ");

console.log(`# Scribble benchmarks, ${startedAt.toISOString()}\n`);
console.log(`- machine: ${machineLine(machine)}`);
console.log(`- command: \`${command}\``);
console.log(`- code: ${revision.commit}${revision.dirty ? " with uncommitted changes under lib/, app/ or server.ts" : ""}`);
console.log(`- setup: ${SETUP}\n`);

const deadline = Date.now() + RUN_BUDGET_MS;
const stamp = startedAt.toISOString().replace(/:/g, "-").replace(/\..+/, "");
const resultsDir = join(REPO_ROOT, "bench", "results");
const results: CaseResult[] = [];
for (const benchCase of selected) {
  console.log(`## ${benchCase.name}: ${benchCase.summary}\n`);
  const result = await runCase(benchCase, {
    quick: args.quick,
    clients: args.clients,
    modes: args.modes,
    audiences: args.audiences,
    workers: args.workers,
    warmupMs: args.warmupMs,
    windowMs: args.windowMs,
    hz: args.hz,
    stores: args.stores,
    rate: args.rate,
    rates: args.rates,
    rampClients: args.rampClients,
    idleClients: args.idleClients,
    clusterParts: args.clusterParts,
    nodes: args.nodes,
    fsync: args.fsync,
    boards: args.boards,
    boardClients: args.boardClients,
    boardRate: args.boardRate,
    failoverTabs: args.failoverTabs,
    browser: args.browser,
    cellTimeoutMs: args.cellTimeoutMs,
    deadline,
    cores: machine.cores,
    profileDir: args.profile ? join(resultsDir, "profiles", stamp) : undefined,
    log: (line) => console.error(`  ${line}`),
  });
  results.push(result);
  for (const table of result.tables) console.log(`\n${table.title}\n\n${markdownTable(table)}\n`);
  if (result.notes.length) console.log(`Notes:\n${result.notes.map((n) => `- ${n}`).join("\n")}\n`);
}

const elapsedS = (Date.now() - startedAt.getTime()) / 1000;
console.log(`Done in ${elapsedS.toFixed(0)} s.`);
// Others may commit or build in this working tree while a run goes on: each cell starts its
// server from the files as they are then, so a change mid-run makes a mix. Said, not hidden.
const revisionAtEnd = describeRevision();
const codeChanged = revisionAtEnd.fingerprint !== revision.fingerprint;
if (codeChanged) {
  console.log(
    `WARNING: the code under test changed during the run (${revision.commit} → ${revisionAtEnd.commit}, ` +
      `or uncommitted changes, or a new production build): later cells measured other code than earlier ones.`,
  );
}

if (args.save) {
  const file = args.out ?? join(resultsDir, `${stamp}.json`);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ date: startedAt.toISOString(), command, revision, revisionAtEnd, codeChanged, machine, setup: SETUP, elapsedS, cases: results }, null, 2)}\n`);
  console.log(`Results: ${relative(process.cwd(), file)}`);
}

const failures = results.reduce((n, r) => n + r.failures, 0);
process.exit(failures > 0 ? 1 : 0);

function readArgs(argv: string[]): Args {
  try {
    return parseBenchArgs(argv);
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
}

/** A case that throws (bad options, a bug) is reported as a failure; the others still run. */
async function runCase(benchCase: BenchCase, opts: RunOptions): Promise<CaseResult> {
  try {
    return await benchCase.run(opts);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return { name: benchCase.name, params: {}, cells: [], tables: [], notes: [`failed: ${message}`], failures: 1 };
  }
}
