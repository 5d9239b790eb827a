import assert from "node:assert/strict";
import {
  AlertmanagerSpec,
  buildCluster,
  ClusterFile,
  crossFileViolations,
  defaultAlertmanagerConfig,
  defaultGrafanaIni,
  mergeConfig,
  PrometheusConfigFile,
  PrometheusSpec,
  REPLICA_LABEL,
  SINGLE_PROMETHEUS_LOSS,
} from "./cluster.ts";

const clusterFile = (spec: unknown = {}) =>
  ClusterFile.parse({
    apiVersion: "monitoring.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "staging" },
    spec,
  });

Deno.test("ClusterFile fills every default of an empty spec", () => {
  assert.deepEqual(clusterFile().spec, {
    reconciler: "argocd",
    destination: { server: "https://kubernetes.default.svc", namespace: "monitoring" },
    externalLabels: {},
    scrapeInterval: "30s",
    evaluationInterval: "30s",
    storage: { prometheus: { size: "50Gi" }, alertmanager: { size: "1Gi" } },
    thanosQuery: { replicas: 2 },
    clusterDomain: "cluster.local",
    spread: { topologyKey: "kubernetes.io/hostname", mode: "required" },
    components: { preset: "self-managed" },
    runbookBaseUrl: "https://git.example.com/platform/monitoring/blob/main/docs/alerts.md",
  });
});

Deno.test("ClusterFile refuses the reserved external labels", () => {
  const r = ClusterFile.safeParse({
    apiVersion: "monitoring.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "staging" },
    spec: { externalLabels: { cluster: "x", [REPLICA_LABEL]: "y" } },
  });
  assert.deepEqual(r.error?.issues.map((i) => [i.path.join("."), i.message]), [
    ["spec.externalLabels.cluster", "`cluster` is always set to metadata.name; remove it"],
    [
      `spec.externalLabels.${REPLICA_LABEL}`,
      `\`${REPLICA_LABEL}\` is set by the operator on each replica; remove it`,
    ],
  ]);
});

Deno.test("PrometheusSpec defaults to an HA pair, 10d, no size limit, no admin API", () => {
  const spec = PrometheusSpec.parse({});
  assert.deepEqual(spec.deployment, { replicas: 2, highAvailability: true });
  assert.deepEqual(spec.config, {
    retention_time: "10d",
    retention_size: "0",
    enable_admin_api: false,
  });
  assert.deepEqual(spec.extraRules, { groups: [] });
  assert.equal(spec.rules.node_exporter.node_filesystem_space_filling_up.warning.threshold, 40);
});

Deno.test("PrometheusSpec refuses one replica unless HA is given up explicitly", () => {
  const refused = PrometheusSpec.safeParse({ deployment: { replicas: 1 } });
  assert.deepEqual(refused.error?.issues.map((i) => [i.path.join("."), i.message]), [
    ["deployment.replicas", SINGLE_PROMETHEUS_LOSS],
  ]);
  assert.match(SINGLE_PROMETHEUS_LOSS, /no HA pair/);
  assert.match(SINGLE_PROMETHEUS_LOSS, /fill the gap/);
  const accepted = PrometheusSpec.parse({ deployment: { replicas: 1, highAvailability: false } });
  assert.equal(accepted.deployment.replicas, 1);
});

Deno.test("PrometheusConfigFile accepts the CSC apiVersion with and without its version", () => {
  for (
    const apiVersion of ["addons.metalk8s.scality.com", "addons.metalk8s.scality.com/v1alpha1"]
  ) {
    assert.ok(PrometheusConfigFile.safeParse({ apiVersion, kind: "PrometheusConfig" }).success);
  }
  assert.ok(
    !PrometheusConfigFile.safeParse({
      apiVersion: "addons.metalk8s.scality.com/v1",
      kind: "PrometheusConfig",
    }).success,
  );
});

Deno.test("mergeConfig() merges maps recursively, appends lists once, replaces scalars", () => {
  assert.deepEqual(
    mergeConfig(
      { route: { receiver: "null", group_by: ["alertname"], routes: [{ receiver: "a" }] }, x: 1 },
      {
        route: { receiver: "chat", group_by: ["alertname", "team"], routes: [{ receiver: "b" }] },
        y: 2,
      },
    ),
    {
      route: {
        receiver: "chat",
        group_by: ["alertname", "team"],
        routes: [{ receiver: "a" }, { receiver: "b" }],
      },
      x: 1,
      y: 2,
    },
  );
});

Deno.test("buildCluster() merges the Alertmanager configuration over the defaults", () => {
  const am = AlertmanagerSpec.parse({
    notification: {
      config: {
        route: { receiver: "chat" },
        receivers: [{ name: "chat", webhook_configs: [{ url_file: "/x" }] }],
      },
    },
  });
  const cluster = buildCluster("clusters/staging", {
    cluster: clusterFile(),
    alertmanager: {
      apiVersion: "addons.metalk8s.scality.com",
      kind: "AlertmanagerConfig",
      spec: am,
    },
  });
  const config = cluster.alertmanager.notification.config;
  assert.equal(config.route?.receiver, "chat");
  assert.deepEqual(config.route?.group_by, ["alertname", "cluster", "namespace"]);
  assert.deepEqual(config.receivers?.map((r) => r.name), ["null", "watchdog", "chat"]);
  assert.deepEqual(config.inhibit_rules, defaultAlertmanagerConfig().inhibit_rules);
  assert.equal(cluster.alertmanager.deployment.replicas, 3);
  assert.equal(cluster.grafana.deployment.replicas, 1);
});

Deno.test("defaultGrafanaIni() derives the root URL from the ingress", () => {
  assert.deepEqual(defaultGrafanaIni(clusterFile().spec), {});
  const spec = clusterFile({
    ingress: {
      className: "nginx",
      grafanaHost: "grafana.example.com",
      thanosHost: "thanos.example.com",
      tlsSecretName: "tls",
      thanosAuth: { basicAuthSecret: "thanos-users" },
    },
  }).spec;
  assert.deepEqual(defaultGrafanaIni(spec), {
    security: { cookie_secure: true },
    server: { domain: "grafana.example.com", root_url: "https://grafana.example.com/" },
  });
});

Deno.test("crossFileViolations() refuses a retention_size larger than the volume", () => {
  const prometheus = (retention_size: string) => ({
    apiVersion: "addons.metalk8s.scality.com" as const,
    kind: "PrometheusConfig" as const,
    spec: PrometheusSpec.parse({ config: { retention_size } }),
  });
  const cluster = clusterFile({ storage: { prometheus: { size: "50Gi" } } });
  assert.deepEqual(crossFileViolations({ cluster, prometheus: prometheus("50GB") }), []);
  assert.deepEqual(crossFileViolations({ cluster, prometheus: prometheus("0") }), []);
  assert.deepEqual(crossFileViolations({ cluster, prometheus: prometheus("51GB") }), [{
    file: "prometheus.yaml",
    path: ["spec", "config", "retention_size"],
    message: "expected at most the Prometheus volume (spec.storage.prometheus.size 50Gi in " +
      "cluster.yaml, 50 GiB), found 51GB (51 GiB); Prometheus reads GB as 2^30 bytes",
  }]);
});
