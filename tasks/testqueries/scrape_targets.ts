/**
 * Which scrape jobs a render produces, and for which pods: the ServiceMonitors and PodMonitors a
 * Prometheus CR selects, the Services and pods they select, resolved against the workloads of the
 * same render (Deployments, StatefulSets, DaemonSets, and the pods the operator makes for the
 * Prometheus and Alertmanager CRs). Pure: test-queries derives its expected table from here.
 */
import {
  type Alertmanager,
  isKind,
  type K8sObject,
  type KindOf,
  objectsOf,
  type PodMonitor,
  type PodSpec,
  type Prometheus,
  type ServiceMonitor,
} from "../render/objects.ts";
import { labelSelectorMatches, mapSelectorMatches } from "../render/selectors.ts";
import { podLabelsOf } from "../validate/k8s_objects.ts";
import { namespaceSelected } from "./stack_facts.ts";

/** The pods of one workload: their labels, named container ports, images and how many. */
export interface PodTemplate {
  /** `Deployment/thanos-query`, `Prometheus/k8s`. */
  workload: string;
  kind: string;
  name: string;
  namespace: string;
  labels: Record<string, string>;
  ports: { name: string; port: number; container: string }[];
  /** The images its containers run, where the render says (an operator's CR may not). */
  images: string[];
  /** How many pods; undefined for a DaemonSet (one per node, known only on the cluster). */
  replicas: number | undefined;
}

/** The container ports the operator gives the pods of a Prometheus or Alertmanager CR. */
function operatorPorts(o: Prometheus | Alertmanager): PodTemplate["ports"] {
  if (isKind(o, "Alertmanager")) {
    return [
      { name: "web", port: 9093, container: "alertmanager" },
      { name: "mesh-tcp", port: 9094, container: "alertmanager" },
      { name: "reloader-web", port: 8080, container: "config-reloader" },
    ];
  }
  return [
    { name: "web", port: 9090, container: "prometheus" },
    { name: "reloader-web", port: 8080, container: "config-reloader" },
    ...(isKind(o, "Prometheus") && o.spec?.thanos
      ? [
        { name: "grpc", port: 10901, container: "thanos-sidecar" },
        { name: "http", port: 10902, container: "thanos-sidecar" },
      ]
      : []),
  ];
}

function templatePorts(spec: Partial<PodSpec>): PodTemplate["ports"] {
  const out: PodTemplate["ports"] = [];
  for (const c of spec.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name) out.push({ name: p.name, port: p.containerPort, container: c.name });
    }
  }
  return out;
}

/** Every workload's pods in a render. */
export function podTemplates(objects: readonly K8sObject[]): PodTemplate[] {
  const out: PodTemplate[] = [];
  for (const o of objects) {
    const common = {
      workload: `${o.kind}/${o.metadata.name}`,
      kind: o.kind,
      name: o.metadata.name,
      namespace: o.metadata.namespace ?? "default",
      labels: podLabelsOf(o) ?? {},
    };
    if (isKind(o, "Prometheus") || isKind(o, "Alertmanager")) {
      const thanos = isKind(o, "Prometheus") ? o.spec?.thanos?.image : undefined;
      out.push({
        ...common,
        ports: operatorPorts(o),
        images: [o.spec?.image, thanos].filter((i): i is string => typeof i === "string"),
        replicas: o.spec?.replicas ?? 1,
      });
    } else if (isKind(o, "Deployment") || isKind(o, "StatefulSet") || isKind(o, "DaemonSet")) {
      const spec: Partial<PodSpec> = o.spec?.template?.spec ?? {};
      out.push({
        ...common,
        ports: templatePorts(spec),
        images: [...(spec.initContainers ?? []), ...(spec.containers ?? [])].flatMap((c) =>
          c.image ? [c.image] : []
        ),
        replicas: isKind(o, "DaemonSet") ? undefined : o.spec?.replicas ?? 1,
      });
    }
  }
  return out;
}

/** One monitor endpoint scraping one workload's pods through one port. */
export interface ScrapeTarget {
  /** The `job` label the operator gives these targets. */
  job: string;
  /** `ServiceMonitor/shop/checkout`, `PodMonitor/shop/api`. */
  monitor: string;
  /** The Service (ServiceMonitors only). */
  service: string | undefined;
  /** The endpoint's port: a Service port's name, or a container port's name (PodMonitor). */
  endpoint: string;
  path: string;
  pods: PodTemplate;
  /** The container port scraped. */
  containerPort: PodTemplate["ports"][number];
}

/** Which namespaces a monitor's own `namespaceSelector` takes: `any`, names, or its own. */
function monitorNamespaces(m: ServiceMonitor | PodMonitor): (ns: string) => boolean {
  const sel = m.spec?.namespaceSelector;
  if (sel?.any === true) return () => true;
  const names = sel?.matchNames;
  if (Array.isArray(names) && names.length > 0) return (ns) => names.includes(ns);
  const own = m.metadata.namespace ?? "default";
  return (ns) => ns === own;
}

/** The monitors of `kind` the Prometheus CR selects, by label and by namespace. */
function selectedMonitors<K extends "ServiceMonitor" | "PodMonitor">(
  objects: readonly K8sObject[],
  prometheus: Prometheus,
  kind: K,
): KindOf<K>[] {
  const field = kind === "ServiceMonitor" ? "serviceMonitor" : "podMonitor";
  const own = prometheus.metadata.namespace ?? "default";
  return objectsOf(objects, kind).filter((m) =>
    labelSelectorMatches(prometheus.spec?.[`${field}Selector` as const], m.metadata.labels ?? {}) &&
    namespaceSelected(
      prometheus.spec?.[`${field}NamespaceSelector` as const],
      m.metadata.namespace ?? "default",
      own,
      objects,
    )
  );
}

function containerPortOf(pods: PodTemplate, target: string | number | undefined) {
  return pods.ports.find((cp) =>
    typeof target === "number" ? cp.port === target : cp.name === target
  );
}

function serviceMonitorTargets(
  sm: ServiceMonitor,
  objects: readonly K8sObject[],
  pods: readonly PodTemplate[],
): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  const inScope = monitorNamespaces(sm);
  const monitor = `ServiceMonitor/${sm.metadata.namespace ?? "default"}/${sm.metadata.name}`;
  for (const svc of objectsOf(objects, "Service")) {
    const svcNs = svc.metadata.namespace ?? "default";
    if (!inScope(svcNs)) continue;
    if (!labelSelectorMatches(sm.spec?.selector, svc.metadata.labels ?? {})) continue;
    const job = (sm.spec?.jobLabel && svc.metadata.labels?.[sm.spec.jobLabel]) ||
      svc.metadata.name;
    for (const ep of sm.spec?.endpoints ?? []) {
      const svcPort = (svc.spec?.ports ?? []).find((p) => p.name === ep.port);
      // `targetPort` names the pods' port itself, for any Service port.
      const target = svcPort ? svcPort.targetPort ?? svcPort.port : ep.targetPort;
      if (target === undefined) continue;
      for (const p of pods) {
        if (p.namespace !== svcNs || !mapSelectorMatches(svc.spec?.selector, p.labels)) continue;
        const containerPort = containerPortOf(p, target);
        if (!containerPort) continue;
        out.push({
          job,
          monitor,
          service: svc.metadata.name,
          endpoint: ep.port ?? String(ep.targetPort),
          path: ep.path ?? "/metrics",
          pods: p,
          containerPort,
        });
      }
    }
  }
  return out;
}

function podMonitorTargets(pm: PodMonitor, pods: readonly PodTemplate[]): ScrapeTarget[] {
  const out: ScrapeTarget[] = [];
  const inScope = monitorNamespaces(pm);
  const ns = pm.metadata.namespace ?? "default";
  for (const p of pods) {
    if (!inScope(p.namespace) || !labelSelectorMatches(pm.spec?.selector, p.labels)) continue;
    // The operator's job label: `<namespace>/<name>`, or the pod label jobLabel names.
    const job = (pm.spec?.jobLabel && p.labels[pm.spec.jobLabel]) || `${ns}/${pm.metadata.name}`;
    for (const ep of pm.spec?.podMetricsEndpoints ?? []) {
      const target = ep.port ?? ep.portNumber ?? ep.targetPort;
      const containerPort = containerPortOf(p, target);
      if (!containerPort) continue;
      out.push({
        job,
        monitor: `PodMonitor/${ns}/${pm.metadata.name}`,
        service: undefined,
        endpoint: containerPort.name,
        path: ep.path ?? "/metrics",
        pods: p,
        containerPort,
      });
    }
  }
  return out;
}

/**
 * The targets of every ServiceMonitor and PodMonitor the Prometheus CR `prometheus` selects,
 * resolved against the Services and workloads of the same render. A monitor whose Service or pods
 * are not in the render (say the kubelet's) yields nothing: its targets are unknown here.
 */
export function scrapeTargets(
  objects: readonly K8sObject[],
  prometheus: Prometheus,
): ScrapeTarget[] {
  const pods = podTemplates(objects);
  return [
    ...selectedMonitors(objects, prometheus, "ServiceMonitor").flatMap((sm) =>
      serviceMonitorTargets(sm, objects, pods)
    ),
    ...selectedMonitors(objects, prometheus, "PodMonitor").flatMap((pm) =>
      podMonitorTargets(pm, pods)
    ),
  ];
}
