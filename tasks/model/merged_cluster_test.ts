import assert from "node:assert/strict";
import { clusterFile } from "./_testing.ts";
import { AlertmanagerSpec, PrometheusSpec } from "./cluster.ts";
import {
  buildCluster,
  crossFileViolations,
  defaultAlertmanagerConfig,
  defaultGrafanaIni,
  mergeConfig,
} from "./merged_cluster.ts";

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
