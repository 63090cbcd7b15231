/**
 * One process's share of the soak: `count` bots spread over the given boards, running until told
 * to stop over IPC; then they leave and the process reports what the server acked.
 */
import { Bot } from "./bots/bot";

export interface SoakWorkerConfig {
  url: string;
  boards: string[];
  count: number;
  firstIndex: number;
  seed: number;
}

export interface SoakWorkerReport {
  joined: number;
  acked: number;
  refused: number;
  errors: string[];
  /** boardId → stroke ids the server acked there. */
  ackedStrokes: Record<string, string[]>;
}

const config = JSON.parse(process.argv[2] ?? "{}") as SoakWorkerConfig;
const bots = Array.from({ length: config.count }, (_, k) => {
  const i = config.firstIndex + k;
  const board = config.boards[i % config.boards.length]!;
  return {
    board,
    bot: new Bot({
      url: config.url,
      board,
      name: `Soak ${i}`,
      clientId: `soak-${config.seed}-${i}`,
      seed: config.seed + i,
      drawEvery: 3,
      colorEvery: 20,
      chatEvery: 20,
      cursorHz: 10,
    }),
  };
});
for (const { bot } of bots) bot.start();

process.on("message", (message) => {
  if (message === "joined?") {
    process.send!({ joined: bots.filter((b) => b.bot.stats.joined).length });
    return;
  }
  if (message !== "stop") return;
  const report: SoakWorkerReport = { joined: 0, acked: 0, refused: 0, errors: [], ackedStrokes: {} };
  for (const { board, bot } of bots) {
    report.joined += bot.stats.joined ? 1 : 0;
    report.acked += bot.stats.acked;
    report.refused += bot.stats.refused;
    if (bot.stats.lastError) report.errors.push(bot.stats.lastError);
    (report.ackedStrokes[board] ??= []).push(...bot.stats.ackedStrokes);
    bot.stop();
  }
  process.send!({ report }, () => setTimeout(() => process.exit(0), 300));
});
