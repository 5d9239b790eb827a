/**
 * `deno task tools [--quiet] [--test]`: every pinned tool of versions.json, built once per machine
 * into the per-user cache and linked into .tools/bin, and the Debian packages the local cluster
 * needs; with --test, also those the end-to-end tests need.
 */
import { command, exitWith } from "../cli/command.ts";
import { BIN_DIR, ROOT, USER_CACHE_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { buildDir, goVersion, installStep, isBuiltStep, readGoSums } from "./install.ts";
import { buildPlan, coldEstimate } from "./plan.ts";
import { ensurePackages, TEST_PACKAGES, UP_PACKAGES } from "./system.ts";

export async function installTools(opts: { quiet?: boolean } = {}): Promise<number> {
  const versions = loadVersions();
  const steps = buildPlan(versions, ROOT, readGoSums(versions, ROOT), await goVersion());
  const dirs = { bin: BIN_DIR, cache: USER_CACHE_DIR };
  const toBuild = steps.filter((s) => !isBuiltStep(buildDir(s, dirs.cache), s));
  if (toBuild.length > 0) {
    console.log(
      `building ${
        toBuild.map((s) => `${s.tool} ${s.pin.appVersion}`).join(", ")
      } into ${dirs.cache}/tools (${
        coldEstimate(toBuild)
      }; once per machine, every clone reuses it)`,
    );
  }
  const started = performance.now();
  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${step.tool} ${step.pin.appVersion}`;
    const building = toBuild.includes(step);
    if (building) {
      const est = step.pin.coldBuildMinutes;
      console.log(`${label} building${est ? ` (about ${est} min cold)` : ""} …`);
    }
    const res = await installStep(step, dirs, (line) => console.log(`${label} … ${line}`));
    if (!opts.quiet || res.action === "built") {
      console.log(`${label} ${res.action} (${res.seconds.toFixed(1)} s)`);
    }
  }
  const total = (performance.now() - started) / 1000;
  if (!opts.quiet) console.log(`tools ready in ${BIN_DIR} (${total.toFixed(1)} s)`);
  return total;
}

export const toolsCommand = command({
  name: "tools",
  summary: "Every pinned tool of versions.json, built once per machine into the per-user cache " +
    "and linked into .tools/bin, and the Debian packages the local cluster needs.",
  options: {
    quiet: { type: "boolean", default: false, help: "print only what was built" },
    test: { type: "boolean", default: false, help: "also the packages the end-to-end tests need" },
  },
  async run({ values }, io) {
    await installTools({ quiet: values.quiet });
    await ensurePackages([...UP_PACKAGES, ...(values.test ? TEST_PACKAGES : [])], io.out);
    return 0;
  },
});

if (import.meta.main) await exitWith(toolsCommand);
