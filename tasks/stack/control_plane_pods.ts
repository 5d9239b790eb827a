/**
 * The local cluster's control plane as a self-managed cluster shows it to the stack: etcd, the
 * controller manager and the scheduler run like kubeadm's static pods and kube-proxy like its
 * DaemonSet, so the node reports a mirror pod for each in kube-system, with the labels the stack's
 * monitors select and the address pods reach the host at. The processes themselves run on the
 * host on 127.0.0.1, at the components' standard ports, which the pod network's DNAT exposes at
 * that address. Pure.
 */
import type { StaticPod } from "../node/mirror_pods.ts";

/** The standard ports the stack's monitors scrape (base/kubernetes/). */
export const CONTROL_PLANE_PORTS = {
  etcd: 2379,
  "kube-controller-manager": 10257,
  "kube-scheduler": 10259,
  "kube-proxy": 10249,
} as const;

export function controlPlanePods(): StaticPod[] {
  const staticPod = (component: keyof typeof CONTROL_PLANE_PORTS) => ({
    name: component,
    labels: { component, tier: "control-plane" },
    port: CONTROL_PLANE_PORTS[component],
  });
  return [
    staticPod("etcd"),
    staticPod("kube-controller-manager"),
    staticPod("kube-scheduler"),
    {
      name: "kube-proxy",
      labels: { "k8s-app": "kube-proxy" },
      port: CONTROL_PLANE_PORTS["kube-proxy"],
    },
  ];
}
