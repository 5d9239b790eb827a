import assert from "node:assert/strict";
import { typed } from "../render/objects.ts";
import { healthOf } from "./health.ts";

const deployment = (status: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "d", generation: 2 },
  spec: { replicas: 2, ...spec },
  status: { observedGeneration: 2, ...status },
});

Deno.test("healthOf() follows a Deployment's rollout as Argo CD does", () => {
  assert.equal(healthOf(deployment({}, { paused: true })).status, "Suspended");
  assert.equal(healthOf(deployment({ observedGeneration: 1 })).status, "Progressing");
  assert.deepEqual(healthOf(deployment({ updatedReplicas: 1 })), {
    status: "Progressing",
    message: "Waiting for rollout to finish: 1 of 2 updated",
  });
  assert.equal(
    healthOf(deployment({
      updatedReplicas: 2,
      replicas: 2,
      availableReplicas: 2,
      conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" }],
    })).status,
    "Degraded",
  );
  assert.equal(
    healthOf(deployment({ updatedReplicas: 2, replicas: 2, availableReplicas: 2 })).status,
    "Healthy",
  );
});

Deno.test("healthOf() waits for a StatefulSet's pods and its rolling update", () => {
  const sts = (status: Record<string, unknown>) => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "s" },
    spec: { replicas: 2 },
    status,
  });
  assert.equal(healthOf(sts({ readyReplicas: 1 })).message, "Waiting for 1 pods to be ready");
  assert.equal(
    healthOf(
      sts({ readyReplicas: 2, updatedReplicas: 2, currentRevision: "a", updateRevision: "b" }),
    )
      .status,
    "Progressing",
  );
  assert.equal(
    healthOf(
      sts({ readyReplicas: 2, updatedReplicas: 2, currentRevision: "a", updateRevision: "a" }),
    )
      .status,
    "Healthy",
  );
});

Deno.test("healthOf() judges pods, claims, ingresses, CRDs and the operator's resources", () => {
  const pod = (status: Record<string, unknown>) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p" },
    status,
  });
  assert.equal(
    healthOf(pod({ phase: "Running", conditions: [{ type: "Ready", status: "True" }] })).status,
    "Healthy",
  );
  assert.equal(
    healthOf(pod({
      phase: "Pending",
      containerStatuses: [{
        name: "grafana",
        state: { waiting: { reason: "ImageNotRunnable", message: "grafana/grafana" } },
      }],
    })).status,
    "Degraded",
  );
  assert.equal(
    healthOf({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c" } }).status,
    "Progressing",
  );
  assert.equal(
    healthOf({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i" } })
      .status,
    "Progressing",
  );
  assert.equal(
    healthOf(typed({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "x" },
      spec: { group: "x", names: { kind: "X", plural: "xs" }, versions: [] },
      status: { conditions: [{ type: "Established", status: "True" }] },
    })).status,
    "Healthy",
  );
  const prometheus = (conditions: unknown[]) => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "k8s", generation: 2 },
    status: { conditions },
  });
  const reconciled = (generation: number) => ({
    type: "Reconciled",
    status: "True",
    observedGeneration: generation,
  });
  assert.equal(
    healthOf(prometheus([{ type: "Available", status: "True" }, reconciled(2)])).status,
    "Healthy",
  );
  assert.equal(
    healthOf(prometheus([{ type: "Available", status: "True" }, reconciled(1)])).status,
    "Progressing",
  );
  assert.equal(
    healthOf(
      prometheus([{ type: "Available", status: "False", message: "0/2 ready" }, reconciled(2)]),
    )
      .status,
    "Degraded",
  );
  assert.equal(
    healthOf({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } }).status,
    "Healthy",
  );
});
