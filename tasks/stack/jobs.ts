/**
 * Which scrape jobs a render produces, and for which pods: the ServiceMonitors a Prometheus CR
 * selects, the Services they select, and the pods behind those Services (from Deployments,
 * StatefulSets, DaemonSets and the pods the operator makes for Prometheus and Alertmanager CRs).
 * Pure: the local stack names its jobs from here, and test-queries derives its expected table.
 */
import type { K8sObject } from "../render/kustomize.ts";

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Kubernetes label selector semantics; an empty selector selects everything. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>) {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    const ok = e.operator === "In"
      ? has && values.includes(value as string)
      : e.operator === "NotIn"
      ? !has || !values.includes(value as string)
      : e.operator === "Exists"
      ? has
      : e.operator === "DoesNotExist"
      ? !has
      : false;
    if (!ok) return false;
  }
  return true;
}

/** The pods of one workload: their labels, their named container ports and how many. */
export interface PodTemplate {
  /** `Deployment/thanos-query`, `Prometheus/k8s`. */
  workload: string;
  kind: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ports: { name: string; port: number; container: string }[];
  /** How many pods; undefined for a DaemonSet (one per node, known only on the cluster). */
  replicas: number | undefined;
  /** The pods' names where the controller makes them predictable (StatefulSet-like). */
  podNames: string[] | undefined;
}

/** The operator's own labels and container ports on the pods of a Prometheus CR. */
function prometheusPods(o: K8sObject, namespace: string): PodTemplate {
  const name = o.metadata.name;
  const replicas = o.spec?.replicas ?? 1;
  const ports = [
    { name: "web", port: 9090, container: "prometheus" },
    { name: "reloader-web", port: 8080, container: "config-reloader" },
  ];
  if (o.spec?.thanos) {
    ports.push(
      { name: "grpc", port: 10901, container: "thanos-sidecar" },
      { name: "http", port: 10902, container: "thanos-sidecar" },
    );
  }
  return {
    workload: `Prometheus/${name}`,
    kind: "Prometheus",
    name,
    namespace,
    labels: {
      ...(o.spec?.podMetadata?.labels ?? {}),
      "app.kubernetes.io/name": "prometheus",
      "app.kubernetes.io/instance": name,
      "app.kubernetes.io/managed-by": "prometheus-operator",
      "operator.prometheus.io/name": name,
      "operator.prometheus.io/shard": "0",
      prometheus: name,
    },
    ports,
    replicas,
    podNames: Array.from({ length: replicas }, (_, i) => `prometheus-${name}-${i}`),
  };
}

function alertmanagerPods(o: K8sObject, namespace: string): PodTemplate {
  const name = o.metadata.name;
  const replicas = o.spec?.replicas ?? 1;
  return {
    workload: `Alertmanager/${name}`,
    kind: "Alertmanager",
    name,
    namespace,
    labels: {
      ...(o.spec?.podMetadata?.labels ?? {}),
      "app.kubernetes.io/name": "alertmanager",
      "app.kubernetes.io/instance": name,
      "app.kubernetes.io/managed-by": "prometheus-operator",
      alertmanager: name,
    },
    ports: [
      { name: "web", port: 9093, container: "alertmanager" },
      { name: "mesh-tcp", port: 9094, container: "alertmanager" },
      { name: "reloader-web", port: 8080, container: "config-reloader" },
    ],
    replicas,
    podNames: Array.from({ length: replicas }, (_, i) => `alertmanager-${name}-${i}`),
  };
}

function templatePods(o: K8sObject, namespace: string): PodTemplate {
  const spec = o.spec?.template?.spec ?? {};
  const ports: PodTemplate["ports"] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name) ports.push({ name: p.name, port: p.containerPort, container: c.name });
    }
  }
  const replicas = o.kind === "DaemonSet" ? undefined : o.spec?.replicas ?? 1;
  return {
    workload: `${o.kind}/${o.metadata.name}`,
    kind: o.kind,
    name: o.metadata.name,
    namespace,
    labels: o.spec?.template?.metadata?.labels ?? {},
    ports,
    replicas,
    podNames: o.kind === "StatefulSet" && replicas !== undefined
      ? Array.from({ length: replicas }, (_, i) => `${o.metadata.name}-${i}`)
      : undefined,
  };
}

/** Every workload's pods in a render. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objects) {
    const ns = o.metadata.namespace ?? "default";
    if (o.kind === "Prometheus") out.push(prometheusPods(o, ns));
    else if (o.kind === "Alertmanager") out.push(alertmanagerPods(o, ns));
    else if (["Deployment", "StatefulSet", "DaemonSet"].includes(o.kind)) {
      out.push(templatePods(o, ns));
    }
  }
  return out;
}

/** One ServiceMonitor endpoint scraping one workload's pods through one Service port. */
export interface ScrapeTarget {
  /** The `job` label the operator gives these targets. */
  job: string;
  serviceMonitor: string;
  service: string;
  /** The ServiceMonitor endpoint's port: the Service port's name. */
  endpoint: string;
  path: string;
  scheme: string;
  pods: PodTemplate;
  /** The container port the Service port points at. */
  containerPort: PodTemplate["ports"][number];
}

function serviceMonitorNamespaces(sm: K8sObject): { any: boolean; names: string[] } {
  const sel = sm.spec?.namespaceSelector;
  if (sel?.any) return { any: true, names: [] };
  if (Array.isArray(sel?.matchNames) && sel.matchNames.length > 0) {
    return { any: false, names: sel.matchNames };
  }
  return { any: false, names: [sm.metadata.namespace ?? "default"] };
}

/**
 * The targets of every ServiceMonitor the Prometheus CR `prometheus` selects, resolved against
 * the Services and workloads of the same render. A ServiceMonitor whose Service or pods are not
 * in the render (say the kubelet's) yields nothing: its targets are unknown here.
 */
export function scrapeTargets(
  objects: readonly K8sObject[],
  prometheus: K8sObject,
): ScrapeTarget[] {
  const smSelector = prometheus.spec?.serviceMonitorSelector as LabelSelector | undefined;
  // An absent serviceMonitorSelector selects no ServiceMonitor at all (operator semantics).
  if (!smSelector) return [];
  const pods = podTemplates(objects);
  const services = objects.filter((o) => o.kind === "Service");
  const out: ScrapeTarget[] = [];
  for (const sm of objects) {
    if (sm.kind !== "ServiceMonitor" || !selects(smSelector, sm.metadata.labels ?? {})) continue;
    const ns = serviceMonitorNamespaces(sm);
    for (const svc of services) {
      const svcNs = svc.metadata.namespace ?? "default";
      if (!ns.any && !ns.names.includes(svcNs)) continue;
      if (!selects(sm.spec?.selector, svc.metadata.labels ?? {})) continue;
      const svcSelector: Record<string, string> | undefined = svc.spec?.selector;
      if (!svcSelector || Object.keys(svcSelector).length === 0) continue;
      const job = sm.spec?.jobLabel
        ? svc.metadata.labels?.[sm.spec.jobLabel] ?? svc.metadata.name
        : svc.metadata.name;
      for (const ep of sm.spec?.endpoints ?? []) {
        const svcPort = (svc.spec?.ports ?? []).find((p: { name?: string }) => p.name === ep.port);
        if (!svcPort) continue;
        const target = svcPort.targetPort ?? svcPort.port;
        for (const p of pods) {
          if (p.namespace !== svcNs || !selects({ matchLabels: svcSelector }, p.labels)) continue;
          const containerPort = p.ports.find((cp) =>
            typeof target === "number" ? cp.port === target : cp.name === target
          );
          if (!containerPort) continue;
          out.push({
            job,
            serviceMonitor: `${sm.metadata.namespace ?? "default"}/${sm.metadata.name}`,
            service: svc.metadata.name,
            endpoint: ep.port,
            path: ep.path ?? "/metrics",
            scheme: ep.scheme ?? "http",
            pods: p,
            containerPort,
          });
        }
      }
    }
  }
  return out;
}

/** The target of `targets` for a workload's container port, if a ServiceMonitor scrapes it. */
export function targetFor(
  targets: readonly ScrapeTarget[],
  workload: string,
  portName: string,
): ScrapeTarget | undefined {
  return targets.find((t) => t.pods.workload === workload && t.containerPort.name === portName);
}
