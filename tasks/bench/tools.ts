/**
 * Cold and warm install times of the pinned tools. Cold builds into a fresh temporary cache (an
 * empty Go build cache; the Go module download cache is kept: downloads are not what we measure);
 * warm is a second run over the result, which must rebuild nothing. `--warm-only` times the
 * per-user cache as it is.
 */
import { command } from "../cli/command.ts";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN_DIR, ROOT, USER_CACHE_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { goVersion, type InstallDirs, installStep, readGoSums } from "../tools/install.ts";
import { buildPlan } from "../tools/plan.ts";

async function installAll(dirs: InstallDirs): Promise<Map<string, number>> {
  const versions = loadVersions();
  const times = new Map<string, number>();
  for (const step of buildPlan(versions, ROOT, readGoSums(versions, ROOT), await goVersion())) {
    const r = await installStep(step, dirs, (line) => console.error(`  ${step.tool}: ${line}`));
    times.set(step.tool, r.seconds);
  }
  return times;
}

export const benchCommand = command({
  name: "bench tools",
  summary: "Cold and warm install times of the pinned tools.",
  options: {
    "warm-only": { type: "boolean", default: false, help: "time the per-user cache as it is" },
  },
  run: async ({ values }) => {
    await bench(values["warm-only"]);
    return 0;
  },
});

async function bench(warmOnly: boolean): Promise<void> {
  const rows: Array<[string, string, string]> = [];
  let coldTotal = NaN;
  let warm: Map<string, number>;
  if (warmOnly) {
    warm = await installAll({ bin: BIN_DIR, cache: USER_CACHE_DIR });
    for (const [b, s] of warm) rows.push([b, "-", s.toFixed(3)]);
  } else {
    const tmp = mkdtempSync(join(tmpdir(), "bench-tools-"));
    try {
      const dirs = { bin: join(tmp, "bin"), cache: join(tmp, "cache") };
      const t0 = performance.now();
      const cold = await installAll(dirs);
      coldTotal = (performance.now() - t0) / 1000;
      warm = await installAll(dirs);
      for (const [b, s] of cold) rows.push([b, s.toFixed(1), (warm.get(b) ?? NaN).toFixed(3)]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const warmTotal = [...warm.values()].reduce((a, b) => a + b, 0);
  console.log("tool                 cold (s)   warm (s)");
  for (const [b, c, w] of rows) console.log(`${b.padEnd(20)} ${c.padStart(8)}   ${w.padStart(8)}`);
  console.log(
    `${"total".padEnd(20)} ${
      isNaN(coldTotal) ? "-".padStart(8) : coldTotal.toFixed(1).padStart(8)
    }   ${warmTotal.toFixed(3).padStart(8)}`,
  );
}
