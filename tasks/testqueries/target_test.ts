import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadVersions } from "../model/versions.ts";
import { parseManifests } from "../render/kustomize.ts";
import { clusterTarget, localTarget } from "./target.ts";

const objects = parseManifests(
  readFileSync(new URL("./testdata/render.yaml", import.meta.url), "utf8"),
);

Deno.test("clusterTarget() expects each ServiceMonitor's targets per replica, DaemonSets per node", () => {
  const t = clusterTarget(objects, {
    cluster: "test",
    thanosQueryUrl: "https://thanos.example.com",
    alertmanagerUrl: "http://localhost:9093",
    expectedEmpty: [],
  });
  assert.deepEqual(t.jobs, [
    { job: "alertmanager-main", fixed: 6, daemonsets: [], notRunnable: [] },
    { job: "node-exporter", fixed: 0, daemonsets: ["node-exporter"], notRunnable: [] },
    { job: "prometheus-k8s", fixed: 4, daemonsets: [], notRunnable: [] },
    { job: "thanos-query", fixed: 2, daemonsets: [], notRunnable: [] },
    { job: "thanos-sidecar", fixed: 2, daemonsets: [], notRunnable: [] },
  ]);
  assert.deepEqual(t.workloads.map((w) => [w.workload, w.podPattern, w.replicas]), [
    ["Deployment/thanos-query", "thanos-query-[a-z0-9]+-[a-z0-9]{5}", 2],
    ["DaemonSet/node-exporter", "node-exporter-[a-z0-9]{5}", undefined],
    ["Alertmanager/main", "alertmanager-main-[0-9]+", 3],
    ["Prometheus/k8s", "prometheus-k8s-[0-9]+", 2],
  ]);
  assert.deepEqual(t.replicas, ["prometheus-k8s-0", "prometheus-k8s-1"]);
  assert.deepEqual(t.expressions.map((e) => `${e.kind} ${e.name}`), ["alert Watchdog"]);
  assert.deepEqual(t.urls, {
    thanosQuery: "https://thanos.example.com",
    alertmanagers: ["http://localhost:9093"],
    sink: undefined,
  });
});

const grafana = parseManifests(`
apiVersion: apps/v1
kind: Deployment
metadata: { name: grafana, namespace: monitoring }
spec:
  template:
    metadata: { labels: { app.kubernetes.io/name: grafana } }
    spec:
      containers:
        - name: grafana
          image: docker.io/grafana/grafana:12.0.0
          ports: [{ name: http, containerPort: 3000 }]
`);

Deno.test("localTarget() expects no target and no running pod of an image the local cluster cannot run", () => {
  const state = {
    cluster: "local",
    urls: {
      thanosQuery: "http://q",
      prometheus: ["http://p0", "http://p1"],
      alertmanagers: ["http://a0", "http://a1"],
      sink: "http://s",
    },
  };
  const t = localTarget([...objects, ...grafana], loadVersions(), state, []);
  assert.equal(t.mode, "local");
  assert.deepEqual(t.jobs.find((j) => j.job === "grafana"), {
    job: "grafana",
    fixed: 0,
    daemonsets: [],
    notRunnable: ["Deployment/grafana"],
  });
  assert.deepEqual(t.jobs.find((j) => j.job === "thanos-query")?.fixed, 2);
  assert.deepEqual(
    t.workloads.filter((w) => w.notRunnable).map((w) => [w.workload, w.notRunnable]),
    [["Deployment/grafana", "docker.io/grafana/grafana:12.0.0"]],
  );
  assert.deepEqual(t.urls, {
    thanosQuery: "http://q",
    alertmanagers: ["http://a0", "http://a1"],
    sink: "http://s",
  });
  // On a cluster every image runs.
  const c = clusterTarget([...objects, ...grafana], {
    cluster: "c",
    thanosQueryUrl: "u",
    alertmanagerUrl: "a",
    expectedEmpty: [],
  });
  assert.equal(c.jobs.find((j) => j.job === "grafana")?.fixed, 1);
});
