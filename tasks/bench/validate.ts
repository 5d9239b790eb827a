/**
 * `deno task bench validate [--sizes 10,50,100] [--example staging]`: how long the gate takes.
 * Prints, in one run: the example repository warm (the CLI, as CI runs it, and in-process), and
 * synthetic repositories of N clusters (copies of an example cluster, generated) each timed with
 * our validate (cold: empty cache; warm: second run) and with the straightforward pipeline it
 * replaces (for each overlay in turn `kustomize build | kubeconform -strict`, then promtool check
 * rules and amtool check-config file by file), with the ratios and the time per cluster.
 */
import { command, UsageError } from "../cli/command.ts";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "../generate/main.ts";
import { ROOT, SCHEMA_CACHE_DIR, toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { parseManifests } from "../render/kustomize.ts";
import { objectsOf } from "../render/objects.ts";
import { kubeconformSchemaArgs } from "../schemas/layout.ts";
import { KUBERNETES_VERSION } from "../validate/kubeconform.ts";
import { alertmanagerConfigOf } from "../validate/routing.ts";
import { validateRepo } from "../validate/validate.ts";
import { stringify } from "yaml";

function seconds(t0: number): number {
  return (performance.now() - t0) / 1000;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** A repository of `n` copies of cluster `example`, generated, in a temporary folder. */
export async function syntheticRepo(n: number, example: string): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), `bench-validate-${n}-`));
  for (const p of ["base", "schemas", "versions.json", "docs", "examples"]) {
    if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(root, p), { recursive: true });
  }
  mkdirSync(join(root, "clusters"), { recursive: true });
  for (let i = 1; i <= n; i++) {
    const name = `c${String(i).padStart(3, "0")}`;
    const dir = join(root, "clusters", name);
    cpSync(join(ROOT, "clusters", example), dir, { recursive: true });
    // Each copy is its own cluster: name, API server and host names are its own.
    const file = join(dir, "cluster.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8")
        .replace(/^(\s+name:\s*).*$/m, `$1${name}`)
        .replace(/(server:\s*https:\/\/)[^\s:/]+/, `$1${name}.k8s.example.com`)
        .replaceAll(`.${example}.`, `.${name}.`),
    );
  }
  const errors: string[] = [];
  const code = await generate({ root, out: () => {}, err: (l) => errors.push(l) });
  if (code !== 0) {
    throw new Error(`generate of the synthetic repository failed:\n${errors.join("\n")}`);
  }
  return root;
}

/**
 * The pipeline validate replaces, as a shell script would run it: for each overlay in turn,
 * kustomize build piped to kubeconform, then promtool check rules on each rule file and amtool
 * check-config on the Alertmanager configuration, one process per file. Returns the failures.
 */
export async function straightforward(root: string): Promise<number> {
  const tmp = mkdtempSync(join(tmpdir(), "bench-straight-"));
  let failures = 0;
  try {
    const overlays = [...Deno.readDirSync(join(root, "overlays"))].filter((e) => e.isDirectory)
      .map((e) => e.name).sort();
    for (const name of overlays) {
      const built = await run(toolPath("kustomize"), [
        "build",
        "--load-restrictor",
        "LoadRestrictionsNone",
        join(root, "overlays", name),
      ]);
      if (built.code !== 0) {
        failures++;
        continue;
      }
      const kc = await run(toolPath("kubeconform"), [
        "-strict",
        "-summary",
        "-kubernetes-version",
        KUBERNETES_VERSION,
        ...kubeconformSchemaArgs(SCHEMA_CACHE_DIR),
        "-",
      ], { stdin: built.stdout });
      if (kc.code !== 0) failures++;
      // What `yq` would extract: each PrometheusRule's groups, and the Alertmanager configuration.
      const objects = parseManifests(built.stdout);
      const dir = join(tmp, name);
      mkdirSync(dir, { recursive: true });
      for (const o of objectsOf(objects, "PrometheusRule")) {
        const file = join(dir, `${o.metadata.name}.yaml`);
        writeFileSync(file, stringify({ groups: o.spec?.groups ?? [] }));
        if ((await run(toolPath("promtool"), ["check", "rules", file])).code !== 0) failures++;
      }
      const am = alertmanagerConfigOf(objects);
      if (am !== null) {
        const file = join(dir, "alertmanager.yaml");
        writeFileSync(file, am);
        if ((await run(toolPath("amtool"), ["check-config", file])).code !== 0) failures++;
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return failures;
}

export const benchCommand = command({
  name: "bench validate",
  summary: "How long the gate takes: the example repository warm, and synthetic repositories " +
    "of N clusters, each cold and warm, against the plain pipeline it replaces.",
  options: {
    sizes: {
      type: "string",
      default: "10,50,100",
      value: "n,n,…",
      help: "the numbers of clusters",
    },
    example: { type: "string", default: "staging", value: "cluster", help: "the cluster copied" },
  },
  run: async ({ values }) => {
    const sizes = values.sizes.split(",").map(Number);
    if (!sizes.every((n) => n > 0)) {
      throw new UsageError(`--sizes expects numbers above 0, found ${values.sizes}`);
    }
    await bench(sizes, values.example);
    return 0;
  },
});

async function bench(sizes: number[], example: string): Promise<void> {
  // The example repository, warm: the CLI as CI runs it, then in-process.
  const cli = async () => {
    const t0 = performance.now();
    await run(Deno.execPath(), [
      "run",
      "-A",
      join(ROOT, "tasks/validate/main.ts"),
      "--format",
      "json",
    ], {
      cwd: ROOT,
    });
    return seconds(t0);
  };
  await cli(); // warms the cache
  const cliWarm = median([await cli(), await cli(), await cli()]);
  const inProcess: number[] = [];
  let exampleErrors = 0;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = await validateRepo(ROOT);
    inProcess.push(seconds(t0));
    exampleErrors = r.summary.errors;
  }
  console.log("example repository (warm, median of 3)");
  console.log(`  deno task validate (CLI, wall):  ${cliWarm.toFixed(2)} s   target < 3 s`);
  console.log(
    `  validateRepo() in-process:       ${
      median(inProcess).toFixed(2)
    } s   (${exampleErrors} error(s) found)`,
  );
  console.log("");

  const rows: string[][] = [[
    "clusters",
    "straightforward",
    "ours cold",
    "ours warm",
    "ratio cold",
    "ratio warm",
    "straight/cluster",
    "cold/cluster",
    "warm/cluster",
  ]];
  for (const n of sizes) {
    const root = await syntheticRepo(n, example);
    const cache = mkdtempSync(join(tmpdir(), "bench-cache-"));
    try {
      let t0 = performance.now();
      const cold = await validateRepo(root, { cacheDir: cache });
      const coldS = seconds(t0);
      t0 = performance.now();
      await validateRepo(root, { cacheDir: cache });
      const warmS = seconds(t0);
      t0 = performance.now();
      const straightFailures = await straightforward(root);
      const straightS = seconds(t0);
      if (cold.summary.errors > 0 || straightFailures > 0) {
        console.log(
          `  note: ${n} clusters: ours found ${cold.summary.errors} error(s), the straightforward ` +
            `pipeline ${straightFailures} failure(s)`,
        );
      }
      rows.push([
        String(n),
        `${straightS.toFixed(1)} s`,
        `${coldS.toFixed(1)} s`,
        `${warmS.toFixed(2)} s`,
        `${(straightS / coldS).toFixed(1)}x`,
        `${(straightS / warmS).toFixed(0)}x`,
        `${((straightS / n) * 1000).toFixed(0)} ms`,
        `${((coldS / n) * 1000).toFixed(0)} ms`,
        `${((warmS / n) * 1000).toFixed(0)} ms`,
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  console.log(`synthetic repositories (copies of clusters/${example}, generated)`);
  for (const r of rows) console.log("  " + r.map((v, i) => v.padStart(widths[i]!)).join("  "));
  console.log("  targets: ratio >= 3x at 50 clusters; time per cluster flat (linear growth)");
}
