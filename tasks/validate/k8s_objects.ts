/** Helpers that read rendered Kubernetes objects the way the API server and the operator do. */
import {
  type Container,
  isKind,
  isTemplated,
  type K8sObject,
  type PodSpecAt,
  type Service,
} from "../render/objects.ts";
import { mapSelectorMatches } from "../render/selectors.ts";

/**
 * The labels the pods of an object carry: a workload's template labels, or for the operator's
 * Prometheus and Alertmanager the labels the operator puts on their StatefulSet pods.
 */
export function podLabelsOf(o: K8sObject): Record<string, string> | null {
  if (isKind(o, "Prometheus") || isKind(o, "Alertmanager")) {
    const app = o.kind === "Prometheus" ? "prometheus" : "alertmanager";
    const labels: Record<string, string> = {
      ...o.spec?.podMetadata?.labels,
      "app.kubernetes.io/name": app,
      "app.kubernetes.io/instance": o.metadata.name,
      "app.kubernetes.io/managed-by": "prometheus-operator",
      [app]: o.metadata.name,
    };
    if (o.kind === "Prometheus") {
      labels["operator.prometheus.io/name"] = o.metadata.name;
      labels["operator.prometheus.io/shard"] = "0";
    }
    return labels;
  }
  if (isKind(o, "CronJob")) return o.spec?.jobTemplate?.spec?.template?.metadata?.labels ?? {};
  if (isKind(o, "Pod")) return o.metadata.labels ?? {};
  if (isTemplated(o)) return o.spec?.template?.metadata?.labels ?? {};
  return null;
}

/** A Service's plain `selector` map against pod labels. */
export function serviceSelects(svc: Service, labels: Record<string, string>): boolean {
  return mapSelectorMatches(svc.spec?.selector, labels);
}

/** `{a: "1"}` → `a=1`, for messages. */
export function showLabels(labels: Record<string, unknown>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? "{}" : entries.map(([k, v]) => `${k}=${v}`).join(",");
}

export function sameNamespace(a: K8sObject, b: K8sObject): boolean {
  return (a.metadata.namespace ?? "") === (b.metadata.namespace ?? "");
}

/** Every container of a pod spec with its path (`spec.template.spec.containers[grafana]`). */
export function containersOf(
  pod: PodSpecAt,
): Array<{ c: Container; path: string; init: boolean }> {
  const out: Array<{ c: Container; path: string; init: boolean }> = [];
  for (const [field, init] of [["initContainers", true], ["containers", false]] as const) {
    for (const c of pod.spec?.[field] ?? []) {
      out.push({ c, path: `${pod.path}.${field}[${c?.name}]`, init });
    }
  }
  return out;
}

/** The value of `--flag=value` or `--flag value` in an argument list; all occurrences. */
export function flagValues(args: readonly unknown[] | undefined, flag: string): string[] {
  const out: string[] = [];
  const list = (args ?? []).map(String);
  for (let i = 0; i < list.length; i++) {
    const a = list[i] as string;
    if (a === flag && i + 1 < list.length) out.push(list[i + 1] as string);
    else if (a.startsWith(`${flag}=`)) out.push(a.slice(flag.length + 1));
  }
  return out;
}

/** Is a boolean flag on (`--flag`, `--flag=true`)? */
export function flagOn(args: readonly unknown[] | undefined, flag: string): boolean {
  return (args ?? []).map(String).some((a) => a === flag || a === `${flag}=true`);
}
