import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { loadVersions } from "../model/versions.ts";
import { parseManifests } from "../render/kustomize.ts";
import type { StackState } from "../stack/up.ts";
import { clusterTarget, localTarget } from "./target.ts";

const objects = parseManifests(
  readFileSync(new URL("../stack/testdata/render.yaml", import.meta.url), "utf8"),
);

Deno.test("clusterTarget() expects each ServiceMonitor's targets per replica, DaemonSets per node", () => {
  const t = clusterTarget(objects, loadVersions(), {
    cluster: "test",
    thanosQueryUrl: "https://thanos.example.com",
    alertmanagerUrl: "http://localhost:9093",
    expectedEmpty: [],
  });
  assert.deepEqual(t.jobs, [
    { job: "alertmanager-main", fixed: 6, daemonsets: [] },
    { job: "node-exporter", fixed: 0, daemonsets: ["node-exporter"] },
    { job: "prometheus-k8s", fixed: 4, daemonsets: [] },
    { job: "thanos-query", fixed: 2, daemonsets: [] },
    { job: "thanos-sidecar", fixed: 2, daemonsets: [] },
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

Deno.test("localTarget() expects exactly the targets the local stack runs", () => {
  const state = {
    cluster: "test",
    pid: 1,
    plan: {
      replicaLabel: "prometheus_replica",
      replicas: ["prometheus-k8s-0", "prometheus-k8s-1"],
      targets: [
        { job: "node-exporter", instance: "127.0.0.1:1", labels: {}, path: "/metrics" },
        { job: "prometheus-k8s", instance: "127.0.0.1:2", labels: {}, path: "/metrics" },
        { job: "prometheus-k8s", instance: "127.0.0.1:3", labels: {}, path: "/metrics" },
      ],
      urls: {
        thanosQuery: "http://q",
        alertmanagers: ["http://a0", "http://a1"],
        sink: "http://s",
      },
    },
  } as unknown as StackState;
  const t = localTarget(objects, loadVersions(), state, []);
  assert.deepEqual(t.jobs, [
    { job: "node-exporter", fixed: 1, daemonsets: [] },
    { job: "prometheus-k8s", fixed: 2, daemonsets: [] },
  ]);
  assert.equal(t.localTargets.length, 3);
  assert.deepEqual(t.urls, {
    thanosQuery: "http://q",
    alertmanagers: ["http://a0", "http://a1"],
    sink: "http://s",
  });
});
