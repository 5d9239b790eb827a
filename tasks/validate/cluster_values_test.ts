import { deepEqual as assertEquals } from "node:assert/strict";
import { defaultAlertmanagerConfig, mergeConfig } from "../model/merged_cluster.ts";
import { clusterFieldOf, ClusterValues, ownPath } from "./cluster_values.ts";
import { parsePath } from "../model/field_path.ts";

const cluster = `apiVersion: monitoring.dev/v1alpha1
kind: Cluster
metadata:
  name: a
spec:
  destination:
    namespace: observability
  ingress:
    className: nginx
    grafanaHost: grafana.a.example.com
    thanosHost: thanos.a.example.com
  externalLabels:
    region: eu-west-1
  storage:
    prometheus:
      size: 20Gi
`;
const alertmanager = `apiVersion: addons.metalk8s.scality.com/v1alpha1
kind: AlertmanagerConfig
spec:
  deployment:
    replicas: 1
  notification:
    config:
      route:
        receiver: chat
        routes:
          - receiver: pager
            matchers: ['severity = "critical"']
      receivers:
        - name: chat
        - name: pager
`;
const template = `groups:
  - name: g
    rules:
      - alert: DiskFull
        expr: |
          free < \${node_exporter.node_filesystem_almost_out_of_space.warning.available}
          and size > 0
        for: 5m
`;
const prometheus = `apiVersion: addons.metalk8s.scality.com/v1alpha1
kind: PrometheusConfig
spec:
  rules:
    node_exporter:
      node_filesystem_almost_out_of_space:
        warning:
          available: 10
`;

const values = () =>
  new ClusterValues(
    "clusters/a",
    new Map([
      ["cluster.yaml", cluster],
      ["alertmanager.yaml", alertmanager],
      ["prometheus.yaml", prometheus],
    ]),
    new Map([["node-exporter-rules", template]]),
  );

Deno.test("clusterFieldOf() names the cluster field generate renders into an object's field", () => {
  const of = (kind: string, name: string, field: string) =>
    clusterFieldOf(kind, name, parsePath(field));
  assertEquals(of("Alertmanager", "main", "spec.replicas"), {
    file: "alertmanager.yaml",
    path: ["spec", "deployment", "replicas"],
  });
  assertEquals(of("Prometheus", "k8s", "spec.externalLabels.cluster"), {
    file: "cluster.yaml",
    path: ["metadata", "name"],
  });
  assertEquals(
    of("Prometheus", "k8s", "spec.storage.volumeClaimTemplate.spec.resources.requests.storage"),
    { file: "cluster.yaml", path: ["spec", "storage", "prometheus", "size"] },
  );
  assertEquals(of("ConfigMap", "grafana-config-5t2k8m9f4h", 'data["grafana.ini"]'), {
    file: "grafana.yaml",
    path: ["spec", "config", "grafana.ini"],
  });
  assertEquals(of("PrometheusRule", "extra-rules", "spec.groups[0].rules[1].expr"), {
    file: "prometheus.yaml",
    path: ["spec", "extraRules", "groups", 0, "rules", 1, "expr"],
  });
  assertEquals(of("Deployment", "grafana", "metadata.namespace"), {
    file: "cluster.yaml",
    path: ["spec", "destination", "namespace"],
  });
  assertEquals(
    of("NetworkPolicy", "grafana-from-ingress-controller", "spec.ingress[0].from"),
    null,
  );
  assertEquals(
    of(
      "NetworkPolicy",
      "grafana-from-ingress-controller",
      'spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]',
    ),
    { file: "cluster.yaml", path: ["spec", "ingress", "controllerNamespace"] },
  );
  assertEquals(
    of("Ingress", "thanos-query", 'metadata.annotations["nginx.ingress.kubernetes.io/auth-url"]'),
    { file: "cluster.yaml", path: ["spec", "ingress", "thanosAuth", "authUrl"] },
  );
  assertEquals(
    of(
      "Alertmanager",
      "main",
      "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey",
    ),
    { file: "cluster.yaml", path: ["spec", "spread", "topologyKey"] },
  );
  // Values of base/ and versions.json are nobody's in clusters/.
  assertEquals(of("Prometheus", "k8s", "spec.image"), null);
  assertEquals(of("Deployment", "grafana", "spec.template.spec.containers[grafana].image"), null);
  assertEquals(of("Deployment", "kube-state-metrics", "spec.replicas"), null);
});

Deno.test("ClusterValues.ofObject() points at the line of the value in the cluster's file", () => {
  assertEquals(values().ofObject("Alertmanager", "main", "spec.replicas"), {
    file: "clusters/a/alertmanager.yaml",
    line: 5,
    column: 5,
    field: "spec.deployment.replicas",
    written: true,
  });
  assertEquals(values().ofObject("Prometheus", "k8s", "spec.externalLabels.region")?.line, 13);
});

Deno.test("ClusterValues.ofObject() tells the two ingress hosts apart by the rendered value", () => {
  const host = (value: string) =>
    values().ofObject("Ingress", "thanos-query", "spec.rules[0].host", { value })?.field;
  assertEquals(host("thanos.a.example.com"), "spec.ingress.thanosHost");
  assertEquals(host("grafana.a.example.com"), "spec.ingress.grafanaHost");
  assertEquals(host("elsewhere.example.com"), undefined);
});

Deno.test("ClusterValues.ofObject() points at where a default would be set, marked not written", () => {
  assertEquals(values().ofObject("Prometheus", "k8s", "spec.retention"), {
    file: "clusters/a/prometheus.yaml",
    line: 3,
    column: 1,
    field: "spec.config.retention_time",
    written: false,
  });
  // No grafana.yaml: nothing to point at.
  assertEquals(values().ofObject("Deployment", "grafana", "spec.replicas"), null);
});

Deno.test("ClusterValues.ofObject() gives a default rule's field to the parameter its template fills in", () => {
  assertEquals(
    values().ofObject("PrometheusRule", "node-exporter-rules", "spec.groups[0].rules[0].expr", {
      line: 0,
    }),
    {
      file: "clusters/a/prometheus.yaml",
      line: 8,
      column: 11,
      field: "spec.rules.node_exporter.node_filesystem_almost_out_of_space.warning.available",
      written: true,
    },
  );
  // A line of the expression without a parameter: the field's parameters still name it.
  assertEquals(
    values().ofObject("PrometheusRule", "node-exporter-rules", "spec.groups[0].rules[0].expr", {
      line: 1,
    })?.line,
    8,
  );
  assertEquals(
    values().ofObject("PrometheusRule", "node-exporter-rules", "spec.groups[0].rules[0].for"),
    null,
  );
});

Deno.test("ownPath() finds a merged list item in the cluster's own list by its value", () => {
  const own = { route: { receiver: "chat", routes: [{ receiver: "pager" }] } };
  const merged = mergeConfig(defaultAlertmanagerConfig(), own);
  // The defaults (Watchdog, InfoInhibitor) come first: the cluster's route is the third.
  assertEquals(ownPath(merged, own, ["route", "routes", 2, "receiver"]), {
    path: ["route", "routes", 0, "receiver"],
    complete: true,
  });
  assertEquals(ownPath(merged, own, ["route", "routes", 1, "receiver"]), {
    path: ["route", "routes"],
    complete: false,
  });
});

Deno.test("ClusterValues.ofAlertmanagerConfig() points into spec.notification.config", () => {
  const own = values().value("alertmanager.yaml", ["spec", "notification", "config"]);
  const merged = mergeConfig(defaultAlertmanagerConfig(), own);
  assertEquals(values().ofAlertmanagerConfig(parsePath("route.routes[2].matchers[0]"), merged), {
    file: "clusters/a/alertmanager.yaml",
    line: 12,
    column: 24,
    field: "spec.notification.config.route.routes[0].matchers[0]",
    written: true,
  });
  assertEquals(
    values().ofAlertmanagerConfig(parsePath("inhibit_rules[0]"), merged)?.written,
    false,
  );
});

Deno.test("clusterFieldOf() names the cluster field of a container variable by its name", () => {
  const grafana = {
    spec: {
      template: {
        spec: {
          containers: [{
            name: "grafana",
            env: [
              { name: "PROMETHEUS_SCRAPE_INTERVAL", value: "30s" },
              {
                name: "GF_DATABASE_PASSWORD",
                valueFrom: { secretKeyRef: { name: "db", key: "password" } },
              },
            ],
          }],
        },
      },
    },
  };
  const of = (field: string) => clusterFieldOf("Deployment", "grafana", parsePath(field), grafana);
  assertEquals(of("spec.template.spec.containers[0].env[0].value"), {
    file: "cluster.yaml",
    path: ["spec", "scrapeInterval"],
  });
  assertEquals(of("spec.template.spec.containers[grafana].env[1].valueFrom.secretKeyRef.key"), {
    file: "grafana.yaml",
    path: ["spec", "database", "passwordSecret", "key"],
  });
  assertEquals(of("spec.template.spec.containers[0].image"), null);
});

Deno.test("ClusterValues.ofAlertmanagerConfig() gives the Watchdog's heartbeat parts to spec.heartbeat", () => {
  const csc = "apiVersion: addons.metalk8s.scality.com/v1alpha1\nkind: AlertmanagerConfig\n" +
    "spec:\n  heartbeat:\n    urlFile: /etc/alertmanager/secrets/alertmanager-receivers/hb\n" +
    "    interval: 2m\n";
  const v = new ClusterValues("clusters/a", new Map([["alertmanager.yaml", csc]]));
  const merged = defaultAlertmanagerConfig({
    urlFile: "/etc/alertmanager/secrets/alertmanager-receivers/hb",
    interval: "2m",
  });
  const at = (path: string) => v.ofAlertmanagerConfig(parsePath(path), merged);
  assertEquals(at("route.routes[0].repeat_interval")?.field, "spec.heartbeat.interval");
  assertEquals(at("route.routes[0].repeat_interval")?.line, 6);
  assertEquals(at("receivers[1].webhook_configs[0].url_file")?.field, "spec.heartbeat.urlFile");
  // The Watchdog's matcher is the defaults', not the heartbeat's.
  assertEquals(at("route.routes[0].matchers[0]"), null);
});
