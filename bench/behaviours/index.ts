import { startCursors } from "./cursors";
import { startOps } from "./ops";
import { startStrokes } from "./strokes";
import type { StartBehaviour } from "./types";

/** Behaviours a client process can run, by the name a case asks for. */
export const BEHAVIOURS: Record<string, StartBehaviour> = {
  cursors: startCursors,
  strokes: startStrokes,
  ops: startOps,
};
