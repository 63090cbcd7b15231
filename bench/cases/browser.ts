import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { chromium, type Browser, type Page } from "@playwright/test";
import { hasBuild, staleBuildSources } from "../../tools/lib/production-build";
import { REPO_ROOT } from "../../tools/lib/spawn-server";
import { startAppServer, type AppServer } from "../lib/app-server";
import { lifetime, median, ratioOf } from "../lib/cell";
import { startClientPool, type ClientPool } from "../lib/client-pool";
import * as fmt from "../lib/format";
import { machineBusyPercent, sampleMachineCpu } from "../lib/machine";
import { childrenNamed, watchTrees } from "../lib/proc-tree";
import { waitForQuiet } from "../lib/quiet";
import { runCell, sleep, type Scope } from "../lib/scope";
import { LEADING_OPS } from "../lib/seeding";
import type { Table } from "../lib/table";
import type { BenchCase, CaseResult, RunOptions } from "./types";

/**
 * The board page in a real browser (Chromium, headless, driven by Playwright) against the real
 * production server (server.ts: Next and Socket.IO, SQLite): frame times and long tasks while 10
 * bots (tools/bots/simulated-person.ts) draw, next to the same page with nobody drawing; and the time from
 * navigation to the first full paint of a board of 10,000 strokes.
 */

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--disable-background-networking", "--disable-component-update", "--no-first-run"];
const BOTS = 10;
const BIG_BOARD = 10_000;
const VIEWPORT = { width: 1280, height: 800 };

interface Params {
  bots: number;
  bigBoard: number;
  windowMs: number;
  settleMs: number;
  navigations: number;
}

function params(opts: RunOptions): Params {
  return {
    bots: BOTS,
    bigBoard: BIG_BOARD,
    windowMs: opts.windowMs ?? (opts.quick ? 3_000 : 5_000),
    settleMs: opts.quick ? 1_500 : 2_500,
    navigations: opts.quick ? 1 : 3,
  };
}

/** What the page measured over one window. */
interface PageFrames {
  frames: number;
  seconds: number;
  deltas: number[];
  longTasks: number[];
  longTasksSupported: boolean;
}

interface FrameRow {
  board: string;
  drawing: string;
  fps: number;
  p50?: number;
  p95?: number;
  p99?: number;
  max?: number;
  /** Frames longer than 50 ms (three or more refreshes missed). */
  slowFrames: number;
  longTasks: number;
  longTaskMs: number;
  longestTaskMs: number;
  longTasksSupported: boolean;
  cpu: Record<string, number>;
  machinePercent: number;
  otherPercent: number;
  botsReport?: { joined: number; acked: number; refused: number };
  tags: string[];
}

interface PaintRow {
  navigation: number;
  /** ms since navigation start (performance.timeOrigin) in the page. */
  domContentLoadedMs: number;
  canvasMs?: number;
  loadingMs?: number;
  allStrokesMs: number;
  /** All held, then one more frame: the paint as the attributes tell it. */
  paintedMs: number;
  /** Every stroke filled on the committed canvas, then one more frame (undefined: not seen within 20 s). */
  drawnPaintedMs?: number;
  /** Long tasks from navigation to the first full paint. */
  longTasks: number;
  longTaskMs: number;
  longestTaskMs: number;
  /** CPU of the browser's processes and of the server from navigation to the first full paint, % of one core. */
  browserCpu?: number;
  serverCpu?: number;
}

/*
 * The two scripts that run in the page are plain JavaScript source, not functions: tsx compiles
 * this file with esbuild's keepNames, which wraps nested functions in a `__name` helper that
 * exists here but not in the page.
 */

/**
 * Installed before any page script: timestamps of the board's way to its first full paint.
 *
 * - `allAt`: the board canvas says it holds every stroke (`data-stroke-count` = expected,
 *   `data-loading="false"`); `paintedAt` one requestAnimationFrame later: the board's own frame,
 *   requested when its store changed and so before that callback, has drawn in that frame.
 * - `drawnAt`: the committed layer has been filled with every stroke; `drawnPaintedAt` one frame
 *   later. The renderer (lib/client/canvas/renderer.ts) fills one path per stroke on the committed
 *   canvas (the `.layer` that is not `.layer--input`), and clears it with one `fillRect` of the
 *   whole canvas before drawing it anew; counting those calls tells when all are drawn, which
 *   matters since it draws within a per-frame budget and may finish frames after `allAt`.
 * - Long tasks until both are reached.
 */
const paintProbe = (expected: number) => `(() => {
  const mark = (window.__benchPaint = { longTasks: 0, longTaskMs: 0, longestTaskMs: 0, fills: 0 });
  const done = () => mark.paintedAt !== undefined && mark.drawnPaintedAt !== undefined;
  if (PerformanceObserver.supportedEntryTypes.includes("longtask")) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (done()) continue;
        mark.longTasks += 1;
        mark.longTaskMs += e.duration;
        mark.longestTaskMs = Math.max(mark.longestTaskMs, e.duration);
      }
    }).observe({ type: "longtask", buffered: true });
  }
  const committed = (canvas) => canvas && canvas.classList && canvas.classList.contains("layer") && !canvas.classList.contains("layer--input");
  const proto = CanvasRenderingContext2D.prototype;
  const fill = proto.fill;
  const fillRect = proto.fillRect;
  proto.fill = function (...args) {
    const out = fill.apply(this, args);
    if (committed(this.canvas)) {
      mark.fills += 1;
      if (mark.drawnAt === undefined && mark.fills >= ${expected} && ${expected} > 0) {
        mark.drawnAt = performance.now();
        requestAnimationFrame(() => { mark.drawnPaintedAt = performance.now(); });
      }
    }
    return out;
  };
  proto.fillRect = function (x, y, w, h) {
    if (committed(this.canvas) && x === 0 && y === 0 && w === this.canvas.width && h === this.canvas.height) mark.fills = 0;
    return fillRect.call(this, x, y, w, h);
  };
  const check = () => {
    const el = document.querySelector('[data-testid="board-canvas"]');
    if (!el) return;
    if (mark.canvasAt === undefined) mark.canvasAt = performance.now();
    if (mark.loadingAt === undefined && el.getAttribute("data-loading") === "true") mark.loadingAt = performance.now();
    if (mark.allAt === undefined && el.getAttribute("data-stroke-count") === "${expected}" && el.getAttribute("data-loading") === "false") {
      mark.allAt = performance.now();
      requestAnimationFrame(() => { mark.paintedAt = performance.now(); });
    }
  };
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-loading", "data-stroke-count", "data-testid"],
  });
})();`;

/** Runs in the page: requestAnimationFrame deltas and long tasks for `ms`. */
const frameProbe = (ms: number) => `(async () => {
  const deltas = [];
  const longTasks = [];
  const longTasksSupported = PerformanceObserver.supportedEntryTypes.includes("longtask");
  const observer = longTasksSupported
    ? new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push(e.duration); })
    : undefined;
  if (observer) observer.observe({ type: "longtask" });
  const started = performance.now();
  let last;
  await new Promise((resolve) => {
    const frame = (t) => {
      if (last !== undefined) deltas.push(t - last);
      last = t;
      if (t - started < ${ms}) requestAnimationFrame(frame);
      else resolve();
    };
    requestAnimationFrame(frame);
  });
  if (observer) observer.disconnect();
  return { frames: deltas.length, seconds: (performance.now() - started) / 1000, deltas, longTasks, longTasksSupported };
})()`;

const PAINT_MARKS = `(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  return { ...window.__benchPaint, dcl: nav ? nav.domContentLoadedEventEnd : 0 };
})()`;

function pct(sorted: number[], p: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function measureFrames(
  page: Page,
  p: Params,
  cores: number,
  roots: Record<string, number>,
  label: { board: string; drawing: string },
): Promise<FrameRow> {
  const machineFrom = sampleMachineCpu();
  const trees = watchTrees({ ...roots, bench: process.pid });
  const frames = (await page.evaluate(frameProbe(p.windowMs))) as PageFrames;
  const cpu = trees();
  const { busy, softirq } = machineBusyPercent(machineFrom, sampleMachineCpu(), cores);
  const ours = cpu.bench ?? 0;
  const otherPercent = Math.max(0, busy - ours - softirq);
  const sorted = [...frames.deltas].sort((a, b) => a - b);
  const tags: string[] = [];
  if (busy >= cores * 90) tags.push("machine-cpu");
  if (otherPercent >= 25) tags.push("other-load");
  delete cpu.bench;
  return {
    ...label,
    fps: frames.frames / frames.seconds,
    p50: pct(sorted, 50),
    p95: pct(sorted, 95),
    p99: pct(sorted, 99),
    max: sorted.at(-1),
    slowFrames: frames.deltas.filter((d) => d > 50).length,
    longTasks: frames.longTasks.length,
    longTaskMs: frames.longTasks.reduce((a, b) => a + b, 0),
    longestTaskMs: Math.max(0, ...frames.longTasks),
    longTasksSupported: frames.longTasksSupported,
    cpu: { ...cpu, ours },
    machinePercent: busy,
    otherPercent,
    tags,
  };
}

/** Opens the board as a new person (own context: cold cache, own client id) and times its first full paint. */
async function firstPaint(
  s: Session,
  scope: Scope,
  boardId: string,
  k: number,
  expected: number,
): Promise<{ page: Page; row: PaintRow }> {
  const { browser, app: { url } } = s;
  const context = await browser.newContext({ viewport: VIEWPORT });
  scope.add({ stop: () => context.close() });
  const page = await context.newPage();
  await page.addInitScript({ content: paintProbe(expected) });
  const trees = watchTrees(s.roots);
  await page.goto(`${url}/b/${boardId}?name=Viewer-${k}`, { waitUntil: "commit" });
  // A function, not a string: the page's CSP refuses eval. It declares nothing, so no `__name`.
  type Probe = { __benchPaint?: { paintedAt?: number; drawnPaintedAt?: number } };
  await page.waitForFunction(() => (window as Probe).__benchPaint?.paintedAt, null, { timeout: 30_000, polling: 100 });
  if (expected > 0) {
    // If the renderer no longer draws one fill per stroke, this is never reached: reported as "–".
    await page.waitForFunction(() => (window as Probe).__benchPaint?.drawnPaintedAt, null, { timeout: 20_000, polling: 100 }).catch(() => undefined);
  }
  const cpu = trees();
  type Marks = Partial<Record<"canvasAt" | "loadingAt" | "allAt" | "paintedAt" | "drawnPaintedAt", number>> &
    Record<"dcl" | "longTasks" | "longTaskMs" | "longestTaskMs", number>;
  const marks = (await page.evaluate(PAINT_MARKS)) as Marks;
  return {
    page,
    row: {
      navigation: k,
      domContentLoadedMs: marks.dcl,
      canvasMs: marks.canvasAt,
      loadingMs: marks.loadingAt,
      allStrokesMs: marks.allAt!,
      paintedMs: marks.paintedAt!,
      drawnPaintedMs: marks.drawnPaintedAt,
      longTasks: marks.longTasks,
      longTaskMs: marks.longTaskMs,
      longestTaskMs: marks.longestTaskMs,
      browserCpu: cpu.browser,
      serverCpu: cpu.server,
    },
  };
}

async function openViewer(s: Session, scope: Scope, boardId: string): Promise<Page> {
  return (await firstPaint(s, scope, boardId, 0, 0)).page;
}

interface Session {
  app: AppServer;
  browser: Browser;
  pool: ClientPool;
  roots: Record<string, number>;
}

async function startSession(scope: Scope, opts: RunOptions): Promise<Session> {
  // SNAPSHOT_EVERY high: the seeding of 10,000 strokes takes seconds, not minutes (with a
  // snapshot in place every op rewrites it: see docs/BENCHMARKS.md). The page does not see it.
  const app = await startAppServer({ env: { SNAPSHOT_EVERY: "1000000" }, maxLifetimeMs: opts.cellTimeoutMs + 15_000, readyTimeoutMs: 40_000 });
  scope.add(app);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  scope.add({ stop: () => browser.close() });
  const pool = scope.add(await startClientPool(1, lifetime(opts)));
  // The browser Playwright launched is a child of this process (its helpers, children of it).
  const browserPid = childrenNamed(process.pid, /chrom/i).at(-1);
  return { app, browser, pool, roots: { server: app.pid, ...(browserPid ? { browser: browserPid } : {}) } };
}

/**
 * Starts the bots on the board, lets them join (on a big board each join streams every stroke to
 * the bot: `settleMs` covers it), measures, reports what the bots managed, stops them.
 */
async function drawWhile<T>(
  s: Session,
  p: Params,
  boardId: string,
  settleMs: number,
  measure: () => Promise<T>,
): Promise<{ value: T; bots: { joined: number; acked: number; refused: number } }> {
  await s.pool.startBots({ url: s.app.url, board: boardId, count: p.bots, seed: 42, drawEvery: 1, colorEvery: 15, chatEvery: 10, cursorHz: 30 });
  await sleep(settleMs);
  const value = await measure();
  const bots = await s.pool.botsReport();
  await s.pool.stopBehaviours();
  return { value, bots };
}

interface Measured {
  frames: FrameRow[];
  paints: PaintRow[];
}

async function emptyBoardCell(p: Params, opts: RunOptions, into: Measured): Promise<void> {
  const outcome = await runCell(opts.cellTimeoutMs, async (scope) => {
    const s = await startSession(scope, opts);
    const boardId = "bench-frames-empty";
    const page = await openViewer(s, scope, boardId);
    await sleep(p.settleMs);
    const roots = { ...s.roots, bots: s.pool.pids[0] ?? 0 };
    into.frames.push(await measureFrames(page, p, opts.cores, roots, { board: "empty", drawing: "nobody" }));
    const { value, bots } = await drawWhile(s, p, boardId, p.settleMs, () =>
      measureFrames(page, p, opts.cores, roots, { board: "empty", drawing: `${p.bots} bots` }),
    );
    into.frames.push({ ...value, botsReport: bots });
  });
  if (!outcome.ok) throw new Error(`empty board: ${outcome.error}`);
}

async function bigBoardCell(p: Params, opts: RunOptions, into: Measured): Promise<void> {
  const outcome = await runCell(opts.cellTimeoutMs, async (scope) => {
    const s = await startSession(scope, opts);
    const boardId = "bench-frames-big";
    await s.pool.seed({ url: s.app.url, boardId, strokes: p.bigBoard, leadingOps: LEADING_OPS, window: 100 });
    let page: Page | undefined;
    for (let k = 1; k <= p.navigations; k++) {
      const res = await firstPaint(s, scope, boardId, k, p.bigBoard);
      into.paints.push(res.row);
      opts.log(
        `browser: navigation ${k}, ${fmt.int(p.bigBoard)} strokes: all held + 1 frame ${fmt.ms(res.row.paintedMs)} ms, all drawn + 1 frame ${fmt.ms(res.row.drawnPaintedMs)} ms`,
      );
      if (page) await page.context().close();
      page = res.page;
    }
    await sleep(p.settleMs);
    const roots = { ...s.roots, bots: s.pool.pids[0] ?? 0 };
    const board = `${fmt.int(p.bigBoard)} strokes`;
    into.frames.push(await measureFrames(page!, p, opts.cores, roots, { board, drawing: "nobody" }));
    const { value, bots } = await drawWhile(s, p, boardId, p.settleMs + 2_000, () =>
      measureFrames(page!, p, opts.cores, roots, { board, drawing: `${p.bots} bots` }),
    );
    into.frames.push({ ...value, botsReport: bots });
  });
  if (!outcome.ok) throw new Error(`${fmt.int(p.bigBoard)}-stroke board: ${outcome.error}`);
}

function framesTable(m: Measured, p: Params): Table {
  const baseline = (board: string) => m.frames.find((f) => f.board === board && f.drawing === "nobody");
  return {
    title: `Frame times of the board page (headless Chromium, ${VIEWPORT.width}×${VIEWPORT.height}, requestAnimationFrame deltas over ${p.windowMs / 1000} s), nobody drawing vs ${p.bots} bots drawing`,
    columns: [
      { header: "board", align: "left" },
      { header: "drawing", align: "left" },
      { header: "frames/s" },
      { header: "frame p50 ms" },
      { header: "frame p95 ms" },
      { header: "frame p99 ms" },
      { header: "frame max ms" },
      { header: "frames > 50 ms" },
      { header: "long tasks" },
      { header: "long task ms (longest)" },
      { header: "browser CPU" },
      { header: "server CPU" },
      { header: "p95 ÷ nobody" },
      { header: "limits", align: "left" },
    ],
    rows: m.frames.map((f) => [
      f.board,
      f.drawing,
      f.fps.toFixed(0),
      fmt.ms(f.p50),
      fmt.ms(f.p95),
      fmt.ms(f.p99),
      fmt.ms(f.max),
      fmt.int(f.slowFrames),
      f.longTasksSupported ? fmt.int(f.longTasks) : "n/a",
      f.longTasksSupported ? `${fmt.int(f.longTaskMs)} (${fmt.ms(f.longestTaskMs)})` : "n/a",
      fmt.percent(f.cpu.browser),
      fmt.percent(f.cpu.server),
      fmt.ratio(ratioOf(f.p95, baseline(f.board)?.p95)),
      f.tags.join(", ") || "ok",
    ]),
  };
}

function paintTable(m: Measured, p: Params): Table {
  const med = (pick: (r: PaintRow) => number | undefined) => median(m.paints.map(pick).filter((v): v is number => v !== undefined));
  const rows = m.paints.map((r) => [
    String(r.navigation),
    fmt.ms(r.domContentLoadedMs),
    fmt.ms(r.canvasMs),
    fmt.ms(r.loadingMs),
    fmt.ms(r.allStrokesMs),
    fmt.ms(r.paintedMs),
    fmt.ms(r.drawnPaintedMs),
    `${fmt.int(r.longTasks)}: ${fmt.int(r.longTaskMs)} (${fmt.ms(r.longestTaskMs)})`,
    fmt.percent(r.browserCpu),
    fmt.percent(r.serverCpu),
  ]);
  if (m.paints.length > 1) {
    rows.push([
      "median",
      fmt.ms(med((r) => r.domContentLoadedMs)),
      fmt.ms(med((r) => r.canvasMs)),
      fmt.ms(med((r) => r.loadingMs)),
      fmt.ms(med((r) => r.allStrokesMs)),
      fmt.ms(med((r) => r.paintedMs)),
      fmt.ms(med((r) => r.drawnPaintedMs)),
      "",
      "",
      "",
    ]);
  }
  return {
    title: `Navigation to the first full paint of a board of ${fmt.int(p.bigBoard)} strokes (ms since navigation start; each navigation a new person in a fresh browser context)`,
    columns: [
      { header: "navigation" },
      { header: "DOM content loaded" },
      { header: "board canvas shown" },
      { header: "strokes start arriving" },
      { header: `all ${fmt.int(p.bigBoard)} strokes held` },
      { header: "first full paint (all held + 1 frame)" },
      { header: "all drawn on the canvas + 1 frame" },
      { header: "long tasks until drawn: ms (longest)" },
      { header: "browser CPU" },
      { header: "server CPU" },
    ],
    rows,
  };
}

export const browserCase: BenchCase = {
  name: "browser",
  summary: "frame times of the board page while 10 bots draw, and navigation to the first full paint of 10,000 strokes (Chromium, production server)",
  async run(opts): Promise<CaseResult> {
    const p = params(opts);
    const skipped = (why: string): CaseResult => ({ name: this.name, params: { ...p }, cells: [], tables: [], notes: [`skipped: ${why}`], failures: 0 });
    if (!opts.browser) return skipped("--no-browser");
    if (!existsSync(CHROMIUM_PATH)) return skipped(`no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
    const notes: string[] = [];
    if (!hasBuild()) {
      opts.log("browser: no production build (.next/BUILD_ID): running npx next build");
      const build = spawnSync("npx", ["next", "build"], { cwd: REPO_ROOT, stdio: ["ignore", "inherit", "inherit"], timeout: 10 * 60_000 });
      if (build.status !== 0) return { ...skipped("npx next build failed"), failures: 1 };
      notes.push("built the production bundle first (npx next build): not counted in the figures");
    }
    const stale = staleBuildSources();
    if (stale.length) notes.push(`the production build is older than ${stale.join(", ")}: the page measured may not be the working tree's (npm run build)`);
    const m: Measured = { frames: [], paints: [] };
    let failures = 0;
    for (const [name, cell] of [
      ["empty board", emptyBoardCell],
      ["10,000-stroke board", bigBoardCell],
    ] as const) {
      if (Date.now() > opts.deadline) {
        notes.push(`skipped the ${name}: the run's time budget was used up`);
        continue;
      }
      const quiet = await waitForQuiet(opts.cores, opts.quick ? 5_000 : 15_000);
      if (!quiet.quiet) notes.push(`the ${name} started on a busy machine (${quiet.busyPercent.toFixed(0)}% of a core in use)`);
      try {
        await cell(p, opts, m);
      } catch (err) {
        failures += 1;
        notes.push(`failed: ${(err as Error).message.split("\n")[0]}`);
        opts.log(`browser: FAILED ${(err as Error).message}`);
      }
    }
    for (const f of m.frames) {
      opts.log(`browser: ${f.board}, ${f.drawing} drawing: ${f.fps.toFixed(0)} frames/s, p50 ${fmt.ms(f.p50)} p95 ${fmt.ms(f.p95)} ms, ${f.longTasks} long tasks`);
      const tail = f.botsReport ? `; bots: ${f.botsReport.joined} joined, ${f.botsReport.acked} acked, ${f.botsReport.refused} refused` : "";
      notes.push(
        `${f.board}, ${f.drawing}: machine ${fmt.percent(f.machinePercent)} busy (of ${opts.cores * 100}%), other processes ${fmt.percent(f.otherPercent)}, bots' process ${fmt.percent(f.cpu.bots)}${tail}`,
      );
    }
    if (m.frames.some((f) => !f.longTasksSupported)) notes.push("this Chromium does not report long tasks");
    const tables = [...(m.frames.length ? [framesTable(m, p)] : []), ...(m.paints.length ? [paintTable(m, p)] : [])];
    return {
      name: this.name,
      params: { ...p, chromium: CHROMIUM_PATH, viewport: VIEWPORT, server: "server.ts, NODE_ENV=production, SQLite, SNAPSHOT_EVERY=1000000" },
      cells: [{ frames: m.frames, paints: m.paints }],
      tables,
      notes,
      failures,
    };
  },
};
