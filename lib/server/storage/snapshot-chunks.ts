import type { Stroke } from "../../protocol";

/**
 * Bounds of one chunk of a snapshot's strokes: far below V8's longest string (about 512 MiB of
 * characters) and SQLite's longest value (1 GB) and Redis's (512 MB), and small enough that writing or reading one
 * never needs much memory at once.
 */
export const SNAPSHOT_CHUNK = { strokes: 1_000, chars: 4_000_000 } as const;

/** The strokes as JSON arrays of at most `SNAPSHOT_CHUNK` each, in order; none for no strokes. */
export function strokeChunks(strokes: readonly Stroke[]): string[] {
  const chunks: string[] = [];
  let parts: string[] = [];
  let chars = 0;
  const close = () => {
    chunks.push(`[${parts.join(",")}]`);
    parts = [];
    chars = 0;
  };
  for (const stroke of strokes) {
    const json = JSON.stringify(stroke);
    if (parts.length === SNAPSHOT_CHUNK.strokes || (parts.length > 0 && chars + json.length + 1 > SNAPSHOT_CHUNK.chars)) close();
    parts.push(json);
    chars += json.length + 1;
  }
  if (parts.length > 0) close();
  return chunks;
}
