import assert from "node:assert/strict";
import type { K8sObject, Secret } from "./objects.ts";
import { coreWaitsOn, outsideWorldDependencies, SYNC_WAVES, waveOf } from "./sync_waves.ts";

/** An object of any kind; `spec` as loose as a render under check may have it. */
function object(kind: string, name: string, wave?: number, spec?: unknown): K8sObject {
  return {
    apiVersion: "v1",
    kind,
    metadata: {
      name,
      ...(wave === undefined
        ? {}
        : { annotations: { "argocd.argoproj.io/sync-wave": String(wave) } }),
    },
    ...(spec ? { spec } : {}),
  };
}

const grafanaPod = {
  template: {
    spec: {
      containers: [{
        name: "grafana",
        env: [
          { name: "A", valueFrom: { secretKeyRef: { name: "grafana-admin", key: "k" } } },
          { name: "B", valueFrom: { secretKeyRef: { name: "oauth", key: "k", optional: true } } },
        ],
      }],
    },
  },
};
const nodeExporterPod = {
  template: {
    spec: { containers: [{ name: "n", ports: [{ containerPort: 9100, hostPort: 9100 }] }] },
  },
};

Deno.test("outsideWorldDependencies() names load balancers, host ports and Secrets made by hand", () => {
  const config: Secret = { ...object("Secret", "alertmanager-main-config"), data: {} };
  const objects = [config];
  assert.deepEqual(outsideWorldDependencies(object("Ingress", "grafana"), objects), [
    "an Ingress is Healthy once a load balancer gives it an address",
  ]);
  assert.deepEqual(
    outsideWorldDependencies(object("Deployment", "grafana", 0, grafanaPod), objects),
    [
      "its pods need Secret grafana-admin, created outside the repository",
    ],
  );
  assert.deepEqual(
    outsideWorldDependencies(object("DaemonSet", "node-exporter", 0, nodeExporterPod), objects),
    ["it needs host port 9100 free on each node"],
  );
  const am = object("Alertmanager", "main", 1, {
    configSecret: "alertmanager-main-config",
    secrets: ["alertmanager-receivers"],
  });
  assert.deepEqual(outsideWorldDependencies(am, objects), [
    "its pods need Secret alertmanager-receivers, created outside the repository",
  ]);
  assert.deepEqual(outsideWorldDependencies(object("Prometheus", "k8s", 1, {}), objects), []);
});

Deno.test("coreWaitsOn() finds what depends on the outside world in a wave before the core", () => {
  // Every object of the old base in wave 0, the operator's custom resources in wave 1.
  const before = [
    object("Deployment", "prometheus-operator", 0, { template: { spec: { containers: [] } } }),
    object("Ingress", "monitoring"),
    object("Deployment", "grafana", undefined, grafanaPod),
    object("DaemonSet", "node-exporter", undefined, nodeExporterPod),
    object("Prometheus", "k8s", 1, {}),
  ];
  assert.deepEqual(coreWaitsOn(before), [
    "Prometheus/k8s (wave 1) waits on Ingress/monitoring (wave 0): an Ingress is Healthy once a " +
    "load balancer gives it an address",
    "Prometheus/k8s (wave 1) waits on Deployment/grafana (wave 0): its pods need Secret " +
    "grafana-admin, created outside the repository",
    "Prometheus/k8s (wave 1) waits on DaemonSet/node-exporter (wave 0): it needs host port 9100 " +
    "free on each node",
  ]);
  const after = before.map((o) =>
    o.kind === "Prometheus" || o.metadata.name === "prometheus-operator"
      ? o
      : { ...o, metadata: { ...o.metadata, annotations: { "argocd.argoproj.io/sync-wave": "2" } } }
  );
  assert.deepEqual(coreWaitsOn(after), []);
  assert.equal(waveOf(after[1]!), SYNC_WAVES.outsideWorld);
});
