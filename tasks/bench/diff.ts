/**
 * `deno task bench diff`: how long `deno task diff` takes. Prints, in one run:
 * - this checkout against its merge base with main (the CLI, warm);
 * - the example clusters in a scratch git repository, on a branch that tunes a threshold on
 *   staging and the retention of production (the pull request of issue 14), and on a branch
 *   that changes base/ (every cluster renders): each cold (empty cache), warm in-process, and
 *   warm through the CLI, as CI runs it.
 * Figures only; nothing here asserts a time.
 */
import { command } from "../cli/command.ts";
import { cp, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT, TOOLS_DIR } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { diffRepo, type DiffResult } from "../diff/diff.ts";
import { makeScratchRepo, type ScratchRepo } from "../diff/scratch_repo.ts";

const CLUSTERS = ["edge", "local", "production", "staging"];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function seconds<T>(fn: () => Promise<T>): Promise<{ s: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { s: (performance.now() - t0) / 1000, value };
}

/** `deno task diff --format markdown` in `root` (a checkout with tasks/), wall clock. */
async function cli(root: string): Promise<number> {
  const { s, value } = await seconds(() =>
    run(Deno.execPath(), ["run", "-A", join(root, "tasks/diff/main.ts"), "--format", "markdown"], {
      cwd: root,
    })
  );
  if (value.code !== 0) throw new Error(`deno task diff exited ${value.code}: ${value.stderr}`);
  return s;
}

/** The task's code in the scratch repository, so its CLI runs there as in a checkout. */
async function installTasks(repo: ScratchRepo): Promise<void> {
  for (const p of ["tasks", "deno.json", "deno.lock"]) {
    await cp(join(ROOT, p), join(repo.root, p), { recursive: true });
  }
  await symlink(TOOLS_DIR, join(repo.root, ".tools"));
}

function describe(r: DiffResult): string {
  const changed = r.reports.filter((x) => x.status !== "unchanged").map((x) => x.name);
  return `${changed.length} changed (${
    changed.join(", ") || "none"
  }), renders ${r.renders.built} ` +
    `built / ${r.renders.cached} cached`;
}

function phases(r: DiffResult): string {
  return Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(2)} s`).join(", ");
}

async function scenario(title: string, change: (repo: ScratchRepo) => Promise<void>) {
  const repo = await makeScratchRepo(CLUSTERS);
  const cache = await mkdtemp(join(tmpdir(), "bench-diff-cache-"));
  try {
    await repo.git("checkout", "-q", "-b", "change");
    await change(repo);
    await repo.commit(title);
    const cold = await seconds(() => diffRepo(repo.root, { cacheDir: cache }));
    const warm: number[] = [];
    let last = cold.value;
    for (let i = 0; i < 3; i++) {
      const w = await seconds(() => diffRepo(repo.root, { cacheDir: cache }));
      warm.push(w.s);
      last = w.value;
    }
    await installTasks(repo);
    await cli(repo.root); // fills the scratch repository's own cache (.cache/validate)
    const cliWarm = median([await cli(repo.root), await cli(repo.root), await cli(repo.root)]);
    console.log(title);
    console.log(
      `  cold, in-process:                 ${cold.s.toFixed(2)} s   ${describe(cold.value)}`,
    );
    console.log(
      `  warm, in-process (median of 3):   ${median(warm).toFixed(2)} s   ${describe(last)}`,
    );
    console.log(`  warm, deno task diff (CLI, wall): ${cliWarm.toFixed(2)} s   target < 3 s`);
    console.log(`  warm phases: ${phases(last)}`);
    console.log("");
  } finally {
    await rm(repo.root, { recursive: true, force: true });
    await rm(cache, { recursive: true, force: true });
  }
}

export const benchCommand = command({
  name: "bench diff",
  summary: "How long deno task diff takes: this checkout warm, and scratch repositories cold, " +
    "warm in-process and warm through the CLI.",
  options: {},
  run: async () => {
    await bench();
    return 0;
  },
});

async function bench(): Promise<void> {
  await cli(ROOT); // warms this checkout's cache
  const here = median([await cli(ROOT), await cli(ROOT), await cli(ROOT)]);
  const r = await diffRepo(ROOT);
  console.log(`this checkout against ${r.base.label}`);
  console.log(
    `  warm, deno task diff (CLI, wall, median of 3): ${here.toFixed(2)} s   ${describe(r)}`,
  );
  console.log("");

  await scenario(
    "scratch repository: a threshold tuned on staging, the retention of production",
    async (repo) => {
      await repo.edit(
        "clusters/staging/prometheus.yaml",
        (t) =>
          t + "  rules:\n    node_exporter:\n      node_filesystem_space_filling_up:\n" +
          "        warning:\n          threshold: 30\n",
      );
      await repo.edit(
        "clusters/production/prometheus.yaml",
        (t) => t.replace("retention_time: 30d", "retention_time: 60d"),
      );
    },
  );
  await scenario("scratch repository: base/ changed, every cluster renders", async (repo) => {
    await repo.edit(
      "base/prometheus/prometheus.yaml",
      (t) => t.replace("      cpu: 200m\n", "      cpu: 300m\n"),
    );
  });
}
