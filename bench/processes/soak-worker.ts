/**
 * One process's share of the soak (bench/soak.ts): simulated people spread over the given boards,
 * running from the start until `stop`; then they leave and the process reports what the server
 * acked. Its config comes in SOAK_WORKER as JSON.
 */
import { SimulatedPerson } from "../../tools/bots/simulated-person";
import type { SoakWorkerApi, SoakWorkerConfig, SoakWorkerReport, WorkerReady } from "../lib/contracts";
import { serve } from "../lib/rpc";

/** Long enough for the people's leave messages to be on the wire before the process goes. */
const LEAVE_MS = 300;

const config = JSON.parse(process.env.SOAK_WORKER ?? "{}") as SoakWorkerConfig;
const people = Array.from({ length: config.count }, (_, k) => {
  const i = config.firstIndex + k;
  const board = config.boards[i % config.boards.length]!;
  return {
    board,
    person: new SimulatedPerson({
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
for (const { person } of people) person.start();

serve<SoakWorkerApi, WorkerReady>(
  {
    joined: () => people.filter((p) => p.person.stats.joined).length,
    async stop() {
      const report: SoakWorkerReport = { joined: 0, acked: 0, refused: 0, errors: [], ackedStrokes: {} };
      for (const { board, person } of people) {
        report.joined += person.stats.joined ? 1 : 0;
        report.acked += person.stats.acked;
        report.refused += person.stats.refused;
        if (person.stats.lastError) report.errors.push(person.stats.lastError);
        (report.ackedStrokes[board] ??= []).push(...person.stats.ackedStrokes);
        person.stop();
      }
      await new Promise((resolve) => setTimeout(resolve, LEAVE_MS));
      return report;
    },
  },
  { pid: process.pid },
);
