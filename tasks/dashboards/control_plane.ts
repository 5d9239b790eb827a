/**
 * The dashboards of the Kubernetes control plane folder: one per component the stack scrapes
 * (base/kubernetes/), each selecting the component by its `job` label from
 * tasks/model/components.ts, so a renamed job cannot leave a dashboard empty.
 */
import { type ComponentId, COMPONENTS } from "../model/components.ts";
import { type DashboardSpec, type PanelSpec, q, row, stat, timeseries } from "./grafana.ts";

const job = (id: ComponentId): string => `job="${COMPONENTS[id].job}"`;

/** The instances of a component, for its dashboard's variable. */
function instances(id: ComponentId) {
  return {
    name: "instance",
    label: "Instance",
    query: `label_values(up{${job(id)}}, instance)`,
  };
}

/** Targets up, out of those discovered. */
function upStat(id: ComponentId): PanelSpec {
  return stat("Up", [
    q(`sum(up{${job(id)}})`, "up"),
    q(`count(up{${job(id)}})`, "discovered"),
  ], {
    description: `Targets of ${COMPONENTS[id].title} Prometheus scraped successfully, out of ` +
      "those it discovered.",
  });
}

/** CPU and memory of the component's processes: every Kubernetes binary exports them. */
function processRow(id: ComponentId): ReturnType<typeof row> {
  const sel = `${job(id)}, instance=~"$instance"`;
  return row("Process", [
    timeseries("CPU", [
      q(`rate(process_cpu_seconds_total{${sel}}[$__rate_interval])`, "{{instance}}"),
    ], { unit: "cores" }),
    timeseries("Resident memory", [
      q(`process_resident_memory_bytes{${sel}}`, "{{instance}}"),
    ], { unit: "bytes" }),
    timeseries("Goroutines", [q(`go_goroutines{${sel}}`, "{{instance}}")]),
  ], 7);
}

/** Requests of the component to the API server, by status code. */
function apiClientPanel(id: ComponentId): PanelSpec {
  return timeseries("Requests to the API server, by code", [
    q(
      `sum by (code) (rate(rest_client_requests_total{${
        job(id)
      }, instance=~"$instance"}[$__rate_interval]))`,
      "{{code}}",
    ),
  ], { unit: "reqps" });
}

/** A workqueue's adds, depth and latency: what a controller has to do and how fast. */
function workqueueRow(id: ComponentId): ReturnType<typeof row> {
  const sel = `${job(id)}, instance=~"$instance"`;
  return row("Work queues", [
    timeseries("Items added, by queue", [
      q(`sum by (name) (rate(workqueue_adds_total{${sel}}[$__rate_interval]))`, "{{name}}"),
    ], { unit: "ops" }),
    timeseries("Depth, by queue", [q(`sum by (name) (workqueue_depth{${sel}})`, "{{name}}")]),
    timeseries("Time in queue, 99th percentile", [
      q(
        `histogram_quantile(0.99, sum by (name, le) (rate(workqueue_queue_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
        "{{name}}",
      ),
    ], { unit: "s" }),
  ], 7);
}

export const apiServer: DashboardSpec = {
  uid: "k8s-apiserver",
  title: "API server",
  description: "Requests, errors, latency and error budget of the Kubernetes API server, from " +
    "the recording rules of base/rules/kube-apiserver.rules.yaml.",
  tags: ["kubernetes", "control-plane"],
  variables: [instances("kubeApiServer")],
  rows: [
    row("Error budget", [
      upStat("kubeApiServer"),
      timeseries("Burn rate, by window", [
        q("sum by (verb) (apiserver_request:burnrate5m)", "{{verb}} 5m"),
        q("sum by (verb) (apiserver_request:burnrate1h)", "{{verb}} 1h"),
        q("sum by (verb) (apiserver_request:burnrate6h)", "{{verb}} 6h"),
        q("sum by (verb) (apiserver_request:burnrate3d)", "{{verb}} 3d"),
      ], {
        unit: "percentunit",
        width: 18,
        description: "Share of requests that failed or were too slow. The objective allows 1%; " +
          "KubeAPIErrorBudgetBurn fires at 14.4 times that over 1h, 6 times over 6h, 3 times " +
          "over a day and once over 3 days.",
      }),
    ], 7),
    row("Requests", [
      timeseries("Reads, by code", [
        q('sum by (code) (code_resource:apiserver_request_total:rate5m{verb="read"})', "{{code}}"),
      ], { unit: "reqps", stack: true }),
      timeseries("Writes, by code", [
        q('sum by (code) (code_resource:apiserver_request_total:rate5m{verb="write"})', "{{code}}"),
      ], { unit: "reqps", stack: true }),
      timeseries("Requests in flight", [
        q(
          'sum by (instance, request_kind) (apiserver_current_inflight_requests{job="apiserver", instance=~"$instance"})',
          "{{instance}} {{request_kind}}",
        ),
      ]),
    ]),
    row("Latency and errors", [
      timeseries("Read latency, 99th percentile, by resource", [
        q(
          'cluster_quantile:apiserver_request_sli_duration_seconds:histogram_quantile{verb="read"}',
          "{{resource}}",
        ),
      ], { unit: "s" }),
      timeseries("Write latency, 99th percentile, by resource", [
        q(
          'cluster_quantile:apiserver_request_sli_duration_seconds:histogram_quantile{verb="write"}',
          "{{resource}}",
        ),
      ], { unit: "s" }),
      timeseries("Server errors and terminated requests", [
        q(
          'sum by (resource) (code_resource:apiserver_request_total:rate5m{code=~"5.."})',
          "5xx {{resource}}",
        ),
        q(
          'sum(rate(apiserver_request_terminations_total{job="apiserver", instance=~"$instance"}[$__rate_interval]))',
          "terminated",
        ),
      ], { unit: "reqps" }),
    ]),
    workqueueRow("kubeApiServer"),
    processRow("kubeApiServer"),
  ],
};

const ETCD = 'job="etcd", instance=~"$instance"';

export const etcd: DashboardSpec = {
  uid: "k8s-etcd",
  title: "etcd",
  description: "Members, leader, database size, disk latency and traffic of the API server's " +
    "etcd cluster.",
  tags: ["kubernetes", "control-plane"],
  variables: [instances("etcd")],
  rows: [
    row("Cluster", [
      upStat("etcd"),
      stat("Members with a leader", [q(`sum(etcd_server_has_leader{${ETCD}})`)], {
        thresholds: ["red", [1, "green"]],
      }),
      timeseries("Leader changes", [
        q(
          `max(increase(etcd_server_leader_changes_seen_total{${ETCD}}[$__rate_interval]))`,
          "changes",
        ),
      ], { bars: true }),
      timeseries("Database size and quota", [
        q(`etcd_mvcc_db_total_size_in_bytes{${ETCD}}`, "{{instance}} size"),
        q(`etcd_mvcc_db_total_size_in_use_in_bytes{${ETCD}}`, "{{instance}} in use"),
        q(`max(etcd_server_quota_backend_bytes{${ETCD}})`, "quota"),
      ], { unit: "bytes", width: 9 }),
    ], 7),
    row("Disk", [
      timeseries("WAL fsync, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{${ETCD}}[$__rate_interval])))`,
          "{{instance}}",
        ),
      ], { unit: "s" }),
      timeseries("Backend commit, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (instance, le) (rate(etcd_disk_backend_commit_duration_seconds_bucket{${ETCD}}[$__rate_interval])))`,
          "{{instance}}",
        ),
      ], { unit: "s" }),
    ]),
    row("Raft", [
      timeseries("Proposals", [
        q(
          `sum(rate(etcd_server_proposals_committed_total{${ETCD}}[$__rate_interval]))`,
          "committed",
        ),
        q(`sum(rate(etcd_server_proposals_applied_total{${ETCD}}[$__rate_interval]))`, "applied"),
        q(`sum(rate(etcd_server_proposals_failed_total{${ETCD}}[$__rate_interval]))`, "failed"),
      ], { unit: "ops" }),
      timeseries("Proposals pending", [
        q(`etcd_server_proposals_pending{${ETCD}}`, "{{instance}}"),
      ]),
      timeseries("Peer round trip, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (instance, To, le) (rate(etcd_network_peer_round_trip_time_seconds_bucket{${ETCD}}[$__rate_interval])))`,
          "{{instance}} → {{To}}",
        ),
      ], { unit: "s" }),
    ]),
    row("Traffic", [
      timeseries("gRPC requests, by method", [
        q(
          `sum by (grpc_method) (rate(grpc_server_handled_total{${ETCD}}[$__rate_interval]))`,
          "{{grpc_method}}",
        ),
      ], { unit: "reqps" }),
      timeseries("Client traffic", [
        q(
          `sum(rate(etcd_network_client_grpc_received_bytes_total{${ETCD}}[$__rate_interval]))`,
          "received",
        ),
        q(
          `sum(rate(etcd_network_client_grpc_sent_bytes_total{${ETCD}}[$__rate_interval]))`,
          "sent",
        ),
      ], { unit: "Bps" }),
      timeseries("Peer traffic", [
        q(
          `sum(rate(etcd_network_peer_received_bytes_total{${ETCD}}[$__rate_interval]))`,
          "received",
        ),
        q(`sum(rate(etcd_network_peer_sent_bytes_total{${ETCD}}[$__rate_interval]))`, "sent"),
      ], { unit: "Bps" }),
    ]),
    processRow("etcd"),
  ],
};

export const controllerManager: DashboardSpec = {
  uid: "k8s-controller-manager",
  title: "Controller manager",
  description: "The work queues of kube-controller-manager's controllers and its requests to " +
    "the API server.",
  tags: ["kubernetes", "control-plane"],
  variables: [instances("kubeControllerManager")],
  rows: [
    row("Controller manager", [
      upStat("kubeControllerManager"),
      timeseries("Retries, by queue", [
        q(
          'sum by (name) (rate(workqueue_retries_total{job="kube-controller-manager", instance=~"$instance"}[$__rate_interval]))',
          "{{name}}",
        ),
      ], {
        unit: "ops",
        description: "Items a controller failed to reconcile and queued again.",
      }),
      apiClientPanel("kubeControllerManager"),
    ], 7),
    workqueueRow("kubeControllerManager"),
    processRow("kubeControllerManager"),
  ],
};

export const scheduler: DashboardSpec = {
  uid: "k8s-scheduler",
  title: "Scheduler",
  description: "Scheduling attempts, pending pods and scheduling latency of kube-scheduler.",
  tags: ["kubernetes", "control-plane"],
  variables: [instances("kubeScheduler")],
  rows: [
    row("Scheduling", [
      upStat("kubeScheduler"),
      timeseries("Attempts, by result", [
        q(
          'sum by (result) (rate(scheduler_schedule_attempts_total{job="kube-scheduler", instance=~"$instance"}[$__rate_interval]))',
          "{{result}}",
        ),
      ], { unit: "ops" }),
      timeseries("Pending pods, by queue", [
        q(
          'sum by (queue) (scheduler_pending_pods{job="kube-scheduler", instance=~"$instance"})',
          "{{queue}}",
        ),
      ]),
    ], 7),
    row("Latency", [
      timeseries("Scheduling attempt", [
        q(
          "cluster_quantile:scheduler_scheduling_attempt_duration_seconds:histogram_quantile",
          "{{quantile}}",
        ),
      ], { unit: "s" }),
      timeseries("Pod scheduled, from first attempt", [
        q(
          "cluster_quantile:scheduler_pod_scheduling_sli_duration_seconds:histogram_quantile",
          "{{quantile}}",
        ),
      ], { unit: "s" }),
      apiClientPanel("kubeScheduler"),
    ]),
    processRow("kubeScheduler"),
  ],
};

const KUBELET = 'job="kubelet", metrics_path="/metrics", instance=~"$instance"';

export const kubelet: DashboardSpec = {
  uid: "k8s-kubelet",
  title: "Kubelet",
  description: "Pods and containers of each kubelet, how fast it starts them and talks to the " +
    "container runtime.",
  tags: ["kubernetes", "control-plane"],
  variables: [{
    name: "instance",
    label: "Instance",
    query: 'label_values(up{job="kubelet", metrics_path="/metrics"}, instance)',
  }],
  rows: [
    row("Kubelets", [
      stat("Up", [
        q('sum(up{job="kubelet", metrics_path="/metrics"})', "up"),
        q('count(up{job="kubelet", metrics_path="/metrics"})', "discovered"),
      ]),
      timeseries("Running pods", [q(`kubelet_running_pods{${KUBELET}}`, "{{node}}")]),
      timeseries("Running containers", [
        q(
          `sum by (node) (kubelet_running_containers{${KUBELET}, container_state="running"})`,
          "{{node}}",
        ),
      ]),
    ], 7),
    row("Latency", [
      timeseries("Pod start, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (node, le) (rate(kubelet_pod_start_duration_seconds_bucket{${KUBELET}}[$__rate_interval])))`,
          "{{node}}",
        ),
      ], { unit: "s" }),
      timeseries("PLEG relist, 99th percentile", [
        q(
          'node_quantile:kubelet_pleg_relist_duration_seconds:histogram_quantile{quantile="0.99"}',
          "{{node}}",
        ),
      ], { unit: "s" }),
      timeseries("Runtime operations, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (operation_type, le) (rate(kubelet_runtime_operations_duration_seconds_bucket{${KUBELET}}[$__rate_interval])))`,
          "{{operation_type}}",
        ),
      ], { unit: "s" }),
    ]),
    row("Errors", [
      timeseries("Runtime operation errors", [
        q(
          `sum by (node, operation_type) (rate(kubelet_runtime_operations_errors_total{${KUBELET}}[$__rate_interval]))`,
          "{{node}} {{operation_type}}",
        ),
      ], { unit: "ops" }),
      timeseries("Evictions", [
        q(
          `sum by (node, eviction_signal) (increase(kubelet_evictions{${KUBELET}}[$__rate_interval]))`,
          "{{node}} {{eviction_signal}}",
        ),
      ], { bars: true }),
      apiClientPanel("kubelet"),
    ]),
    processRow("kubelet"),
  ],
};

const COREDNS = 'job="coredns", instance=~"$instance"';

export const coreDns: DashboardSpec = {
  uid: "k8s-coredns",
  title: "CoreDNS",
  description: "Queries, answers, latency and cache of the cluster DNS.",
  tags: ["kubernetes", "control-plane"],
  variables: [instances("coreDns")],
  rows: [
    row("Queries", [
      upStat("coreDns"),
      timeseries("Queries, by type", [
        q(
          `sum by (type) (rate(coredns_dns_requests_total{${COREDNS}}[$__rate_interval]))`,
          "{{type}}",
        ),
      ], { unit: "reqps", stack: true }),
      timeseries("Answers, by code", [
        q(
          `sum by (rcode) (rate(coredns_dns_responses_total{${COREDNS}}[$__rate_interval]))`,
          "{{rcode}}",
        ),
      ], { unit: "reqps", stack: true }),
    ], 7),
    row("Latency and cache", [
      timeseries("Answer time, by zone", [
        q(
          `histogram_quantile(0.99, sum by (zone, le) (rate(coredns_dns_request_duration_seconds_bucket{${COREDNS}}[$__rate_interval])))`,
          "99th {{zone}}",
        ),
        q(
          `histogram_quantile(0.5, sum by (zone, le) (rate(coredns_dns_request_duration_seconds_bucket{${COREDNS}}[$__rate_interval])))`,
          "median {{zone}}",
        ),
      ], { unit: "s" }),
      timeseries("Cache hits and misses", [
        q(`sum(rate(coredns_cache_hits_total{${COREDNS}}[$__rate_interval]))`, "hits"),
        q(`sum(rate(coredns_cache_misses_total{${COREDNS}}[$__rate_interval]))`, "misses"),
      ], { unit: "ops" }),
      timeseries("Cache entries", [
        q(`sum by (type) (coredns_cache_entries{${COREDNS}})`, "{{type}}"),
      ]),
    ]),
    processRow("coreDns"),
  ],
};

const PROXY = 'job="kube-proxy", instance=~"$instance"';

export const kubeProxy: DashboardSpec = {
  uid: "k8s-proxy",
  title: "kube-proxy",
  description: "How fast kube-proxy programs Services on each node.",
  tags: ["kubernetes", "control-plane"],
  variables: [instances("kubeProxy")],
  rows: [
    row("Rules", [
      upStat("kubeProxy"),
      timeseries("Rule syncs", [
        q(
          `sum by (instance) (rate(kubeproxy_sync_proxy_rules_duration_seconds_count{${PROXY}}[$__rate_interval]))`,
          "{{instance}}",
        ),
      ], { unit: "ops" }),
      timeseries("Rule sync, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (instance, le) (rate(kubeproxy_sync_proxy_rules_duration_seconds_bucket{${PROXY}}[$__rate_interval])))`,
          "{{instance}}",
        ),
      ], { unit: "s" }),
      timeseries("Endpoint change to rules, 99th percentile", [
        q(
          `histogram_quantile(0.99, sum by (instance, le) (rate(kubeproxy_network_programming_duration_seconds_bucket{${PROXY}}[$__rate_interval])))`,
          "{{instance}}",
        ),
      ], { unit: "s" }),
    ], 7),
    row("API", [apiClientPanel("kubeProxy")], 7),
    processRow("kubeProxy"),
  ],
};
