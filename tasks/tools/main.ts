/** `deno task tools`: installs every pinned tool of versions.json into .tools/bin, idempotently. */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { BIN_DIR, ROOT, TOOLS_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { installStep, readGoSums } from "./install.ts";
import { buildPlan } from "./plan.ts";

export async function installTools(opts: { quiet?: boolean } = {}): Promise<number> {
  const versions = loadVersions();
  const steps = buildPlan(versions, ROOT, BIN_DIR, readGoSums(versions, ROOT));
  const dirs = {
    bin: BIN_DIR,
    stamps: join(TOOLS_DIR, "stamps"),
    goCache: join(TOOLS_DIR, "go-build"),
  };
  mkdirSync(dirs.stamps, { recursive: true });
  const started = performance.now();
  for (const [i, step] of steps.entries()) {
    const label = `[${i + 1}/${steps.length}] ${step.binary} ${step.pin.appVersion}`;
    if (!opts.quiet) console.log(`${label} …`);
    const res = await installStep(step, dirs);
    if (!opts.quiet || res.action === "built") {
      console.log(`${label} ${res.action} (${res.seconds.toFixed(1)} s)`);
    }
  }
  const total = (performance.now() - started) / 1000;
  if (!opts.quiet) console.log(`tools ready in ${BIN_DIR} (${total.toFixed(1)} s)`);
  return total;
}

if (import.meta.main) {
  try {
    await installTools({ quiet: Deno.args.includes("--quiet") });
  } catch (e) {
    console.error(`deno task tools: ${e instanceof Error ? e.message : String(e)}`);
    Deno.exit(1);
  }
}
