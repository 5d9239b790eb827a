/**
 * Applies a render the way Argo CD syncs it: server-side apply, one sync wave at a time (the
 * `argocd.argoproj.io/sync-wave` annotation, lowest first), kinds in Argo CD's order within a
 * wave, and the next wave only once every object of this one is Healthy by Argo CD's rules.
 *
 * An object that can never become healthy on this machine (no ingress controller gives an Ingress
 * an address; a pod whose image we cannot run) must not hang the sync: a judge, given each
 * unhealthy object, names what it waits for when that cannot happen here, and the wave goes on
 * with the object reported as blocked, never silently counted as healthy.
 */
import type { K8sObject } from "../render/objects.ts";
import { resourceId } from "../render/kustomize.ts";
import { waveOf } from "../render/sync_waves.ts";
import { KubeClient, KubeError } from "./client.ts";
import { type Health, healthOf } from "./health.ts";

/** Argo CD's order of kinds inside a wave; other kinds (custom resources) come after. */
export const KIND_ORDER = [
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
] as const;

function kindRank(kind: string): number {
  const i = (KIND_ORDER as readonly string[]).indexOf(kind);
  return i < 0 ? KIND_ORDER.length : i;
}

/** The objects grouped by wave, lowest first, each wave in Argo CD's kind order. Pure. */
export function syncWaves(objects: readonly K8sObject[]): [number, K8sObject[]][] {
  const waves = new Map<number, K8sObject[]>();
  for (const o of objects) {
    const w = waveOf(o);
    waves.set(w, [...(waves.get(w) ?? []), o]);
  }
  return [...waves.entries()].sort(([a], [b]) => a - b).map(([w, objs]) => [
    w,
    [...objs].sort((a, b) =>
      kindRank(a.kind) - kindRank(b.kind) || a.kind.localeCompare(b.kind) ||
      (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") ||
      a.metadata.name.localeCompare(b.metadata.name)
    ),
  ]);
}

/** Consecutive runs of objects of one kind. Pure. */
export function byKind(objs: readonly K8sObject[]): K8sObject[][] {
  const out: K8sObject[][] = [];
  for (const o of objs) {
    const last = out.at(-1);
    if (last && last[0]?.kind === o.kind) last.push(o);
    else out.push([o]);
  }
  return out;
}

/** Why an unhealthy object cannot become healthy here, or undefined to keep waiting for it. */
export type BlockJudge = (obj: K8sObject, health: Health) => Promise<string | undefined>;

export interface ObjectOutcome {
  id: string;
  health: Health;
  /** Set when the judge said it cannot become healthy here. */
  blockedBy?: string;
}

export interface WaveReport {
  wave: number;
  applied: number;
  applyMs: number;
  waitMs: number;
  /** Every object that did not end Healthy. */
  notHealthy: ObjectOutcome[];
}

export class SyncError extends Error {
  constructor(message: string, readonly reports: WaveReport[]) {
    super(message);
  }
}

export interface ApplyOptions {
  fieldManager: string;
  judge: BlockJudge;
  /** How long a wave may wait for health (default 3 minutes). */
  waveTimeoutMs?: number;
  pollMs?: number;
  onProgress?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Applies every object, wave by wave; throws SyncError naming what a wave still waits for. */
export async function applyInWaves(
  client: KubeClient,
  objects: readonly K8sObject[],
  opts: ApplyOptions,
): Promise<WaveReport[]> {
  const reports: WaveReport[] = [];
  const progress = opts.onProgress ?? (() => {});
  for (const [wave, objs] of syncWaves(objects)) {
    const t0 = performance.now();
    // Kinds in order; the objects of one kind at once (large CRDs take seconds each).
    for (const group of byKind(objs)) {
      await Promise.all(group.map(async (obj) => {
        try {
          await client.apply(obj, { fieldManager: opts.fieldManager });
        } catch (e) {
          const message = e instanceof Error ? e.message : String(e);
          throw new SyncError(
            `wave ${wave}: applying ${resourceId(obj)} failed: ${message}`,
            reports,
          );
        }
      }));
      // A new CRD's kinds are served only once it is established: forget discovery so the next
      // object of a new kind looks again.
      if (group[0]?.kind === "CustomResourceDefinition") client.forgetDiscovery();
    }
    const applyMs = performance.now() - t0;
    progress(`wave ${wave}: applied ${objs.length} objects in ${Math.round(applyMs)} ms`);
    const deadline = Date.now() + (opts.waveTimeoutMs ?? 180_000);
    let outcomes: ObjectOutcome[] = [];
    while (true) {
      outcomes = await assess(client, objs, opts.judge);
      const waiting = outcomes.filter((o) => o.blockedBy === undefined);
      if (waiting.length === 0) break;
      if (Date.now() > deadline) {
        reports.push({
          wave,
          applied: objs.length,
          applyMs,
          waitMs: performance.now() - t0 - applyMs,
          notHealthy: outcomes,
        });
        throw new SyncError(
          `wave ${wave} is not healthy after ${
            Math.round((opts.waveTimeoutMs ?? 180_000) / 1000)
          } s: ${
            waiting.map((o) => `${o.id} (${o.health.status}: ${o.health.message})`).join("; ")
          }`,
          reports,
        );
      }
      await sleep(opts.pollMs ?? 500);
    }
    const waitMs = performance.now() - t0 - applyMs;
    reports.push({ wave, applied: objs.length, applyMs, waitMs, notHealthy: outcomes });
    const blocked = outcomes.length > 0
      ? `; ${outcomes.length} cannot become healthy here: ${
        outcomes.map((o) => `${o.id} (${o.blockedBy})`).join(", ")
      }`
      : "";
    progress(`wave ${wave}: healthy after ${Math.round(waitMs)} ms${blocked}`);
  }
  return reports;
}

/** Reads each object back and judges the unhealthy ones. */
async function assess(
  client: KubeClient,
  objs: readonly K8sObject[],
  judge: BlockJudge,
): Promise<ObjectOutcome[]> {
  const out: ObjectOutcome[] = [];
  for (const obj of objs) {
    let live: K8sObject | undefined;
    try {
      live = await client.get(obj.apiVersion, obj.kind, obj.metadata.namespace, obj.metadata.name);
    } catch (e) {
      if (!(e instanceof KubeError)) throw e;
    }
    const health: Health = live ? healthOf(live) : { status: "Progressing", message: "missing" };
    if (health.status === "Healthy" || health.status === "Suspended") continue;
    const blockedBy = live ? await judge(live, health) : undefined;
    out.push({ id: resourceId(obj), health, ...(blockedBy ? { blockedBy } : {}) });
  }
  return out;
}
