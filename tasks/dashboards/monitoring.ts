/**
 * The dashboards of the Monitoring folder: the stack watching itself. All but one read the
 * deduplicated Thanos Query; "HA replicas" reads it with deduplication off, the only way to see
 * both Prometheus replicas side by side (deduplicated, the replica label is gone).
 */
import { REPLICA_LABEL } from "../model/cluster.ts";
import { type DashboardSpec, DATASOURCES, q, row, stat, table, timeseries } from "./grafana.ts";

/** The jobs of the stack's ServiceMonitors (the Services' names). */
const PROMETHEUS = 'job="prometheus-k8s"';
const ALERTMANAGER = 'job="alertmanager-main"';
const THANOS_QUERY = 'job="thanos-query"';
const SIDECAR = 'job="thanos-sidecar"';

export const stackHealth: DashboardSpec = {
  uid: "stack-health",
  title: "Monitoring stack health",
  description: "The HA monitoring stack itself: both Prometheus replicas, Thanos Query " +
    "deduplication and the Alertmanager cluster.",
  tags: ["monitoring-stack"],
  rows: [
    row("Prometheus replicas", [
      stat("Prometheus replicas up", [
        q('min by (pod) (up{pod=~"prometheus-k8s-[0-9]+"})', "{{pod}}"),
      ], {
        width: 6,
        description: "Scrape health of each Prometheus pod. Thanos Query drops " +
          `${REPLICA_LABEL} when it deduplicates, so replicas are told apart by the pod that ` +
          "exposed the metric.",
        mappings: { 0: ["DOWN", "red"], 1: ["UP", "green"] },
        thresholds: ["red", [1, "green"]],
      }),
      timeseries("Samples ingested per second, per replica", [
        q(
          "sum by (pod) (rate(prometheus_tsdb_head_samples_appended_total[$__rate_interval]))",
          "{{pod}}",
        ),
      ], {
        description: "Samples appended to the head block of each replica. Both replicas scrape " +
          "every target, so the two lines should overlap.",
      }),
      timeseries("Head series, per replica", [
        q("sum by (pod) (prometheus_tsdb_head_series)", "{{pod}}"),
      ]),
    ], 6),
    row("Rules and notifications", [
      timeseries("Rule evaluation failures per second", [
        q(
          "sum by (pod, rule_group) (rate(prometheus_rule_evaluation_failures_total[$__rate_interval]))",
          "{{pod}} {{rule_group}}",
        ),
      ]),
      timeseries("Alerts sent to Alertmanager per second, per replica", [
        q(
          "sum by (pod) (rate(prometheus_notifications_sent_total[$__rate_interval]))",
          "sent by {{pod}}",
        ),
        q(
          "sum by (pod) (rate(prometheus_notifications_errors_total[$__rate_interval]))",
          "errors of {{pod}}",
        ),
      ], {
        description: "Each replica evaluates the same rules and sends its alerts to every " +
          "Alertmanager, which deduplicates them.",
      }),
    ], 7),
    row("Thanos Query", [
      stat("Store API endpoints connected", [
        q("sum by (store_type) (thanos_store_nodes_grpc_connections)", "{{store_type}}"),
      ], {
        width: 8,
        description: "gRPC connections of Thanos Query to Store APIs: one per Thanos sidecar, " +
          "so one per Prometheus replica.",
        thresholds: ["red", [1, "orange"], [2, "green"]],
      }),
      timeseries("Deduplication: series of up, with and without the replica label", [
        q("count(up)", "series of up through Thanos Query"),
        q(
          `count by (${REPLICA_LABEL}) (up)`,
          `series of up with ${REPLICA_LABEL}="{{${REPLICA_LABEL}}}"`,
        ),
        q("sum by (pod) (prometheus_target_scrape_pool_targets)", "targets scraped by {{pod}}"),
      ], {
        description: "Deduplicated, Thanos Query returns as many series of up as each replica " +
          `scrapes targets, none of them with a ${REPLICA_LABEL} value. Without deduplication ` +
          "(or with a wrong replica label) the count doubles and one line per replica value " +
          "appears.",
      }),
    ]),
    row("Alertmanager cluster", [
      stat("Cluster members seen by each Alertmanager", [
        q("max by (pod) (alertmanager_cluster_members)", "{{pod}}"),
      ], { thresholds: ["red", [2, "orange"], [3, "green"]] }),
      timeseries("Notifications per second, by integration", [
        q(
          "sum by (integration) (rate(alertmanager_notifications_total[$__rate_interval]))",
          "sent {{integration}}",
        ),
        q(
          "sum by (integration) (rate(alertmanager_notifications_failed_total[$__rate_interval]))",
          "failed {{integration}}",
        ),
      ]),
      timeseries("Alerts received per second, per Alertmanager", [
        q("sum by (pod) (rate(alertmanager_alerts_received_total[$__rate_interval]))", "{{pod}}"),
      ]),
    ], 7),
  ],
};

const PROM = `${PROMETHEUS}, pod=~"$pod"`;

export const prometheus: DashboardSpec = {
  uid: "prometheus",
  title: "Prometheus",
  description: "Scraping, storage, rules and queries of each Prometheus replica.",
  tags: ["monitoring-stack", "prometheus"],
  variables: [{ name: "pod", label: "Replica", query: `label_values(up{${PROMETHEUS}}, pod)` }],
  rows: [
    row("Scraping", [
      table("Targets by job", [
        q("count by (job) (up == 1) or count by (job) (up) * 0"),
        q("count by (job) (up == 0) or count by (job) (up) * 0"),
      ], { description: "Targets up and down, per job (both replicas deduplicated)." }),
      timeseries("Scrape duration, slowest target of each job", [
        q("max by (job) (scrape_duration_seconds)", "{{job}}"),
      ], { unit: "s" }),
      timeseries("Samples appended", [
        q(
          `rate(prometheus_tsdb_head_samples_appended_total{${PROM}}[$__rate_interval])`,
          "{{pod}} {{type}}",
        ),
      ], { unit: "ops" }),
    ]),
    row("Storage", [
      timeseries("Head series", [q(`prometheus_tsdb_head_series{${PROM}}`, "{{pod}}")]),
      timeseries("Blocks on disk", [
        q(`prometheus_tsdb_storage_blocks_bytes{${PROM}}`, "{{pod}} blocks"),
        q(`prometheus_tsdb_wal_storage_size_bytes{${PROM}}`, "{{pod}} WAL"),
      ], { unit: "bytes" }),
      timeseries("Compactions and their failures", [
        q(`increase(prometheus_tsdb_compactions_total{${PROM}}[$__rate_interval])`, "{{pod}} done"),
        q(
          `increase(prometheus_tsdb_compactions_failed_total{${PROM}}[$__rate_interval])`,
          "{{pod}} failed",
        ),
      ], { bars: true }),
    ]),
    row("Rules", [
      timeseries("Slowest rule groups", [
        q(
          `topk(10, max by (rule_group) (prometheus_rule_group_last_duration_seconds{${PROM}}))`,
          "{{rule_group}}",
        ),
      ], { unit: "s" }),
      timeseries("Missed and failed evaluations", [
        q(
          `sum by (pod) (rate(prometheus_rule_group_iterations_missed_total{${PROM}}[$__rate_interval]))`,
          "{{pod}} missed",
        ),
        q(
          `sum by (pod) (rate(prometheus_rule_evaluation_failures_total{${PROM}}[$__rate_interval]))`,
          "{{pod}} failed",
        ),
      ], { unit: "ops" }),
      timeseries("Alerts firing", [
        q('count by (severity) (ALERTS{alertstate="firing"})', "{{severity}}"),
      ], { stack: true }),
    ]),
    row("Queries and configuration", [
      timeseries("Query time, 99th percentile", [
        q(
          `max by (pod, slice) (prometheus_engine_query_duration_seconds{${PROM}, quantile="0.99"})`,
          "{{pod}} {{slice}}",
        ),
      ], { unit: "s" }),
      stat("Last configuration reload", [
        q(`min by (pod) (prometheus_config_last_reload_successful{${PROM}})`, "{{pod}}"),
      ], { mappings: { 0: ["FAILED", "red"], 1: ["OK", "green"] } }),
      timeseries("Memory", [
        q(`process_resident_memory_bytes{${PROM}}`, "{{pod}}"),
      ], { unit: "bytes" }),
    ]),
  ],
};

export const alertmanager: DashboardSpec = {
  uid: "alertmanager",
  title: "Alertmanager",
  description: "Alerts, notifications and the gossip cluster of the Alertmanagers.",
  tags: ["monitoring-stack", "alertmanager"],
  rows: [
    row("Alerts", [
      timeseries("Alerts, by state", [
        q(`max by (state) (alertmanager_alerts{${ALERTMANAGER}})`, "{{state}}"),
      ]),
      timeseries("Alerts received", [
        q(
          `sum by (pod) (rate(alertmanager_alerts_received_total{${ALERTMANAGER}}[$__rate_interval]))`,
          "{{pod}}",
        ),
      ], { unit: "ops" }),
      stat("Silences active", [
        q(`max(alertmanager_silences{${ALERTMANAGER}, state="active"})`),
      ]),
    ]),
    row("Notifications", [
      timeseries("Sent and failed, by integration", [
        q(
          `sum by (integration) (rate(alertmanager_notifications_total{${ALERTMANAGER}}[$__rate_interval]))`,
          "sent {{integration}}",
        ),
        q(
          `sum by (integration) (rate(alertmanager_notifications_failed_total{${ALERTMANAGER}}[$__rate_interval]))`,
          "failed {{integration}}",
        ),
      ], { unit: "ops" }),
      timeseries("Notification time, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (integration, le) (rate(alertmanager_notification_latency_seconds_bucket{${ALERTMANAGER}}[$__rate_interval])))`,
          "{{integration}}",
        ),
      ], { unit: "s" }),
    ]),
    row("Cluster", [
      stat("Members seen by each Alertmanager", [
        q(`max by (pod) (alertmanager_cluster_members{${ALERTMANAGER}})`, "{{pod}}"),
      ], { thresholds: ["red", [2, "orange"], [3, "green"]] }),
      timeseries("Gossip messages", [
        q(
          `sum by (pod) (rate(alertmanager_cluster_messages_received_total{${ALERTMANAGER}}[$__rate_interval]))`,
          "{{pod}} received",
        ),
      ], { unit: "ops" }),
      stat("Configuration loaded", [
        q(`min by (pod) (alertmanager_config_last_reload_successful{${ALERTMANAGER}})`, "{{pod}}"),
      ], { mappings: { 0: ["FAILED", "red"], 1: ["OK", "green"] } }),
    ]),
  ],
};

export const thanos: DashboardSpec = {
  uid: "thanos",
  title: "Thanos",
  description: "Thanos Query's requests and store endpoints, and the sidecar beside each " +
    "Prometheus replica.",
  tags: ["monitoring-stack", "thanos"],
  rows: [
    row("Thanos Query", [
      timeseries("Requests, by handler and code", [
        q(
          `sum by (handler, code) (rate(http_requests_total{${THANOS_QUERY}}[$__rate_interval]))`,
          "{{handler}} {{code}}",
        ),
      ], { unit: "reqps" }),
      timeseries("Request time, 99th percentile, by handler", [
        q(
          `histogram_quantile(0.99, sum by (handler, le) (rate(http_request_duration_seconds_bucket{${THANOS_QUERY}}[$__rate_interval])))`,
          "{{handler}}",
        ),
      ], { unit: "s" }),
      stat("Store endpoints", [
        q(
          `sum by (store_type) (thanos_store_nodes_grpc_connections{${THANOS_QUERY}})`,
          "{{store_type}}",
        ),
      ], { thresholds: ["red", [1, "orange"], [2, "green"]] }),
    ]),
    row("gRPC to the stores", [
      timeseries("Calls, by code", [
        q(
          `sum by (grpc_code) (rate(grpc_client_handled_total{${THANOS_QUERY}}[$__rate_interval]))`,
          "{{grpc_code}}",
        ),
      ], { unit: "ops" }),
      timeseries("Call time, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (grpc_method, le) (rate(grpc_client_handling_seconds_bucket{${THANOS_QUERY}}[$__rate_interval])))`,
          "{{grpc_method}}",
        ),
      ], { unit: "s" }),
    ]),
    row("Sidecars", [
      stat("Prometheus seen by each sidecar", [
        q(`min by (pod) (thanos_sidecar_prometheus_up{${SIDECAR}})`, "{{pod}}"),
      ], { mappings: { 0: ["DOWN", "red"], 1: ["UP", "green"] } }),
      timeseries("Store API calls served", [
        q(
          `sum by (pod, grpc_method) (rate(grpc_server_handled_total{${SIDECAR}}[$__rate_interval]))`,
          "{{pod}} {{grpc_method}}",
        ),
      ], { unit: "ops" }),
    ]),
  ],
};

const BY_REPLICA = `by (${REPLICA_LABEL})`;
const LEGEND = `{{${REPLICA_LABEL}}}`;

export const replicas: DashboardSpec = {
  uid: "ha-replicas",
  title: "HA replicas",
  description: "Each Prometheus replica on its own, read through Thanos Query with " +
    `deduplication off (datasource ${DATASOURCES.replicas}): both should scrape the same ` +
    "targets, hold the same series and fire the same alerts. A gap in one line is a replica " +
    "that was down; the deduplicated dashboards fill it from the other.",
  tags: ["monitoring-stack", "ha"],
  datasource: DATASOURCES.replicas,
  rows: [
    row("Scraping", [
      stat("Replicas answering", [q(`count(count ${BY_REPLICA} (up))`)], {
        width: 6,
        thresholds: ["red", [1, "orange"], [2, "green"]],
        description: "Prometheus replicas whose sidecar answers Thanos Query.",
      }),
      timeseries("Targets up, per replica", [q(`count ${BY_REPLICA} (up == 1)`, LEGEND)]),
      timeseries("Targets down, per replica", [
        q(`count ${BY_REPLICA} (up == 0) or count ${BY_REPLICA} (up) * 0`, LEGEND),
      ]),
    ], 7),
    row("Storage", [
      timeseries("Samples ingested per second, per replica", [
        q(
          `sum ${BY_REPLICA} (rate(prometheus_tsdb_head_samples_appended_total[$__rate_interval]))`,
          LEGEND,
        ),
      ], { unit: "ops" }),
      timeseries("Head series, per replica", [
        q(`sum ${BY_REPLICA} (prometheus_tsdb_head_series)`, LEGEND),
      ]),
    ], 7),
    row("Alerting", [
      timeseries("Alerts firing, per replica", [
        q(`count ${BY_REPLICA} (ALERTS{alertstate="firing"})`, LEGEND),
      ], {
        description: "Each replica evaluates every rule; Alertmanager receives both and " +
          "notifies once.",
      }),
      timeseries("Alertmanagers discovered, per replica", [
        q(`max ${BY_REPLICA} (prometheus_notifications_alertmanagers_discovered)`, LEGEND),
      ]),
      timeseries("Rule evaluations per second, per replica", [
        q(`sum ${BY_REPLICA} (rate(prometheus_rule_evaluations_total[$__rate_interval]))`, LEGEND),
      ], { unit: "ops" }),
    ], 7),
  ],
};
