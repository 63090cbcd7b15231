import { parseArgs } from "node:util";

export interface Args {
  cases: string[];
  quick: boolean;
  clients?: number[];
  modes?: string[];
  workers?: number;
  warmupMs?: number;
  windowMs?: number;
  hz?: number;
  cellTimeoutMs: number;
  out?: string;
  save: boolean;
  profile: boolean;
  help: boolean;
}

export const USAGE = `Usage: npm run bench -- [options]

  --case <name>         run only this case (repeat or comma-separate; default: all)
  --quick               fewer and shorter cells (a smoke run, ~30 s)
  --clients <list>      client counts, e.g. 10,50,200
  --modes <list>        cursor modes, e.g. coalesce,relay
  --workers <n>         client processes per cell (default: 1 per 25 clients, at most the cores)
  --hz <n>              moves per second per client (default 30)
  --warmup-ms <ms>      load before measuring (default 2000, quick 1000)
  --window-ms <ms>      measuring window (default 6000, quick 3000)
  --cell-timeout-ms <ms> hard limit per cell, processes included (default and max 60000)
  --profile             write a V8 CPU profile of each cell's server to bench/results/profiles/
                        (read one with: npx tsx bench/profile-summary.ts <file.cpuprofile>)
  --out <file>          results file (default bench/results/<date>.json)
  --no-save             print only
  --help
`;

const CELL_TIMEOUT_MAX_MS = 60_000;

export function parseBenchArgs(argv: string[]): Args {
  const { values } = parseArgs({
    args: argv,
    options: {
      case: { type: "string", multiple: true },
      quick: { type: "boolean", default: false },
      clients: { type: "string" },
      modes: { type: "string" },
      workers: { type: "string" },
      hz: { type: "string" },
      "warmup-ms": { type: "string" },
      "window-ms": { type: "string" },
      "cell-timeout-ms": { type: "string" },
      out: { type: "string" },
      "no-save": { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
    strict: true,
  });
  return {
    cases: (values.case ?? []).flatMap(list),
    quick: values.quick,
    clients: values.clients === undefined ? undefined : list(values.clients).map((v) => count("--clients", v, 2, 2_000)),
    modes: values.modes === undefined ? undefined : list(values.modes),
    workers: optional("--workers", values.workers, 1, 64),
    hz: optional("--hz", values.hz, 1, 240),
    warmupMs: optional("--warmup-ms", values["warmup-ms"], 0, 30_000),
    windowMs: optional("--window-ms", values["window-ms"], 500, 45_000),
    cellTimeoutMs: optional("--cell-timeout-ms", values["cell-timeout-ms"], 5_000, CELL_TIMEOUT_MAX_MS) ?? CELL_TIMEOUT_MAX_MS,
    out: values.out,
    save: !values["no-save"],
    profile: values.profile,
    help: values.help,
  };
}

const list = (v: string) => v.split(",").map((s) => s.trim()).filter(Boolean);

function optional(flag: string, raw: string | undefined, min: number, max: number): number | undefined {
  return raw === undefined ? undefined : count(flag, raw, min, max);
}

function count(flag: string, raw: string, min: number, max: number): number {
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${flag} must be an integer from ${min} to ${max}, not "${raw}"`);
  return v;
}
