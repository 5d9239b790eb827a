/**
 * Mirror pods: what a kubelet publishes in the API for the static pods it runs from files, so the
 * cluster (and the stack's monitors) see them. The agent publishes them for the local cluster's
 * control plane and never runs them itself. Pure.
 */
import type { K8sObject, Pod } from "../render/objects.ts";

/** A static pod: its name, labels and metrics port. */
export interface StaticPod {
  name: string;
  labels: Record<string, string>;
  port: number;
}

/** The mirror pod a kubelet would publish for a static pod of `node`. Pure. */
export function mirrorPod(
  p: StaticPod,
  node: { name: string; uid: string },
  hostImage: string,
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${p.name}-${node.name}`,
      namespace: "kube-system",
      labels: p.labels,
      // NodeRestriction lets a node create only the mirror pods it controls.
      ownerReferences: [{
        apiVersion: "v1",
        kind: "Node",
        name: node.name,
        uid: node.uid,
        controller: true,
      }],
      annotations: {
        // What makes a kubelet's pod a mirror: the API server keeps it, the node runs nothing.
        "kubernetes.io/config.mirror": "local",
        "kubernetes.io/config.source": "file",
      },
    },
    spec: {
      nodeName: node.name,
      hostNetwork: true,
      priorityClassName: "system-node-critical",
      tolerations: [{ operator: "Exists" }],
      containers: [{
        name: p.name,
        image: hostImage,
        ports: [{ name: "metrics", containerPort: p.port, protocol: "TCP" }],
      }],
    },
  };
}

/** A mirror pod's status: running and ready at the host's address. Pure. */
export function mirrorStatus(p: StaticPod, hostIP: string, now: string) {
  const condition = (type: string) => ({ type, status: "True", lastTransitionTime: now });
  return {
    phase: "Running",
    hostIP,
    hostIPs: [{ ip: hostIP }],
    podIP: hostIP,
    podIPs: [{ ip: hostIP }],
    startTime: now,
    conditions: [
      "PodReadyToStartContainers",
      "Initialized",
      "ContainersReady",
      "Ready",
      "PodScheduled",
    ]
      .map(condition),
    containerStatuses: [{
      name: p.name,
      image: "",
      imageID: "",
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: now } },
    }],
  };
}

/** Whether a pod is a mirror of a static pod (the agent runs nothing for it). */
export function isMirrorPod(pod: K8sObject): boolean {
  return pod.metadata.annotations?.["kubernetes.io/config.mirror"] !== undefined;
}
