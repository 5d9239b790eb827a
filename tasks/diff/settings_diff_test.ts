import assert from "node:assert/strict";
import type { K8sObject } from "../render/kustomize.ts";
import { settingChanges, settingsOf } from "./settings_diff.ts";

function prometheus(over: Record<string, unknown>): K8sObject {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "k8s", namespace: "monitoring" },
    spec: {
      replicas: 2,
      image: "quay.io/prometheus/prometheus:v3.0.0",
      version: "v3.0.0",
      retention: "30d",
      externalLabels: { cluster: "production", region: "eu-west-1" },
      scrapeInterval: "30s",
      evaluationInterval: "30s",
      storage: {
        volumeClaimTemplate: { spec: { resources: { requests: { storage: "100Gi" } } } },
      },
      resources: { requests: { cpu: "200m", memory: "1Gi" } },
      thanos: { image: "quay.io/thanos/thanos:v0.40.0", version: "v0.40.0" },
      ...over,
    },
  };
}

function deployment(image: string, replicas: number): K8sObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "grafana" },
    spec: {
      replicas,
      template: { spec: { containers: [{ name: "grafana", image, resources: {} }] } },
    },
  };
}

function grafanaConfig(ini: string): K8sObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "grafana-config-5t2h9k8m7b" },
    data: { "grafana.ini": ini },
  };
}

Deno.test("settingChanges() says old → new for retention, replicas, storage, labels, intervals, images", () => {
  const before = settingsOf([
    prometheus({}),
    deployment("grafana/grafana:11.0.0", 1),
    grafanaConfig("[server]\ndomain = a.example.com\n"),
  ]);
  const after = settingsOf([
    prometheus({
      replicas: 3,
      retention: "60d",
      retentionSize: "80GB",
      externalLabels: { cluster: "production", team: "sre" },
      scrapeInterval: "15s",
      evaluationInterval: "15s",
      image: "quay.io/prometheus/prometheus:v3.1.0",
      version: "v3.1.0",
      storage: {
        volumeClaimTemplate: {
          spec: { storageClassName: "ssd", resources: { requests: { storage: "200Gi" } } },
        },
      },
      resources: { requests: { cpu: "500m", memory: "1Gi" } },
    }),
    deployment("grafana/grafana:11.1.0", 2),
    grafanaConfig("[server]\ndomain = b.example.com\n[security]\nadmin_password = hunter2\n"),
  ]);
  const lines = settingChanges(before, after).map((c) =>
    `${c.op} ${c.subject}: ${c.from ?? "none"} → ${c.to ?? "none"}`
  );
  assert.deepEqual(lines, [
    "~ Prometheus `k8s`: replicas: 2 → 3",
    "~ Prometheus `k8s`: retention time: 30d → 60d",
    "~ Prometheus `k8s`: retention size: off → 80GB",
    "~ Prometheus `k8s`: image: quay.io/prometheus/prometheus:v3.0.0 → quay.io/prometheus/prometheus:v3.1.0",
    "~ Prometheus `k8s`: version: v3.0.0 → v3.1.0",
    "- Prometheus `k8s`: external label `region`: eu-west-1 → none",
    "+ Prometheus `k8s`: external label `team`: none → sre",
    "~ Prometheus `k8s`: scrape interval: 30s → 15s",
    "~ Prometheus `k8s`: evaluation interval: 30s → 15s",
    "~ Prometheus `k8s`: storage size: 100Gi → 200Gi",
    "~ Prometheus `k8s`: storage class: (cluster default) → ssd",
    "~ Prometheus `k8s`: resources requests.cpu: 200m → 500m",
    "~ Deployment `grafana`: replicas: 1 → 2",
    "~ Deployment `grafana`: container `grafana` image: grafana/grafana:11.0.0 → grafana/grafana:11.1.0",
    "~ Grafana: grafana.ini [server] domain: a.example.com → b.example.com",
    "+ Grafana: grafana.ini [security] admin_password: none → (redacted)",
  ]);
});

Deno.test("settingsOf() reads the same settings from equal renders: no change", () => {
  const objects = [prometheus({}), deployment("grafana/grafana:11.0.0", 1)];
  assert.deepEqual(settingChanges(settingsOf(objects), settingsOf(structuredClone(objects))), []);
});

Deno.test("settingsOf() reads the Ingress hosts, class and TLS, and Alertmanager's replicas", () => {
  const ingress = (host: string, tls: boolean): K8sObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "monitoring" },
    spec: {
      ingressClassName: "nginx",
      rules: [{ host }, { host: "thanos.example.com" }],
      ...(tls ? { tls: [{ secretName: "monitoring-tls" }] } : {}),
    },
  });
  const am = (replicas: number): K8sObject => ({
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: { name: "main" },
    spec: { replicas },
  });
  const lines = settingChanges(
    settingsOf([ingress("grafana.example.com", false), am(3)]),
    settingsOf([ingress("dashboards.example.com", true), am(2)]),
  ).map((c) => `${c.subject}: ${c.from} → ${c.to}`);
  assert.deepEqual(lines, [
    "Ingress `monitoring`: hosts: grafana.example.com, thanos.example.com → " +
    "dashboards.example.com, thanos.example.com",
    "Ingress `monitoring`: TLS: off → Secret monitoring-tls",
    "Alertmanager `main`: replicas: 3 → 2",
  ]);
});
