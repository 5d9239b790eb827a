import assert from "node:assert/strict";
import { isMirrorPod, mirrorPod, mirrorStatus } from "./mirror_pods.ts";

const etcd = { name: "etcd", labels: { component: "etcd", tier: "control-plane" }, port: 2379 };

Deno.test("mirrorPod() is a kube-system pod of the node with the static pod's labels", () => {
  const pod = mirrorPod(etcd, { name: "n1", uid: "u1" }, "img");
  assert.equal(pod.metadata.name, "etcd-n1");
  assert.equal(pod.metadata.namespace, "kube-system");
  assert.deepEqual(pod.metadata.labels, etcd.labels);
  assert.equal(pod.spec.nodeName, "n1");
  assert.equal(pod.spec.hostNetwork, true);
  assert.deepEqual(pod.metadata.ownerReferences, [
    { apiVersion: "v1", kind: "Node", name: "n1", uid: "u1", controller: true },
  ]);
  assert.equal(isMirrorPod(pod), true);
  assert.equal(isMirrorPod({ apiVersion: "v1", kind: "Pod", metadata: { name: "x" } }), false);
});

Deno.test("mirrorStatus() is running and ready at the host's address", () => {
  const s = mirrorStatus(etcd, "198.18.0.1", "t");
  assert.equal(s.podIP, "198.18.0.1");
  assert.equal(s.phase, "Running");
  assert.equal(s.conditions.find((c) => c.type === "Ready")?.status, "True");
});
