import { browserCase } from "./browser";
import { clusterCase } from "./cluster";
import { cursorsCase } from "./cursors";
import { fanoutCase } from "./fanout";
import { joinCase } from "./join";
import { memoryCase } from "./memory";
import { rampCase } from "./ramp";
import { storageCase } from "./storage";
import type { BenchCase } from "./types";

/** Every case `npm run bench` knows, in the order it runs them. */
export const CASES: readonly BenchCase[] = [cursorsCase, storageCase, joinCase, fanoutCase, rampCase, memoryCase, browserCase, clusterCase];
