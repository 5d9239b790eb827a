/**
 * What the end-to-end tests share: waiting, the local cluster's Thanos client, kubectl, the
 * test-queries CLI, log keeping.
 */
import { cpSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS_DIR, ROOT, toolPath } from "../model/paths.ts";
import { run, type RunResult } from "../proc/run.ts";
import { type K8sObject, objectsOf } from "../render/objects.ts";
import type { LocalCluster } from "../stack/local_cluster.ts";
import { fetchHttp, type RangeSeries, ThanosQuery } from "../testqueries/client.ts";
import { localTargetOf, runTestQueries } from "../testqueries/main.ts";
import type { Report } from "../testqueries/report.ts";
import { scrapeTargets } from "../testqueries/scrape_targets.ts";

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** Polls `fn` until it returns a value other than undefined; throws `what` at the deadline. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined>,
  intervalMs = 500,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ""}`);
}

export function thanosOf(cluster: LocalCluster): ThanosQuery {
  return new ThanosQuery(fetchHttp(10_000), cluster.urls.thanosQuery);
}

/** The pinned kubectl with the local cluster's kubeconfig. */
export function kubectl(cluster: LocalCluster, ...args: string[]): Promise<RunResult> {
  return run(toolPath("kubectl"), ["--kubeconfig", cluster.kubeconfig, ...args], {
    timeoutMs: 120_000,
  });
}

/** The job that scrapes the node-exporter DaemonSet: one target per node, so one series. */
export function nodeExporterJob(objects: readonly K8sObject[]): string {
  const prometheus = objectsOf(objects, "Prometheus")[0];
  const job = prometheus &&
    scrapeTargets(objects, prometheus)
      .find((t) => t.pods.kind === "DaemonSet" && t.pods.name === "node-exporter")?.job;
  if (!job) throw new Error("no job of the render scrapes the node-exporter DaemonSet");
  return job;
}

/** Runs test-queries in-process against the cluster (its render, or `objects`). */
export async function testQueries(cluster: LocalCluster, objects?: K8sObject[]): Promise<Report> {
  return await runTestQueries(await localTargetOf(cluster, objects));
}

/** `deno task test-queries --local --format json`, as a person runs it. */
export async function testQueriesCli(): Promise<{ code: number; report: Report }> {
  const r = await run(Deno.execPath(), [
    "run",
    "-A",
    "tasks/testqueries/main.ts",
    "--local",
    "--format",
    "json",
  ], { cwd: ROOT, timeoutMs: 180_000 });
  if (r.stdout.trim() === "") throw new Error(`test-queries printed nothing: ${r.stderr}`);
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

/** The failures of a report, one line each, for assertion messages. */
export function failures(report: Report): string[] {
  return report.checks.flatMap((c) => c.details.filter((d) => d.startsWith("FAIL")));
}

/** Sample timestamps (ms) of one series of a range-vector result. */
export function timestamps(series: RangeSeries): number[] {
  return series.values.map(([t]) => Math.round(t * 1000));
}

/** The longest time between two consecutive samples. */
export function longestGap(times: readonly number[]): number {
  let gap = 0;
  for (let i = 1; i < times.length; i++) {
    gap = Math.max(gap, (times[i] as number) - (times[i - 1] as number));
  }
  return gap;
}

/** Keeps the cluster's logs (control plane, agent, every container) where CI keeps artifacts. */
export function keepLogs(cluster: LocalCluster, name: string): string {
  const to = join(ARTIFACTS_DIR, "e2e-logs", name);
  mkdirSync(to, { recursive: true });
  const sources = [[cluster.supervisor.logDir, to], [
    join(cluster.dir, "node", "logs"),
    join(to, "pods"),
  ]];
  for (const [from, dest] of sources) {
    if (existsSync(from as string)) cpSync(from as string, dest as string, { recursive: true });
  }
  return to;
}
