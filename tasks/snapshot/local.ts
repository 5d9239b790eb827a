/**
 * Snapshots of the running local cluster's replicas, the Kubernetes way: the admin API turned on
 * in the Prometheus CR (`spec.enableAdminAPI: true`), the operator's rollout awaited, the snapshot
 * endpoint called on each replica at its pod IP (the host reaches the pod network; there is no
 * kubelet port-forward here), the snapshot copied out of the replica's volume folder on the host
 * (its PersistentVolume's hostPath) and removed there, the copy verified, and the admin API turned
 * off again with a second rollout. A cluster whose render already turns the admin API on is left
 * as it is.
 */
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { adminClient, type ClusterState, runningLocalCluster } from "../controlplane/state.ts";
import type { KubeClient } from "../kube/client.ts";
import { claimFolder } from "../node/provisioner.ts";
import type { Container, Pod, Prometheus } from "../render/objects.ts";
import { PROMETHEUS_CONTAINER, PROMETHEUS_DATA_DIR, PROMETHEUS_PORT } from "./cluster.ts";
import {
  refuseExisting,
  type ReplicaAccess,
  type ReplicaSnapshot,
  snapshotReplica,
} from "./replica.ts";

export const ADMIN_API_FLAG = "--web.enable-admin-api";
const PROMETHEUS_API = "monitoring.coreos.com/v1";

export interface LocalSnapshotOptions {
  /** Where the copies go, one folder per replica. */
  out: string;
  /** The running local cluster (default: the one `deno task up` describes). */
  state?: ClusterState;
  onProgress?: (line: string) => void;
  /** How long each rollout and each replica's first answer may take (default 5 minutes). */
  timeoutMs?: number;
}

export interface LocalSnapshotResult {
  cluster: string;
  /** `turned-on`: for this snapshot only; `already-on`: the cluster's render has it on. */
  adminApi: "turned-on" | "already-on";
  snapshots: ReplicaSnapshot[];
  /** How the admin API is off again (or why it stays on), for the person who ran the task. */
  adminApiOff: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The pods of a Prometheus CR, by the labels the operator gives them. */
export function replicaSelector(prometheus: string): string {
  return `app.kubernetes.io/name=prometheus,operator.prometheus.io/name=${prometheus}`;
}

function prometheusContainer(pod: Pod): Container | undefined {
  return (pod.spec?.containers ?? []).find((c) => c.name === PROMETHEUS_CONTAINER);
}

/**
 * What the rollout to `adminApi` still waits for, or undefined once every replica of the
 * Prometheus CR runs with the admin API on (or off) and is Ready. Pure.
 */
export function rolloutPending(
  pods: readonly Pod[],
  replicas: number,
  adminApi: boolean,
): string | undefined {
  const live = pods.filter((p) => !p.metadata.deletionTimestamp);
  if (live.length !== pods.length || live.length !== replicas) {
    return `${live.length} of ${replicas} replicas running, ${pods.length - live.length} stopping`;
  }
  for (const p of live) {
    const args: string[] = prometheusContainer(p)?.args ?? [];
    if (args.includes(ADMIN_API_FLAG) !== adminApi) {
      return `${p.metadata.name} still runs with the admin API ${adminApi ? "off" : "on"}`;
    }
    const ready = (p.status?.conditions ?? []).some((c) =>
      c.type === "Ready" && c.status === "True"
    );
    if (!ready) return `${p.metadata.name} is not Ready yet`;
  }
  return undefined;
}

/** Sets the CR's `enableAdminAPI` (null removes it) and waits for the operator's rollout. */
async function setAdminApi(
  client: KubeClient,
  cr: Prometheus,
  value: boolean | null,
  timeoutMs: number,
  progress: (line: string) => void,
): Promise<void> {
  const { name } = cr.metadata;
  const namespace = cr.metadata.namespace ?? "default";
  progress(
    `Prometheus ${namespace}/${name}: spec.enableAdminAPI: ${value}; waiting for the rollout`,
  );
  await client.mergePatch(PROMETHEUS_API, "Prometheus", namespace, name, {
    spec: { enableAdminAPI: value },
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pods = await client.list("v1", "Pod", {
      namespace,
      labelSelector: replicaSelector(name),
    });
    const pending = rolloutPending(pods.items, cr.spec?.replicas ?? 1, value === true);
    if (pending === undefined) return;
    if (Date.now() > deadline) {
      throw new Error(`the rollout of Prometheus ${namespace}/${name} timed out: ${pending}`);
    }
    await sleep(1_000);
  }
}

/** The host folder holding a replica's data directory: its claim's volume, plus the subPath. */
async function dataFolder(client: KubeClient, pod: Pod): Promise<string> {
  const mount = (prometheusContainer(pod)?.volumeMounts ?? []).find((m) =>
    m.mountPath === PROMETHEUS_DATA_DIR
  );
  const volume = (pod.spec?.volumes ?? []).find((v) => v.name === mount?.name);
  const claim = volume?.persistentVolumeClaim?.claimName;
  if (!mount || !claim) {
    throw new Error(
      `${pod.metadata.name}: ${PROMETHEUS_DATA_DIR} is not on a PersistentVolumeClaim ` +
        "(the cluster sets no Prometheus storage), so its snapshot has no folder on the host",
    );
  }
  const folder = await claimFolder(client, pod.metadata.namespace ?? "default", claim);
  return mount.subPath ? join(folder, mount.subPath) : folder;
}

async function replicaAccess(client: KubeClient, pod: Pod): Promise<ReplicaAccess> {
  const ip = pod.status?.podIP;
  if (!ip) throw new Error(`${pod.metadata.name} has no IP`);
  const port = (prometheusContainer(pod)?.ports ?? []).find((p) => p.name === "web")
    ?.containerPort ?? PROMETHEUS_PORT;
  const data = await dataFolder(client, pod);
  return {
    replica: pod.metadata.name,
    url: `http://${ip}:${port}`,
    copyOut(name, dest) {
      const src = join(data, "snapshots", name);
      cpSync(src, dest, { recursive: true });
      // The snapshot's new head block takes room on the replica's volume.
      rmSync(src, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

export async function snapshotLocal(opts: LocalSnapshotOptions): Promise<LocalSnapshotResult> {
  const progress = opts.onProgress ?? (() => {});
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const state = opts.state ?? runningLocalCluster();
  const client = adminClient(state);
  try {
    const crs = (await client.list(PROMETHEUS_API, "Prometheus")).items;
    if (crs.length !== 1) {
      throw new Error(`the local cluster has ${crs.length} Prometheus objects, expected one`);
    }
    const cr = crs[0] as Prometheus;
    const { namespace, name } = cr.metadata;
    const alreadyOn = cr.spec?.enableAdminAPI === true;
    const replicas = Array.from(
      { length: cr.spec?.replicas ?? 1 },
      (_, i) => `prometheus-${name}-${i}`,
    );
    refuseExisting(opts.out, replicas);
    if (!alreadyOn) await setAdminApi(client, cr, true, timeoutMs, progress);
    const snapshots: ReplicaSnapshot[] = [];
    try {
      for (const replica of replicas) {
        const pod = await client.get("v1", "Pod", namespace, replica);
        if (!pod) throw new Error(`no pod ${namespace}/${replica}`);
        const access = await replicaAccess(client, pod);
        progress(`${replica}: POST ${access.url}/api/v1/admin/tsdb/snapshot, copy, verify`);
        snapshots.push(
          await snapshotReplica(access, join(opts.out, replica), { minSeries: 1, timeoutMs }),
        );
      }
    } finally {
      // Back to what the render says, whatever happened.
      if (!alreadyOn) {
        await setAdminApi(client, cr, cr.spec?.enableAdminAPI ?? null, timeoutMs, progress);
      }
    }
    return {
      cluster: state.cluster,
      adminApi: alreadyOn ? "already-on" : "turned-on",
      snapshots,
      adminApiOff: alreadyOn
        ? `The admin API stays on: clusters/${state.cluster}/prometheus.yaml sets ` +
          "spec.config.enable_admin_api: true. To turn it off, remove that line (the default " +
          `is false), run \`deno task generate ${state.cluster}\` and restart \`deno task up\`.`
        : `The admin API is off again: spec.enableAdminAPI of Prometheus ${namespace}/${name} ` +
          "was set to true for this snapshot and back after it, and the operator rolled the " +
          `replicas out both times; clusters/${state.cluster}/prometheus.yaml was not changed.`,
    };
  } finally {
    client.close();
  }
}
