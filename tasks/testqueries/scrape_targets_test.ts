import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseManifests } from "../render/kustomize.ts";
import { type K8sObject, objectsOf } from "../render/objects.ts";
import { podTemplates, scrapeTargets } from "./scrape_targets.ts";

const objects = parseManifests(
  readFileSync(new URL("./testdata/render.yaml", import.meta.url), "utf8"),
);
const prometheus = objectsOf(objects, "Prometheus")[0]!;

Deno.test("podTemplates() knows the pods the operator makes for Prometheus and Alertmanager", () => {
  const pods = podTemplates(objects);
  const prom = pods.find((p) => p.workload === "Prometheus/k8s");
  assert.equal(prom?.replicas, 2);
  assert.equal(prom?.labels["operator.prometheus.io/name"], "k8s");
  assert.deepEqual(prom?.ports.map((p) => p.name), ["web", "reloader-web", "grpc", "http"]);
  const nodeExporter = pods.find((p) => p.workload === "DaemonSet/node-exporter");
  assert.equal(nodeExporter?.replicas, undefined);
  assert.deepEqual(nodeExporter?.images, ["quay.io/prometheus/node-exporter:v1.12.1"]);
});

Deno.test("scrapeTargets() resolves each ServiceMonitor endpoint to a job and its pods", () => {
  const rows = scrapeTargets(objects, prometheus).map((t) =>
    `${t.job} ${t.endpoint} ${t.pods.workload} ${t.pods.replicas ?? "per node"}`
  );
  assert.deepEqual(rows.sort(), [
    "alertmanager-main reloader-web Alertmanager/main 3",
    "alertmanager-main web Alertmanager/main 3",
    "node-exporter metrics DaemonSet/node-exporter per node",
    "prometheus-k8s reloader-web Prometheus/k8s 2",
    "prometheus-k8s web Prometheus/k8s 2",
    "thanos-query http Deployment/thanos-query 2",
    "thanos-sidecar http Prometheus/k8s 2",
  ]);
});

const app: K8sObject[] = parseManifests(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: api, namespace: shop }
spec:
  replicas: 3
  template:
    metadata: { labels: { app: api, team: web } }
    spec:
      containers:
        - name: api
          image: example/api:1
          ports: [{ name: metrics, containerPort: 9000 }, { name: http, containerPort: 80 }]
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: { name: api, namespace: shop, labels: { monitoring.dev/stack: platform } }
spec:
  selector: { matchLabels: { app: api } }
  podMetricsEndpoints: [{ port: metrics }]
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: { name: by-team, namespace: shop, labels: { monitoring.dev/stack: platform } }
spec:
  jobLabel: team
  selector: { matchExpressions: [{ key: app, operator: Exists }] }
  podMetricsEndpoints: [{ portNumber: 80, path: /stats }]
---
apiVersion: monitoring.coreos.com/v1
kind: PodMonitor
metadata: { name: unlabelled, namespace: shop }
spec:
  selector: {}
  podMetricsEndpoints: [{ port: metrics }]
`);

Deno.test("scrapeTargets() resolves PodMonitors as the operator names their jobs", () => {
  const withPodMonitors = {
    ...prometheus,
    spec: {
      ...prometheus.spec,
      podMonitorSelector: { matchLabels: { "monitoring.dev/stack": "platform" } },
      podMonitorNamespaceSelector: {},
    },
  };
  const rows = scrapeTargets([...objects, ...app], withPodMonitors)
    .filter((t) => t.monitor.startsWith("PodMonitor/"))
    .map((t) => `${t.job} ${t.endpoint} ${t.path} ${t.pods.workload} ${t.pods.replicas}`);
  assert.deepEqual(rows, [
    "shop/api metrics /metrics Deployment/api 3",
    "web http /stats Deployment/api 3",
  ]);
  // Without a podMonitorSelector the operator loads no PodMonitor.
  assert.deepEqual(
    scrapeTargets([...objects, ...app], prometheus).filter((t) =>
      t.monitor.startsWith("PodMonitor/")
    ),
    [],
  );
});
