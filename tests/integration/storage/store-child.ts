/**
 * A store in a process of its own, for the contract's kill test: opens the store the settings in
 * STORE_SETTINGS (JSON) name, makes the workload's writes, says `written` once every one has resolved,
 * then stops dead until killed.
 */
import { writeSync } from "node:fs";
import { createBoardStore, type StoreSettings } from "../../../lib/server/storage";
import { issueWorkload } from "./fixtures";

const store = createBoardStore(JSON.parse(process.env.STORE_SETTINGS!) as StoreSettings);
await Promise.all(issueWorkload(store));
writeSync(1, "written\n");
// Blocks the thread without a turn of the event loop ever again, as a crash would: a write the
// store had not really finished when it resolved can never finish now.
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
