import assert from "node:assert/strict";
import { PROVISIONER, volumeFor, wantsVolume } from "./provisioner.ts";

const claim = (annotations: Record<string, string>, phase = "Pending") => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data-0", namespace: "monitoring", uid: "abc", annotations },
  spec: { resources: { requests: { storage: "2Gi" } } },
  status: { phase },
});

Deno.test("wantsVolume() takes pending claims of our provisioner only", () => {
  const ours = { "volume.kubernetes.io/storage-provisioner": PROVISIONER };
  assert.equal(wantsVolume(claim(ours)), true);
  assert.equal(wantsVolume(claim(ours, "Bound")), false);
  assert.equal(wantsVolume(claim({ "volume.kubernetes.io/storage-provisioner": "other" })), false);
});

Deno.test("volumeFor() makes a PV pre-bound to the claim, pinned to the node", () => {
  const pv = volumeFor(claim({}), "/data", "n1");
  assert.equal(pv.metadata.name, "pvc-abc");
  assert.equal(pv.spec.capacity?.storage, "2Gi");
  assert.equal(pv.spec.hostPath.path, "/data/pvc-abc");
  assert.deepEqual(pv.spec.claimRef, {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    namespace: "monitoring",
    name: "data-0",
    uid: "abc",
  });
  assert.deepEqual(
    pv.spec.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values,
    ["n1"],
  );
});
