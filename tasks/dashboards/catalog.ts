/**
 * The default dashboards, by Grafana folder: the one list from which `deno task docs` writes
 * base/dashboards/ (the JSON, one ConfigMap per folder), Grafana's dashboard providers
 * (base/grafana/dashboards.yaml, one per folder) and docs/dashboards.md.
 */
import * as controlPlane from "./control_plane.ts";
import type { DashboardSpec } from "./grafana.ts";
import * as kubernetes from "./kubernetes.ts";
import * as monitoring from "./monitoring.ts";

export interface Folder {
  /** The folder's name in Grafana. */
  title: string;
  /** Its ConfigMap (`grafana-dashboards-<slug>`) and directory (`/etc/grafana/dashboards/<slug>`). */
  slug: string;
  /** What it holds, for the documentation. */
  about: string;
  dashboards: DashboardSpec[];
}

export const FOLDERS: readonly Folder[] = [
  {
    title: "Kubernetes",
    slug: "kubernetes",
    about: "What the workloads use and their state: cluster, namespaces, workloads, pods, " +
      "nodes and persistent volumes.",
    dashboards: [
      kubernetes.cluster,
      kubernetes.namespace,
      kubernetes.workload,
      kubernetes.pod,
      kubernetes.workloads,
      kubernetes.nodes,
      kubernetes.persistentVolumes,
    ],
  },
  {
    title: "Kubernetes control plane",
    slug: "control-plane",
    about: "Each component of Kubernetes the stack scrapes (base/kubernetes/); a component a " +
      "cluster hides (cluster.yaml spec.components) has an empty dashboard there.",
    dashboards: [
      controlPlane.apiServer,
      controlPlane.etcd,
      controlPlane.controllerManager,
      controlPlane.scheduler,
      controlPlane.kubelet,
      controlPlane.coreDns,
      controlPlane.kubeProxy,
    ],
  },
  {
    title: "Monitoring",
    slug: "monitoring",
    about: "The stack itself: Prometheus, Alertmanager, Thanos and the two replicas side by side.",
    dashboards: [
      monitoring.stackHealth,
      monitoring.prometheus,
      monitoring.alertmanager,
      monitoring.thanos,
      monitoring.replicas,
    ],
  },
];

/** Where Grafana reads the dashboards of a folder. */
export function folderPath(f: Folder): string {
  return `/etc/grafana/dashboards/${f.slug}`;
}

/** The ConfigMap that holds the dashboards of a folder. */
export function folderConfigMap(f: Folder): string {
  return `grafana-dashboards-${f.slug}`;
}

/** The file of a dashboard in base/dashboards/ and in its ConfigMap. */
export function dashboardFile(d: DashboardSpec): string {
  return `${d.uid}.json`;
}
