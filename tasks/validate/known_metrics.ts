/**
 * The metric names the stack's exporters expose, for the rules check "an expression names a
 * metric nothing exposes" (a typo there makes an alert that can never fire). One data module:
 * add an exporter's prefix here when the stack starts scraping it.
 */

/** Exact names: series Prometheus makes itself, and names no prefix below covers. */
export const KNOWN_METRIC_NAMES: readonly string[] = [
  // Made by Prometheus for every scrape target and alert.
  "up",
  "scrape_duration_seconds",
  "scrape_samples_scraped",
  "scrape_samples_post_metric_relabeling",
  "scrape_series_added",
  "scrape_timeout_seconds",
  "scrape_sample_limit",
  "scrape_body_size_bytes",
  "ALERTS",
  "ALERTS_FOR_STATE",
  // Every Kubernetes component (base/kubernetes/) exposes its version.
  "kubernetes_build_info",
  // Names one letter from a sibling that rules also use (min/max): real, not typos.
  "kube_horizontalpodautoscaler_spec_min_replicas",
];

/** Prefixes, each with who exposes it. */
export const KNOWN_METRIC_PREFIXES: Readonly<Record<string, string>> = {
  node_: "node-exporter",
  kube_: "kube-state-metrics",
  prometheus_: "Prometheus, prometheus-operator (prometheus_operator_*)",
  alertmanager_: "Alertmanager",
  thanos_: "Thanos sidecar and Thanos Query",
  grafana_: "Grafana",
  reloader_: "prometheus-config-reloader",
  go_: "every Go component (runtime)",
  process_: "every component (process collector)",
  promhttp_: "every Go component (HTTP handler)",
  net_conntrack_: "Prometheus, Thanos (connection tracking)",
  http_: "Thanos (http_requests_total, http_request_duration_seconds)",
  grpc_: "Thanos (grpc_server_*, grpc_client_*)",
  kubelet_: "kubelet",
  container_: "kubelet's cAdvisor",
  machine_: "kubelet's cAdvisor (machine_cpu_cores, machine_memory_bytes)",
  rest_client_: "Kubernetes clients (kubelet, kube-state-metrics)",
  workqueue_: "Kubernetes controllers",
  storage_operation_: "kubelet",
  volume_manager_: "kubelet",
  apiserver_: "kube-apiserver",
  aggregator_: "kube-apiserver (aggregated APIs)",
  etcd_: "etcd",
  scheduler_: "kube-scheduler",
  kubeproxy_: "kube-proxy",
  coredns_: "CoreDNS",
  node_collector_: "kube-controller-manager (node lifecycle)",
};

/** Is `name` exposed by an exporter of the stack? (Recorded names are checked by the caller.) */
export function isKnownMetric(name: string): boolean {
  if (KNOWN_METRIC_NAMES.includes(name)) return true;
  return Object.keys(KNOWN_METRIC_PREFIXES).some((p) => name.startsWith(p));
}
