import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseManifests } from "../render/kustomize.ts";
import { podTemplates, scrapeTargets, selects } from "./jobs.ts";

const objects = parseManifests(
  readFileSync(new URL("./testdata/render.yaml", import.meta.url), "utf8"),
);
const prometheus = objects.find((o) => o.kind === "Prometheus")!;

Deno.test("selects() applies matchLabels and every matchExpressions operator", () => {
  const labels = { app: "a", tier: "web" };
  assert.equal(selects(undefined, labels), true);
  assert.equal(selects({ matchLabels: { app: "a" } }, labels), true);
  assert.equal(selects({ matchLabels: { app: "b" } }, labels), false);
  assert.equal(
    selects({ matchExpressions: [{ key: "tier", operator: "In", values: ["web"] }] }, labels),
    true,
  );
  assert.equal(
    selects({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["web"] }] }, labels),
    false,
  );
  assert.equal(
    selects({ matchExpressions: [{ key: "x", operator: "DoesNotExist" }] }, labels),
    true,
  );
  assert.equal(selects({ matchExpressions: [{ key: "x", operator: "Exists" }] }, labels), false);
});

Deno.test("podTemplates() knows the pods the operator makes for Prometheus and Alertmanager", () => {
  const pods = podTemplates(objects);
  const prom = pods.find((p) => p.workload === "Prometheus/k8s");
  assert.deepEqual(prom?.podNames, ["prometheus-k8s-0", "prometheus-k8s-1"]);
  assert.deepEqual(prom?.ports.map((p) => p.name), ["web", "reloader-web", "grpc", "http"]);
  assert.equal(pods.find((p) => p.workload === "DaemonSet/node-exporter")?.replicas, undefined);
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
