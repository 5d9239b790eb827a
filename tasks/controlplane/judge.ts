/**
 * What can never become healthy on the local cluster, so the sync-wave apply does not wait for
 * it: an Ingress or a LoadBalancer Service (no ingress or load-balancer controller runs here to
 * give it an address), and any workload when no Ready node can run its pods, or when every pod of
 * it waits for a reason that will not pass by itself (an image we cannot run here, a Secret or
 * ConfigMap the platform creates outside the repository). Everything else is waited for.
 */
import type { BlockJudge } from "../kube/apply.ts";
import type { KubeClient } from "../kube/client.ts";
import { isKind, isTemplated, type K8sObject, type Pod } from "../render/objects.ts";
import { labelSelectorQuery } from "../render/selectors.ts";

/** Waiting reasons that do not pass by waiting. */
export const PERMANENT_WAITING = ["ImageNotRunnable", "CreateContainerConfigError"] as const;

const WORKLOADS = new Set([
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "Pod",
  "Prometheus",
  "Alertmanager",
  "PersistentVolumeClaim",
]);

/**
 * A Secret or ConfigMap a pod waits for that the render does not hold: created by the platform
 * outside the repository, it will not appear by waiting. `provided` holds the render's
 * `Kind/namespace/name`. Pure.
 */
export function missingFromOutside(
  message: string,
  namespace: string,
  provided: ReadonlySet<string>,
): string | undefined {
  const m = /(secret|configmap) "([^"]+)" not found/.exec(message);
  if (!m) return undefined;
  const kind = m[1] === "secret" ? "Secret" : "ConfigMap";
  if (provided.has(`${kind}/${namespace}/${m[2]}`)) return undefined;
  return `waits for ${kind} ${namespace}/${m[2]}, which the platform creates outside the ` +
    "repository";
}

/** The reason every pod waits for, when all wait for a permanent one. Pure. */
export function permanentWait(
  pods: readonly Pod[],
  provided: ReadonlySet<string> = new Set(),
): string | undefined {
  if (pods.length === 0) return undefined;
  const reasons = pods.map((p) => {
    for (
      const c of [
        ...(p.status?.initContainerStatuses ?? []),
        ...(p.status?.containerStatuses ?? []),
      ]
    ) {
      const w = c.state?.waiting;
      if (w?.reason && (PERMANENT_WAITING as readonly string[]).includes(w.reason)) {
        return `${w.reason}: ${w.message ?? c.name}`;
      }
      const outside = w?.message &&
        missingFromOutside(w.message, p.metadata.namespace ?? "default", provided);
      if (outside) return outside;
    }
    return undefined;
  });
  return reasons.every((r) => r !== undefined) ? reasons[0] : undefined;
}

/** The label selector of the pods of a workload or an operator resource, or undefined. */
function podSelector(obj: K8sObject): string | undefined {
  if (obj.kind === "Prometheus") return `prometheus=${obj.metadata.name}`;
  if (obj.kind === "Alertmanager") return `alertmanager=${obj.metadata.name}`;
  return isTemplated(obj) && obj.spec?.selector ? labelSelectorQuery(obj.spec.selector) : undefined;
}

/**
 * The judge of the local cluster, asking its API server about nodes and pods. `render` is what
 * is being synced: a Secret it does not hold is one the platform creates outside it.
 */
export function localJudge(client: KubeClient, render: readonly K8sObject[] = []): BlockJudge {
  const provided = new Set(
    render.filter((o) => o.kind === "Secret" || o.kind === "ConfigMap").map((o) =>
      `${o.kind}/${o.metadata.namespace ?? "default"}/${o.metadata.name}`
    ),
  );
  return async (obj) => {
    if (obj.kind === "Ingress") {
      return "no ingress controller runs on the local cluster to give it an address";
    }
    if (obj.kind === "Service") {
      return "no load-balancer controller runs on the local cluster to give it an address";
    }
    if (!WORKLOADS.has(obj.kind)) return undefined;
    const nodes = await client.list("v1", "Node");
    const ready = nodes.items.filter((n) =>
      (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True")
    );
    if (ready.length === 0) return "no Ready node runs pods on this cluster";
    if (isKind(obj, "Pod")) return permanentWait([obj], provided);
    const selector = podSelector(obj);
    if (!selector) return undefined;
    const pods = await client.list("v1", "Pod", {
      namespace: obj.metadata.namespace ?? "default",
      labelSelector: selector,
    });
    return permanentWait(pods.items, provided);
  };
}
