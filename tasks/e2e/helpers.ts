/** What the end-to-end tests share: waiting, the local stack's Thanos client, log keeping. */
import { cpSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS_DIR } from "../model/paths.ts";
import type { Stack } from "../stack/up.ts";
import { fetchHttp, type RangeSeries, ThanosQuery } from "../testqueries/client.ts";
import { localTargetOf, runTestQueries } from "../testqueries/main.ts";
import type { Report } from "../testqueries/report.ts";
import type { StackState } from "../stack/up.ts";

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
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

export function thanosOf(stack: Stack): ThanosQuery {
  return new ThanosQuery(fetchHttp(10_000), stack.plan.urls.thanosQuery);
}

/** The state `up` would write, for test-queries against this stack. */
export function stateOf(stack: Stack): StackState {
  const { files: _files, ...plan } = stack.plan;
  return { cluster: stack.cluster, pid: Deno.pid, plan };
}

/** Runs test-queries in-process against the stack. */
export async function testQueries(stack: Stack): Promise<Report> {
  return await runTestQueries(await localTargetOf(stateOf(stack)));
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

/** Keeps the stack's logs where CI keeps artifacts, when a test failed. */
export function keepLogs(stack: Stack, name: string): string {
  const to = join(ARTIFACTS_DIR, "e2e-logs", name);
  mkdirSync(to, { recursive: true });
  cpSync(stack.supervisor.logDir, to, { recursive: true });
  return to;
}
