import assert from "node:assert/strict";
import type {
  Alertmanager,
  ConfigMap,
  Deployment,
  Ingress,
  NetworkPolicy,
  Prometheus,
  Secret,
} from "../render/objects.ts";
import { settingChanges, settingsOf } from "./settings_diff.ts";

function prometheus(over: Record<string, unknown>): Prometheus {
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

function deployment(image: string, replicas: number): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "grafana" },
    spec: {
      selector: { matchLabels: { app: "grafana" } },
      replicas,
      template: { spec: { containers: [{ name: "grafana", image, resources: {} }] } },
    },
  };
}

function grafanaConfig(ini: string): ConfigMap {
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
  const ingress = (host: string, tls: boolean): Ingress => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "monitoring" },
    spec: {
      ingressClassName: "nginx",
      rules: [{ host }, { host: "thanos.example.com" }],
      ...(tls ? { tls: [{ secretName: "monitoring-tls" }] } : {}),
    },
  });
  const am = (replicas: number): Alertmanager => ({
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

Deno.test("settingChanges() reports the heartbeat, Ingress authentication, spread, env, database host and network sources, never a secret", () => {
  const SECRET = "hunter2hunter2";
  const amConfig = (heartbeat: boolean): Secret => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "alertmanager-main-config" },
    stringData: {
      "alertmanager.yaml": [
        "route:",
        "  receiver: 'null'",
        "  routes:",
        "    - receiver: watchdog",
        "      matchers: ['alertname = \"Watchdog\"']",
        ...(heartbeat ? ["      repeat_interval: 1m"] : []),
        "receivers:",
        "  - name: 'null'",
        heartbeat
          ? "  - name: watchdog\n    webhook_configs:\n" +
            "      - url_file: /etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url"
          : "  - name: watchdog",
        "",
      ].join("\n"),
    },
  });
  const affinity = (mode: "required" | "preferred", topologyKey: string) => ({
    podAntiAffinity: mode === "required"
      ? { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey }] }
      : {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { topologyKey },
        }],
      },
  });
  const query = (domain: string, mode: "required" | "preferred", key: string): Deployment => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "thanos-query" },
    spec: {
      replicas: 2,
      template: {
        spec: {
          affinity: affinity(mode, key),
          containers: [{
            name: "thanos-query",
            image: "quay.io/thanos/thanos",
            env: [
              { name: "CLUSTER_DOMAIN", value: domain },
              {
                name: "POD_NAMESPACE",
                valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
              },
            ],
          }],
        },
      },
    },
  });
  const grafana = (db: boolean): Deployment => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "grafana" },
    spec: {
      replicas: db ? 2 : 1,
      template: {
        spec: {
          containers: [{
            name: "grafana",
            image: "grafana/grafana",
            env: [
              { name: "GF_SECURITY_ADMIN_PASSWORD", value: SECRET },
              ...(db
                ? [{
                  name: "GF_DATABASE_PASSWORD",
                  valueFrom: { secretKeyRef: { name: "grafana-db", key: "password" } },
                }]
                : []),
            ],
          }],
        },
      },
    },
  });
  const ingress = (annotations: Record<string, string>): Ingress => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "thanos-query", annotations },
    spec: { ingressClassName: "nginx", rules: [{ host: "thanos.example.com" }] },
  });
  const fromController = (ns: string): NetworkPolicy => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name: "thanos-query-from-ingress-controller" },
    spec: {
      podSelector: { matchLabels: { "app.kubernetes.io/name": "thanos-query" } },
      ingress: [{
        from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } } }],
        ports: [{ port: 10902, protocol: "TCP" }],
      }],
    },
  });
  const before = settingsOf([
    amConfig(false),
    query("cluster.local", "required", "kubernetes.io/hostname"),
    grafana(false),
    prometheus({ affinity: affinity("required", "kubernetes.io/hostname") }),
    ingress({
      "nginx.ingress.kubernetes.io/auth-type": "basic",
      "nginx.ingress.kubernetes.io/auth-secret": "users",
    }),
    fromController("ingress-nginx"),
    grafanaConfig("[server]\ndomain = a.example.com\n"),
  ]);
  const after = settingsOf([
    amConfig(true),
    query("corp.example", "preferred", "topology.kubernetes.io/zone"),
    grafana(true),
    prometheus({ affinity: affinity("preferred", "topology.kubernetes.io/zone") }),
    ingress({
      "nginx.ingress.kubernetes.io/auth-url": "https://auth.example.com/oauth2/auth",
      "nginx.ingress.kubernetes.io/auth-signin": `https://auth.example.com/start?token=${SECRET}1`,
    }),
    fromController("ingress-system"),
    grafanaConfig(
      "[server]\ndomain = a.example.com\n[database]\ntype = postgres\nhost = db.example.com:5432\n",
    ),
  ]);
  const lines = settingChanges(before, after).map((c) =>
    `${c.op} ${c.subject}: ${c.from ?? "none"} → ${c.to ?? "none"}`
  );
  assert.deepEqual(lines, [
    "~ Alertmanager configuration: heartbeat: off (Watchdog goes nowhere) → " +
    "webhook (url_file /etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url)",
    "+ Alertmanager configuration: heartbeat interval: none → 1m",
    "~ Deployment `thanos-query`: spread: required apart on kubernetes.io/hostname → " +
    "preferred apart on topology.kubernetes.io/zone (weight 100)",
    "~ Deployment `thanos-query`: container `thanos-query` env CLUSTER_DOMAIN: cluster.local → corp.example",
    "~ Deployment `grafana`: replicas: 1 → 2",
    "+ Deployment `grafana`: container `grafana` env GF_DATABASE_PASSWORD: none → " +
    "from Secret `grafana-db` key `password`",
    "~ Prometheus `k8s`: spread: required apart on kubernetes.io/hostname → " +
    "preferred apart on topology.kubernetes.io/zone (weight 100)",
    "~ Ingress `thanos-query`: authentication: basic, users in Secret `users` → " +
    "service at https://auth.example.com/oauth2/auth, sign-in at (redacted)",
    "~ NetworkPolicy `thanos-query-from-ingress-controller`: ingress from: " +
    "namespace `ingress-nginx` on 10902/TCP → namespace `ingress-system` on 10902/TCP",
    "+ Grafana: grafana.ini [database] type: none → postgres",
    "+ Grafana: grafana.ini [database] host: none → db.example.com:5432",
  ]);
  assert.equal(
    before.get("Deployment `grafana`\u0000container `grafana` env GF_SECURITY_ADMIN_PASSWORD"),
    "(redacted)",
  );
  for (const v of [...before.values(), ...after.values()]) assert.ok(!v.includes(SECRET), v);
});
