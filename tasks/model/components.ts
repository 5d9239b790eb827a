/**
 * The Kubernetes components the stack scrapes, and which of them a cluster exposes
 * (`cluster.yaml` `spec.components`). A managed control plane (EKS, GKE, AKS) hides some: their
 * monitors are left out of the overlay and their rule templates (the "down" alerts among them)
 * are not rendered, so nothing fires for a component nobody can scrape.
 *
 * This table is the one place that ties a component to its base folder (`base/kubernetes/<dir>`),
 * its `job` label and its rule templates (`base/rules/<name>.rules.yaml`).
 */
import { z } from "zod";

export const COMPONENT_IDS = [
  "kubeApiServer",
  "kubelet",
  "kubeControllerManager",
  "kubeScheduler",
  "etcd",
  "coreDns",
  "kubeProxy",
] as const;
export type ComponentId = (typeof COMPONENT_IDS)[number];

export interface ComponentInfo {
  /** What people call it. */
  title: string;
  /** The `job` label of its targets, which the rules and dashboards select on. */
  job: string;
  /** Its monitors: `base/kubernetes/<dir>/`. */
  dir: string;
  /** The rule templates that need its metrics (`base/rules/<name>.rules.yaml`). */
  ruleSets: readonly string[];
  /** How it is found, for the documentation. */
  scrape: string;
}

export const COMPONENTS: Readonly<Record<ComponentId, ComponentInfo>> = {
  kubeApiServer: {
    title: "kube-apiserver",
    job: "apiserver",
    dir: "kube-apiserver",
    ruleSets: ["kube-apiserver"],
    scrape: "the `kubernetes` Service of namespace `default`, HTTPS with Prometheus's " +
      "service-account token and the cluster CA",
  },
  kubelet: {
    title: "kubelet",
    job: "kubelet",
    dir: "kubelet",
    ruleSets: ["kubelet", "kubelet-containers", "kubernetes-storage"],
    scrape:
      "the Service `kube-system/kubelet` that prometheus-operator keeps (`--kubelet-service`): " +
      "`/metrics`, `/metrics/cadvisor` and `/metrics/probes` on port 10250, HTTPS with the " +
      "service-account token",
  },
  kubeControllerManager: {
    title: "kube-controller-manager",
    job: "kube-controller-manager",
    dir: "kube-controller-manager",
    ruleSets: ["kube-controller-manager"],
    scrape: "its pods in `kube-system` (`component: kube-controller-manager`), HTTPS port 10257 " +
      "with the service-account token",
  },
  kubeScheduler: {
    title: "kube-scheduler",
    job: "kube-scheduler",
    dir: "kube-scheduler",
    ruleSets: ["kube-scheduler"],
    scrape: "its pods in `kube-system` (`component: kube-scheduler`), HTTPS port 10259 with the " +
      "service-account token",
  },
  etcd: {
    title: "etcd",
    job: "etcd",
    dir: "etcd",
    ruleSets: ["etcd"],
    scrape: "its pods in `kube-system` (`component: etcd`), HTTPS port 2379 with the client " +
      "certificate of the Secret `etcd-client-tls` (keys `ca.crt`, `tls.crt`, `tls.key`), which " +
      "the platform creates in the stack's namespace",
  },
  coreDns: {
    title: "CoreDNS",
    job: "coredns",
    dir: "coredns",
    ruleSets: ["coredns"],
    scrape: "its pods in `kube-system` (`k8s-app: kube-dns`), container port `metrics` (9153)",
  },
  kubeProxy: {
    title: "kube-proxy",
    job: "kube-proxy",
    dir: "kube-proxy",
    ruleSets: ["kube-proxy"],
    scrape: "its pods in `kube-system` (`k8s-app: kube-proxy`), port 10249, which kube-proxy " +
      "serves on the node's address only with `metricsBindAddress: 0.0.0.0:10249`",
  },
};

/** What each kind of cluster lets a workload scrape. */
export const PRESETS = {
  /** kubeadm, MetalK8s and every cluster whose control plane runs as pods the stack can reach. */
  "self-managed": {
    kubeApiServer: true,
    kubelet: true,
    kubeControllerManager: true,
    kubeScheduler: true,
    etcd: true,
    coreDns: true,
    kubeProxy: true,
  },
  /** Amazon EKS: the control plane is AWS's; kube-proxy serves its metrics on 127.0.0.1. */
  eks: {
    kubeApiServer: true,
    kubelet: true,
    kubeControllerManager: false,
    kubeScheduler: false,
    etcd: false,
    coreDns: true,
    kubeProxy: false,
  },
  /** Google GKE: the control plane is Google's; cluster DNS is kube-dns, not CoreDNS. */
  gke: {
    kubeApiServer: true,
    kubelet: true,
    kubeControllerManager: false,
    kubeScheduler: false,
    etcd: false,
    coreDns: false,
    kubeProxy: false,
  },
  /** Azure AKS: the control plane is Microsoft's. */
  aks: {
    kubeApiServer: true,
    kubelet: true,
    kubeControllerManager: false,
    kubeScheduler: false,
    etcd: false,
    coreDns: true,
    kubeProxy: false,
  },
} as const satisfies Record<string, Record<ComponentId, boolean>>;
export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];

const override = (id: ComponentId) =>
  z.boolean().optional().describe(
    `true or false overrides the preset for ${COMPONENTS[id].title}; absent = the preset's choice.`,
  );

export const Components = z.strictObject({
  preset: z.enum(PRESET_NAMES).default("self-managed").describe(
    "Which Kubernetes components this kind of cluster lets the stack scrape: self-managed " +
      "(kubeadm, MetalK8s: all of them), eks, gke or aks (the managed control plane is hidden).",
  ),
  ...Object.fromEntries(COMPONENT_IDS.map((id) => [id, override(id)])) as Record<
    ComponentId,
    ReturnType<typeof override>
  >,
}).describe(
  "The Kubernetes components scraped. A hidden component gets no monitor and none of its alerts.",
);
export type Components = z.infer<typeof Components>;

/** The components a cluster exposes, in `COMPONENT_IDS` order. */
export function exposedComponents(c: Components): ComponentId[] {
  const preset: Record<ComponentId, boolean> = PRESETS[c.preset];
  return COMPONENT_IDS.filter((id) => c[id] ?? preset[id]);
}

/** The component whose metrics a rule template needs; undefined for the always-present ones. */
export function componentOfRuleSet(name: string): ComponentId | undefined {
  return COMPONENT_IDS.find((id) => COMPONENTS[id].ruleSets.includes(name));
}

/** Keeps the rule templates a cluster can evaluate: those of no component or of an exposed one. */
export function ruleSetsFor<T extends { name: string }>(
  templates: readonly T[],
  c: Components,
): T[] {
  const exposed = new Set(exposedComponents(c));
  return templates.filter((t) => {
    const owner = componentOfRuleSet(t.name);
    return owner === undefined || exposed.has(owner);
  });
}

/** The overlay's resources for the exposed components' monitors, relative to `overlays/<name>/`. */
export function componentResources(c: Components): string[] {
  return exposedComponents(c).map((id) => `../../base/kubernetes/${COMPONENTS[id].dir}`);
}
