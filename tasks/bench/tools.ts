/**
 * Cold and warm install times of the pinned tools. Cold builds into a fresh temporary bin folder
 * and Go build cache (the Go module download cache is kept: downloads are not what we measure);
 * warm is a second run over the result, which must rebuild nothing.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN_DIR, ROOT, TOOLS_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { installStep, readGoSums } from "../tools/install.ts";
import { buildPlan } from "../tools/plan.ts";

async function installAll(
  binDir: string,
  stamps: string,
  goCache: string,
): Promise<Map<string, number>> {
  const versions = loadVersions();
  mkdirSync(stamps, { recursive: true });
  const times = new Map<string, number>();
  for (const step of buildPlan(versions, ROOT, binDir, readGoSums(versions, ROOT))) {
    const r = await installStep(step, { bin: binDir, stamps, goCache });
    times.set(step.binary, r.seconds);
  }
  return times;
}

export async function bench(args: string[]): Promise<void> {
  const warmOnly = args.includes("--warm-only");
  const rows: Array<[string, string, string]> = [];
  let coldTotal = NaN;
  let warm: Map<string, number>;
  if (warmOnly) {
    warm = await installAll(BIN_DIR, join(TOOLS_DIR, "stamps"), join(TOOLS_DIR, "go-build"));
  } else {
    const tmp = mkdtempSync(join(tmpdir(), "bench-tools-"));
    try {
      const bin = join(tmp, "bin"), stamps = join(tmp, "stamps"), cache = join(tmp, "go-build");
      const t0 = performance.now();
      const cold = await installAll(bin, stamps, cache);
      coldTotal = (performance.now() - t0) / 1000;
      warm = await installAll(bin, stamps, cache);
      for (const [b, s] of cold) rows.push([b, s.toFixed(1), (warm.get(b) ?? NaN).toFixed(3)]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  if (warmOnly) { for (const [b, s] of warm) rows.push([b, "-", s.toFixed(3)]); }
  const warmTotal = [...warm.values()].reduce((a, b) => a + b, 0);
  console.log("tool            cold (s)   warm (s)");
  for (const [b, c, w] of rows) console.log(`${b.padEnd(15)} ${c.padStart(8)}   ${w.padStart(8)}`);
  console.log(
    `${"total".padEnd(15)} ${
      isNaN(coldTotal) ? "-".padStart(8) : coldTotal.toFixed(1).padStart(8)
    }   ${warmTotal.toFixed(3).padStart(8)}`,
  );
}
