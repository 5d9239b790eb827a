import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { loadVersions } from "../model/versions.ts";
import { parseManifests } from "../render/kustomize.ts";
import {
  assignPorts,
  localAlertmanagerConfig,
  localPlan,
  localQueryArgs,
  portCount,
  readStack,
  StackConfigError,
} from "./config.ts";

const objects = parseManifests(
  readFileSync(new URL("./testdata/render.yaml", import.meta.url), "utf8"),
);
const stack = readStack(objects, loadVersions());
const ports = assignPorts(stack, Array.from({ length: portCount(stack) }, (_, i) => 20000 + i));
const plan = localPlan(stack, ports, {
  dir: "/tmp/s",
  sinkUrl: "http://127.0.0.1:1",
  webhookUrl: (r) => `http://127.0.0.1:1/notify/${r}`,
});
const fileOf = (path: string) => plan.files.find((f) => f.path === path)?.content ?? "";

Deno.test("readStack() takes replicas, labels, intervals and retention from the Prometheus CR", () => {
  assert.deepEqual(
    {
      replicas: stack.prometheus.replicas,
      replicaNames: stack.prometheus.replicaNames,
      externalLabels: stack.prometheus.externalLabels,
      replicaLabel: stack.prometheus.replicaLabel,
      scrape: stack.prometheus.scrapeInterval,
      evaluation: stack.prometheus.evaluationInterval,
      retention: stack.prometheus.retention,
      alertmanagers: stack.alertmanager.replicas,
    },
    {
      replicas: 2,
      replicaNames: ["prometheus-k8s-0", "prometheus-k8s-1"],
      externalLabels: { cluster: "test" },
      replicaLabel: "prometheus_replica",
      scrape: "2s",
      evaluation: "2s",
      retention: "10d",
      alertmanagers: 3,
    },
  );
});

Deno.test("readStack() names each local job like the ServiceMonitor that scrapes it", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(stack.jobs).map(([k, j]) => [k, `${j.job}/${j.endpoint}`])),
    {
      prometheus: "prometheus-k8s/web",
      sidecar: "thanos-sidecar/http",
      alertmanager: "alertmanager-main/web",
      thanosQuery: "thanos-query/http",
      nodeExporter: "node-exporter/metrics",
    },
  );
});

Deno.test("readStack() keeps only the PrometheusRules the CR's ruleSelector picks", () => {
  assert.deepEqual(stack.ruleFiles.map((f) => f.name), ["monitoring-general.yaml"]);
});

Deno.test("readStack() says what is missing from a render", () => {
  assert.throws(
    () => readStack(objects.filter((o) => o.kind !== "Secret"), loadVersions()),
    new StackConfigError("the render has no Secret alertmanager-main-config"),
  );
  assert.throws(
    () => readStack(objects.filter((o) => o.kind !== "Prometheus"), loadVersions()),
    new StackConfigError("the render has 0 Prometheus objects; the local stack needs exactly one"),
  );
});

Deno.test("localAlertmanagerConfig() points every receiver at the sink and keeps the routes", () => {
  const config = {
    global: { resolve_timeout: "5m", slack_api_url_file: "/etc/secret" },
    route: { receiver: "null", routes: [{ receiver: "pager", matchers: ["severity=critical"] }] },
    receivers: [{ name: "null" }, {
      name: "pager",
      pagerduty_configs: [{ routing_key_file: "/k" }],
    }],
    templates: ["/etc/alertmanager/config/*.tmpl"],
  };
  assert.deepEqual(localAlertmanagerConfig(config, (r) => `http://sink/${r}`, "/tmp/am"), {
    global: { resolve_timeout: "5m" },
    route: config.route,
    receivers: [
      { name: "null", webhook_configs: [{ url: "http://sink/null", send_resolved: true }] },
      { name: "pager", webhook_configs: [{ url: "http://sink/pager", send_resolved: true }] },
    ],
    templates: ["/tmp/am/*.tmpl"],
  });
});

Deno.test("localQueryArgs() keeps the rendered flags and swaps discovery for the local sidecars", () => {
  assert.deepEqual(
    localQueryArgs(stack.thanosQuery.args, {
      queryHttp: 1,
      queryGrpc: 2,
      sidecarGrpc: [3, 4],
    }),
    [
      "query",
      "--http-address=127.0.0.1:1",
      "--grpc-address=127.0.0.1:2",
      "--query.replica-label=prometheus_replica",
      "--log.level=info",
      "--endpoint=127.0.0.1:3",
      "--endpoint=127.0.0.1:4",
    ],
  );
});

Deno.test("localPlan() gives each replica the operator's external labels and alert relabelling", () => {
  const config = parse(fileOf("/tmp/s/prometheus-1/prometheus.yaml"));
  assert.deepEqual(config.global, {
    scrape_interval: "2s",
    evaluation_interval: "2s",
    external_labels: {
      cluster: "test",
      prometheus: "monitoring/k8s",
      prometheus_replica: "prometheus-k8s-1",
    },
  });
  assert.deepEqual(config.alerting.alert_relabel_configs, [
    { action: "labeldrop", regex: "prometheus_replica" },
  ]);
  assert.deepEqual(config.alerting.alertmanagers[0].static_configs[0].targets, [
    "127.0.0.1:20006",
    "127.0.0.1:20007",
    "127.0.0.1:20008",
  ]);
  assert.deepEqual(config.rule_files, ["/tmp/s/rules/*.yaml"]);
  assert.deepEqual(
    config.scrape_configs.map((c: { job_name: string; static_configs: unknown[] }) =>
      `${c.job_name}×${c.static_configs.length}`
    ),
    [
      "node-exporter×1",
      "prometheus-k8s×2",
      "thanos-sidecar×2",
      "thanos-query×1",
      "alertmanager-main×3",
    ],
  );
});

Deno.test("localPlan() runs Prometheus with the rendered retention and the sidecar's block sizes", () => {
  const p0 = plan.processes.find((p) => p.name === "prometheus-0");
  assert.deepEqual(p0?.args, [
    "--config.file=/tmp/s/prometheus-0/prometheus.yaml",
    "--web.listen-address=127.0.0.1:20000",
    "--storage.tsdb.path=/tmp/s/prometheus-0/data",
    "--storage.tsdb.retention.time=10d",
    "--storage.tsdb.min-block-duration=2h",
    "--storage.tsdb.max-block-duration=2h",
  ]);
  assert.deepEqual(plan.processes.map((p) => p.name), [
    "node-exporter",
    "prometheus-0",
    "sidecar-0",
    "prometheus-1",
    "sidecar-1",
    "alertmanager-0",
    "alertmanager-1",
    "alertmanager-2",
    "thanos-query",
  ]);
});

Deno.test("localPlan() makes the Alertmanagers one gossip cluster on loopback", () => {
  const am1 = plan.processes.find((p) => p.name === "alertmanager-1");
  assert.deepEqual(am1?.args.filter((a) => a.startsWith("--cluster.")), [
    "--cluster.listen-address=127.0.0.1:20010",
    "--cluster.advertise-address=127.0.0.1:20010",
    "--cluster.peer=127.0.0.1:20009",
    "--cluster.peer=127.0.0.1:20011",
  ]);
  assert.ok(am1?.args.includes("--data.retention=120h"));
  assert.equal(fileOf("/tmp/s/alertmanager/extra.tmpl"), '{{ define "x" }}x{{ end }}\n');
  const am = parse(fileOf("/tmp/s/alertmanager/alertmanager.yaml"));
  assert.deepEqual(
    am.receivers.map((r: { webhook_configs: { url: string }[] }) => r.webhook_configs[0]?.url),
    [
      "http://127.0.0.1:1/notify/default",
      "http://127.0.0.1:1/notify/heartbeat",
    ],
  );
});
