/**
 * `deno task bench stack [cluster]`: the local cluster, measured: the time from the start to every
 * pod Ready (control plane and sync apart), the time until the whole test plan first passes (it
 * waits for the Watchdog's first notification and for every replica to have scraped every job),
 * the time of one full test-queries run on the settled cluster, and the memory of the whole local
 * cluster: the resident memory of every process (control plane, kube-proxy, the node agent, which
 * runs in this Deno process, and every container), summed (RSS; and PSS, where the pages processes
 * share count once).
 */
import { command } from "../cli/command.ts";
import { startLocalCluster } from "../stack/local_cluster.ts";
import { localTargetOf, runTestQueries } from "../testqueries/main.ts";
import { memoryByCommand, processTree, readProcesses } from "./memory.ts";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

export const benchCommand = command({
  name: "bench stack",
  summary: "The local cluster's time to every pod Ready, to the test plan's first pass, of one " +
    "full test-queries run, and its memory.",
  options: {},
  positionals: { usage: "[cluster]", max: 1 },
  run: async ({ positionals }) => {
    await bench(positionals[0] ?? "local");
    return 0;
  },
});

async function bench(cluster: string): Promise<void> {
  const t0 = performance.now();
  const local = await startLocalCluster({
    cluster,
    lifetimeMs: 900_000,
    onProgress: (line) => console.error(`  … ${line}`),
  });
  try {
    const t = local.timings;
    console.log(
      `local cluster ${cluster}: every pod ready ${seconds(t.readyMs)} after the start ` +
        `(control plane ${seconds(t.controlPlaneMs)}, sync ${seconds(t.applyMs)})`,
    );
    const target = await localTargetOf(local);
    const deadline = performance.now() + 300_000;
    let report = await runTestQueries(target);
    while (!report.ok && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2_000));
      report = await runTestQueries(target);
    }
    if (!report.ok) {
      const failed = report.checks.filter((c) => !c.ok).map((c) => c.id).join(", ");
      throw new Error(`test-queries still fails after 300 s: ${failed}`);
    }
    console.log(`test plan first passes ${seconds(performance.now() - t0)} after the start`);
    const run = await runTestQueries(target);
    console.log(
      `one full test-queries run: ${seconds(run.durationMs)} (${run.ok ? "ok" : "FAIL"})`,
    );

    const tree = processTree(readProcesses(), Deno.pid);
    const sum = (field: "rssBytes" | "pssBytes") => tree.reduce((n, p) => n + p[field], 0);
    const top = memoryByCommand(tree).slice(0, 8)
      .map((r) => `${r.command}${r.count > 1 ? ` ×${r.count}` : ""} ${mib(r.rssBytes)}`);
    console.log(
      `memory of the whole local cluster: ${mib(sum("rssBytes"))} RSS summed over ` +
        `${tree.length} processes (${mib(sum("pssBytes"))} PSS, shared pages once); ` +
        `largest: ${top.join(", ")}`,
    );
  } finally {
    await local.close();
  }
}
