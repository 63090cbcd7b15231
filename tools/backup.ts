/**
 * Copies the board database to a file while the server may be running, using SQLite's online
 * backup (a consistent copy, whatever is being written meanwhile).
 *   npm run backup -- backups/scribble-2026-11-22.db
 */
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";

const target = process.argv[2];
if (!target) {
  console.error("usage: npm run backup -- <target file>");
  process.exit(2);
}
const source = join(process.env.DATA_DIR || "./data", "scribble.db");
mkdirSync(dirname(target), { recursive: true });
const db = new Database(source, { readonly: true, fileMustExist: true });
try {
  await db.backup(target);
  console.log(`backed up ${source} to ${target}`);
} finally {
  db.close();
}
