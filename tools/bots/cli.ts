/**
 * Simulated people for demos and load: `npm run bots -- --board demo --count 10`, against
 * `--url`, else http://localhost:$PORT, else http://localhost:3000.
 * Each bot joins the board, wanders its cursor, draws strokes that grow live, now and then
 * recolours the circle and says something. Ctrl+C makes them leave cleanly.
 */
import { parseArgs } from "node:util";
import { SimulatedPerson } from "./simulated-person";

const HELP = `Usage: npm run bots -- [options]

  --url <url>          server to join (default http://localhost:$PORT, PORT defaulting to 3000)
  --board <id>         board id (default demo)
  --count <n>          number of bots (default 10)
  --draw-every <s>     mean seconds between a bot's strokes (default 4; 0 = never)
  --color-every <s>    mean seconds between circle recolours (default 30; 0 = never)
  --chat-every <s>     mean seconds between chat messages (default 45; 0 = never)
  --cursor-hz <n>      cursor updates per second (default 20; 0 = no cursor)
  --duration <s>       stop after this many seconds (default: until Ctrl+C)
  --seed <n>           random seed, for a repeatable run (default: time)
  --help               this text

More than 200 bots from one machine need the server's MAX_CONNECTIONS_PER_IP raised.`;

const NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Linus", "Margaret", "Ken", "Radia", "Tim", "Frances", "Donald"];

const { values } = parseArgs({
  options: {
    url: { type: "string" },
    board: { type: "string", default: "demo" },
    count: { type: "string", default: "10" },
    "draw-every": { type: "string", default: "4" },
    "color-every": { type: "string", default: "30" },
    "chat-every": { type: "string", default: "45" },
    "cursor-hz": { type: "string", default: "20" },
    duration: { type: "string" },
    seed: { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(HELP);
  process.exit(0);
}

function num(name: string, raw: string | undefined, min: number, max: number): number {
  const n = Number(raw);
  if (raw === undefined || !Number.isFinite(n) || n < min || n > max) {
    console.error(`${/^[A-Z]/.test(name) ? name : `--${name}`} must be a number from ${min} to ${max}, not "${raw}"\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

const count = num("count", values.count, 1, 5_000);
// The server's own PORT when none is given: `PORT=4000 npm start` and `PORT=4000 npm run bots` meet.
const url = values.url ?? `http://localhost:${num("PORT", process.env.PORT || "3000", 1, 65_535)}`;
const seed = values.seed === undefined ? Date.now() % 1_000_000 : num("seed", values.seed, 0, 2 ** 31);
const run = Date.now().toString(36);
const bots = Array.from(
  { length: count },
  (_, i) =>
    new SimulatedPerson({
      url,
      board: values.board,
      name: `${NAMES[i % NAMES.length]} bot${i >= NAMES.length ? ` ${Math.floor(i / NAMES.length) + 1}` : ""}`,
      clientId: `bot-${run}-${i}`,
      seed: seed + i * 7919,
      drawEvery: num("draw-every", values["draw-every"], 0, 3_600),
      colorEvery: num("color-every", values["color-every"], 0, 3_600),
      chatEvery: num("chat-every", values["chat-every"], 0, 3_600),
      cursorHz: num("cursor-hz", values["cursor-hz"], 0, 60),
    }),
);
for (const bot of bots) bot.start();
console.log(`${count} bots joining board "${values.board}" on ${url} (seed ${seed}). Ctrl+C to stop.`);
console.log(`Watch them: ${url.replace(/\/$/, "")}/b/${values.board}`);

const tty = process.stdout.isTTY;
const progress = setInterval(() => {
  const joined = bots.filter((b) => b.stats.joined).length;
  const acked = bots.reduce((n, b) => n + b.stats.acked, 0);
  const refused = bots.reduce((n, b) => n + b.stats.refused, 0);
  const error = bots.find((b) => b.stats.lastError)?.stats.lastError;
  const line = `joined ${joined}/${count} · acked ops ${acked} · refused ${refused}${error ? ` · last error: ${error}` : ""}`;
  if (tty) process.stdout.write(`\r${line.padEnd(100)}`);
  else console.log(line);
}, tty ? 500 : 5_000);

let stopping = false;
function stop(reason: string): void {
  if (stopping) process.exit(1);
  stopping = true;
  clearInterval(progress);
  for (const bot of bots) bot.stop();
  const acked = bots.reduce((n, b) => n + b.stats.acked, 0);
  console.log(`${tty ? "\n" : ""}${reason}: ${count} bots left the board after ${acked} acked ops.`);
  // Give the leave messages a moment on the wire before the process goes.
  setTimeout(() => process.exit(0), 300).unref();
}
process.on("SIGINT", () => stop("Ctrl+C"));
process.on("SIGTERM", () => stop("Stopped"));
if (values.duration !== undefined) {
  setTimeout(() => stop("Time is up"), num("duration", values.duration, 1, 86_400) * 1000).unref();
}
