/**
 * Snapshots of the local stack's replicas. A running `deno task up` is used when its replicas
 * already have the admin API (its cluster sets `enable_admin_api: true`); otherwise the replicas
 * are started from the same render with the admin API on, only for the operation, and stopped
 * with it: the local equivalent of turning `enable_admin_api` on and off again.
 */
import { cpSync, existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { OVERLAYS_DIR } from "../model/paths.ts";
import { type K8sObject, kustomizeBuild } from "../render/kustomize.ts";
import { flagValue, type LocalPlan } from "../stack/config.ts";
import { httpReady } from "../stack/process.ts";
import { defaultStateFile, type StackState, startStack } from "../stack/up.ts";
import {
  refuseExisting,
  type ReplicaAccess,
  type ReplicaSnapshot,
  snapshotReplica,
} from "./replica.ts";

export const ADMIN_API_FLAG = "--web.enable-admin-api";

export interface LocalSnapshotOptions {
  /** The cluster folder whose stack is used (default `local`). */
  cluster?: string;
  /** Where the copies go, one folder per replica. */
  out: string;
  /** The state file of a running `deno task up` (default its usual place for the cluster). */
  stateFile?: string;
  /** A render to use instead of `overlays/<cluster>` (tests). */
  objects?: K8sObject[];
  onProgress?: (line: string) => void;
  /** How long replicas have to be ready and to scrape their targets (default 60 s). */
  timeoutMs?: number;
}

export interface LocalSnapshotResult {
  cluster: string;
  /** `running`: the replicas of a running `deno task up`; `started`: started for the operation. */
  source: "running" | "started";
  snapshots: ReplicaSnapshot[];
  /** How the admin API is off again, for the person who ran the task. */
  adminApiOff: string;
}

/** The render with the Prometheus CR's admin API on (what `enable_admin_api: true` generates). */
export function withAdminApi(objects: readonly K8sObject[]): K8sObject[] {
  return objects.map((o) =>
    o.kind === "Prometheus" ? { ...o, spec: { ...(o.spec ?? {}), enableAdminAPI: true } } : o
  );
}

/** A local replica: its URL and data directory, from the stack's plan. */
interface LocalReplica {
  replica: string;
  url: string;
  dataDir: string;
  adminApi: boolean;
}

/** The Prometheus replicas of a plan, in order. */
export function localReplicas(plan: Pick<LocalPlan, "processes" | "replicas" | "urls">) {
  const processes = plan.processes.filter((p) => p.binary === "prometheus");
  return processes.map((p, i): LocalReplica => {
    const dataDir = flagValue(p.args, "--storage.tsdb.path");
    if (dataDir === undefined) throw new Error(`${p.name} has no --storage.tsdb.path`);
    return {
      replica: plan.replicas[i] ?? p.name,
      url: plan.urls.prometheus[i] ?? "",
      dataDir,
      adminApi: p.args.includes(ADMIN_API_FLAG),
    };
  });
}

function access(r: LocalReplica): ReplicaAccess {
  return {
    replica: r.replica,
    url: r.url,
    copyOut(name, dest) {
      const src = join(r.dataDir, "snapshots", name);
      cpSync(src, dest, { recursive: true });
      // The snapshot's new head block takes room in the replica's data directory.
      rmSync(src, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/** A running `deno task up` whose every replica answers, or undefined. */
async function runningStack(stateFile: string): Promise<StackState | undefined> {
  if (!existsSync(stateFile)) return undefined;
  let state: StackState;
  try {
    state = JSON.parse(readFileSync(stateFile, "utf8")) as StackState;
  } catch {
    return undefined;
  }
  for (const url of state.plan.urls.prometheus) {
    if (!await httpReady(`${url}/-/ready`)()) return undefined;
  }
  return state;
}

async function snapshotAll(
  replicas: readonly LocalReplica[],
  out: string,
  minSeries: number,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<ReplicaSnapshot[]> {
  refuseExisting(out, replicas.map((r) => r.replica));
  const done: ReplicaSnapshot[] = [];
  for (const r of replicas) {
    progress(`${r.replica}: POST /api/v1/admin/tsdb/snapshot, copy, verify`);
    done.push(await snapshotReplica(access(r), join(out, r.replica), { minSeries, timeoutMs }));
  }
  return done;
}

export async function snapshotLocal(opts: LocalSnapshotOptions): Promise<LocalSnapshotResult> {
  const cluster = opts.cluster ?? "local";
  const progress = opts.onProgress ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const running = await runningStack(opts.stateFile ?? defaultStateFile(cluster));
  if (running) {
    const replicas = localReplicas(running.plan);
    if (replicas.every((r) => r.adminApi)) {
      progress(`using the running local stack of ${cluster} (pid ${running.pid})`);
      return {
        cluster,
        source: "running",
        snapshots: await snapshotAll(replicas, opts.out, 1, timeoutMs, progress),
        adminApiOff: `The running stack has the admin API because clusters/${cluster}/` +
          "prometheus.yaml sets spec.config.enable_admin_api: true. To turn it off, remove that " +
          `line (the default is false), run \`deno task generate ${cluster}\` and restart ` +
          "`deno task up`.",
      };
    }
    progress(
      `the running local stack (pid ${running.pid}) has no admin API and is left alone; ` +
        "starting replicas with the admin API for this snapshot",
    );
  }
  const objects = opts.objects ??
    (await kustomizeBuild(join(OVERLAYS_DIR, cluster))).objects;
  const stack = await startStack({
    cluster,
    objects: withAdminApi(objects),
    lifetimeMs: 10 * timeoutMs,
    readyTimeoutMs: timeoutMs,
    onProgress: progress,
  });
  try {
    const snapshots = await snapshotAll(
      localReplicas(stack.plan),
      opts.out,
      // Every target scraped once: the snapshot then holds one `up` series per target.
      stack.plan.targets.length,
      timeoutMs,
      progress,
    );
    return {
      cluster,
      source: "started",
      snapshots,
      adminApiOff: `The admin API is off again: the ${snapshots.length} replicas started with ` +
        `${ADMIN_API_FLAG} for this snapshot are stopped and their data deleted; ` +
        `clusters/${cluster}/prometheus.yaml was not changed.`,
    };
  } finally {
    await stack.close();
  }
}
