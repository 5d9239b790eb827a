/**
 * Argo CD sync waves: the order in which Argo CD applies a render and waits for each wave to be
 * Healthy before the next. The monitoring core (the operator, then its custom resources and
 * Thanos Query) must never wait on an object whose health depends on the world outside the
 * repository (a load balancer, a Secret created by hand, a free port on every node), so those
 * go in the last wave. `outsideWorldDependencies()` and `coreWaitsOn()` check a render for it.
 */
import { isKind, type K8sObject, objectsOf, type PodSpec, podSpecOf } from "./objects.ts";

export const SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave";

/**
 * The waves: 0 for what is Healthy as soon as it exists (and the operator), 1 for the core,
 * 2 for what depends on the outside world. base/ writes the same numbers (its kustomization
 * patches the operator's custom resources, and each outside-world workload has its annotation).
 */
export const SYNC_WAVES = { operator: 0, core: 1, outsideWorld: 2 } as const;

/** The wave of an object (Argo CD's default is 0). */
export function waveOf(o: K8sObject): number {
  const raw = o.metadata.annotations?.[SYNC_WAVE_ANNOTATION];
  const n = raw === undefined ? 0 : Number(raw);
  return Number.isInteger(n) ? n : 0;
}

const CORE_KINDS = new Set([
  "Prometheus",
  "Alertmanager",
  "PrometheusRule",
  "ServiceMonitor",
  "PodMonitor",
]);
const CORE_WORKLOADS = new Set(["Deployment/prometheus-operator", "Deployment/thanos-query"]);

/** Is the object part of the monitoring core (what scrapes, stores, alerts and answers queries)? */
export function isCore(o: K8sObject): boolean {
  return CORE_KINDS.has(o.kind) || CORE_WORKLOADS.has(`${o.kind}/${o.metadata.name}`);
}

/** Secrets a pod spec cannot start without (non-optional references). */
function requiredSecrets(pod: PodSpec | undefined): string[] {
  const out: string[] = [];
  for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
    for (const e of c?.env ?? []) {
      const ref = e?.valueFrom?.secretKeyRef;
      if (ref?.name && ref.optional !== true) out.push(ref.name);
    }
    for (const e of c?.envFrom ?? []) {
      if (e?.secretRef?.name && e.secretRef.optional !== true) out.push(e.secretRef.name);
    }
  }
  for (const v of pod?.volumes ?? []) {
    if (v?.secret?.secretName && v.secret.optional !== true) out.push(v.secret.secretName);
  }
  return out;
}

/**
 * Why an object may never become Healthy for reasons outside the repository; [] when nothing
 * outside it decides. `objects` is the whole render: a Secret it holds is not outside.
 */
export function outsideWorldDependencies(o: K8sObject, objects: readonly K8sObject[]): string[] {
  const out: string[] = [];
  const inRender = (name: string) =>
    objectsOf(objects, "Secret").some((s) =>
      s.metadata.name.replace(/-[a-z0-9]{10}$/, "") === name
    );
  if (o.kind === "Ingress") {
    out.push("an Ingress is Healthy once a load balancer gives it an address");
  }
  if (isKind(o, "Service") && o.spec?.type === "LoadBalancer") {
    out.push("a LoadBalancer Service waits for an external address");
  }
  const pod = podSpecOf(o)?.spec;
  if (pod?.hostNetwork === true) {
    out.push("it needs its ports free on the host network of each node");
  }
  for (const c of pod?.containers ?? []) {
    for (const p of c?.ports ?? []) {
      if (p?.hostPort !== undefined) out.push(`it needs host port ${p.hostPort} free on each node`);
    }
  }
  const secrets = [
    ...requiredSecrets(pod),
    // The operator mounts these into the Prometheus and Alertmanager pods, not optional.
    ...((isKind(o, "Prometheus") || isKind(o, "Alertmanager")) ? (o.spec?.secrets ?? []) : []),
  ];
  for (const s of new Set<string>(secrets)) {
    if (!inRender(s)) out.push(`its pods need Secret ${s}, created outside the repository`);
  }
  return [...new Set(out)];
}

/**
 * The objects the core waits on that depend on the outside world: for each core object, every
 * such object in an earlier wave (Argo CD applies a wave only once the earlier ones are Healthy).
 * One line each, `Kind/name (wave n) waits on Kind/name (wave m): why`; [] when none.
 */
export function coreWaitsOn(objects: readonly K8sObject[]): string[] {
  const outside = objects
    .map((o) => ({ o, why: outsideWorldDependencies(o, objects) }))
    .filter((x) => x.why.length > 0);
  const out: string[] = [];
  for (const core of objects.filter(isCore)) {
    for (const { o, why } of outside) {
      if (waveOf(o) >= waveOf(core)) continue;
      out.push(
        `${core.kind}/${core.metadata.name} (wave ${waveOf(core)}) waits on ` +
          `${o.kind}/${o.metadata.name} (wave ${waveOf(o)}): ${why.join("; ")}`,
      );
    }
  }
  return out;
}
