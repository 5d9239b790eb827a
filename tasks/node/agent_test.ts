import assert from "node:assert/strict";
import { podAction } from "./agent.ts";
import type { Pod } from "../render/objects.ts";

const pod = (extra: Partial<Pod["metadata"]> = {}, phase?: string): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "prometheus-k8s-1", namespace: "monitoring", uid: "u1", ...extra },
  spec: { containers: [] },
  ...(phase ? { status: { phase } } : {}),
});
const deleting = pod({ deletionTimestamp: "2026-11-26T06:22:28Z" });

Deno.test("podAction() runs a new pod, updates a running one, leaves finished ones", () => {
  assert.equal(podAction(pod(), false, undefined), "run");
  assert.equal(podAction(pod(), false, "running"), "update");
  assert.equal(podAction(pod({}, "Succeeded"), false, undefined), "ignore");
  assert.equal(podAction(pod({}, "Failed"), false, undefined), "ignore");
});

Deno.test("podAction() stops a deleted pod and leaves a pod being stopped to its worker", () => {
  assert.equal(podAction(deleting, false, "running"), "stop-and-delete");
  // Later events of the same pod (its status changing while its containers stop) must not
  // release the object before its sandbox is gone.
  assert.equal(podAction(deleting, false, "stopping"), "ignore");
  assert.equal(podAction(deleting, false, undefined), "release");
  assert.equal(podAction(pod(), true, "running"), "stop");
  assert.equal(podAction(pod(), true, "stopping"), "ignore");
  assert.equal(podAction(pod(), true, undefined), "ignore");
});

Deno.test("podAction() ignores mirror pods", () => {
  const mirror = pod({ annotations: { "kubernetes.io/config.mirror": "local" } });
  assert.equal(podAction(mirror, false, undefined), "ignore");
  assert.equal(
    podAction(
      { ...mirror, metadata: { ...mirror.metadata, ...deleting.metadata } },
      false,
      undefined,
    ),
    "ignore",
  );
});
