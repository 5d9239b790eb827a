/**
 * One replica's snapshot, wherever the replica runs: note what it answers now, take the snapshot,
 * copy it out, verify the copy. How the snapshot is reached and copied (a local directory, or
 * `kubectl cp` from a pod) is the caller's.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { querySeries, type TsdbBlock, verifySnapshot } from "./verify.ts";
import { takeSnapshot } from "./admin_api.ts";
import { sleep } from "../stack/process.ts";

/** The series every replica has once it has scraped its targets: one `up` per target. */
export const PROBE_EXPR = "up";

export interface ReplicaSnapshot {
  /** The replica label's value: `prometheus-k8s-0`. */
  replica: string;
  /** The snapshot's name on the replica (`20251125T042935Z-72efc5866005e3e0`). */
  name: string;
  /** Where its copy is. */
  dir: string;
  blocks: TsdbBlock[];
  /** The probe's series, found both on the replica and on the copy. */
  series: string[];
  probeTime: number;
}

export interface ReplicaAccess {
  replica: string;
  /** The replica's HTTP API (a local port, or a port-forward). */
  url: string;
  /** Copies snapshot `name` to `dest` and removes it from the replica. */
  copyOut(name: string, dest: string): Promise<void>;
}

/**
 * Waits until the replica answers the probe with at least `minSeries` series (its targets are
 * scraped), so the snapshot holds something to verify; returns the time and the series.
 */
export async function probe(
  url: string,
  minSeries: number,
  timeoutMs: number,
): Promise<{ time: number; series: string[] }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // A little in the past: a scrape that started just before now may not be appended yet.
    const time = Math.floor(Date.now() / 1000) - 2;
    let series: string[] = [];
    try {
      series = await querySeries(url, PROBE_EXPR, time);
    } catch { /* not answering yet */ }
    if (series.length >= Math.max(1, minSeries)) return { time, series };
    if (Date.now() > deadline) {
      throw new Error(
        `${url} answers ${PROBE_EXPR} with ${series.length} series after ${timeoutMs} ms; ` +
          `expected at least ${Math.max(1, minSeries)}: nothing to snapshot yet`,
      );
    }
    await sleep(500);
  }
}

/** Throws when a replica's copy would land in a folder that already holds something. */
export function refuseExisting(out: string, replicas: readonly string[]): void {
  for (const r of replicas) {
    const dest = join(out, r);
    if (existsSync(dest) && readdirSync(dest).length > 0) {
      throw new Error(`${dest} exists and is not empty; choose another --out`);
    }
  }
}

/** Snapshot, copy out, verify: one replica. */
export async function snapshotReplica(
  access: ReplicaAccess,
  dest: string,
  opts: { minSeries: number; timeoutMs: number },
): Promise<ReplicaSnapshot> {
  const p = await probe(access.url, opts.minSeries, opts.timeoutMs);
  const name = await takeSnapshot(access.url);
  await access.copyOut(name, dest);
  const v = await verifySnapshot(dest, { expr: PROBE_EXPR, time: p.time, series: p.series });
  return {
    replica: access.replica,
    name,
    dir: dest,
    blocks: v.blocks,
    series: v.series,
    probeTime: p.time,
  };
}
