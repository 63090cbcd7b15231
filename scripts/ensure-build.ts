/**
 * Builds the production bundle when there is none or when a source is newer than it, so that
 * `npm start` and the end-to-end tests never serve a stale build.
 */
import { spawnSync } from "node:child_process";
import { hasBuild, staleBuildSources } from "../tools/lib/production-build";

const stale = staleBuildSources();
if (stale.length === 0) {
  console.log("Production build is up to date.");
} else {
  console.log(hasBuild() ? `Changed since the last build (${stale.join(", ")}): building...` : "No production build yet: building...");
  const result = spawnSync("npx", ["next", "build"], { stdio: "inherit", shell: process.platform === "win32" });
  process.exit(result.status ?? 1);
}
