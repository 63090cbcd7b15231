/**
 * Copies the board database to a file while the server may be running, using SQLite's online
 * backup (a consistent copy, whatever is being written meanwhile).
 *   npm run backup -- backups/scribble-2026-11-22.db
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { loadConfig } from "../lib/server/config";
import { databaseFile } from "../lib/server/storage";

const target = process.argv[2];
if (!target) {
  console.error("usage: npm run backup -- <target file>");
  process.exit(2);
}
const source = databaseFile(loadConfig().dataDir);
mkdirSync(dirname(target), { recursive: true });
const db = new Database(source, { readonly: true, fileMustExist: true });
try {
  await db.backup(target);
  console.log(`backed up ${source} to ${target}`);
} finally {
  db.close();
}
