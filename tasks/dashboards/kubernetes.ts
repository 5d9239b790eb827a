/**
 * The dashboards of the Kubernetes folder: what the workloads use (cluster, namespace,
 * workload, pod), their state, the nodes and the persistent volumes. Container CPU and memory
 * come from the recording rules of base/rules/kubelet-containers.rules.yaml, requests and limits
 * from those of kubernetes-resources.rules.yaml.
 */
import { type DashboardSpec, q, row, stat, table, timeseries } from "./grafana.ts";

/** cAdvisor's series, as the kubelet ServiceMonitor scrapes them. */
const CADVISOR = 'job="kubelet", metrics_path="/metrics/cadvisor"';
const KSM = 'job="kube-state-metrics"';
const CPU = "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m";
const MEMORY = "node_namespace_pod_container:container_memory_working_set_bytes";
const OWNER = "namespace_workload_pod:kube_pod_owner:relabel";

const NAMESPACE = {
  name: "namespace",
  label: "Namespace",
  query: `label_values(kube_namespace_status_phase{${KSM}}, namespace)`,
};

export const cluster: DashboardSpec = {
  uid: "k8s-resources-cluster",
  title: "Compute resources / Cluster",
  description: "CPU and memory the cluster's containers use and request, by namespace.",
  tags: ["kubernetes", "resources"],
  rows: [
    row("Cluster", [
      stat("CPU used", [q("sum(namespace:container_cpu_usage_seconds_total:sum_rate5m)")], {
        unit: "cores",
        description: "Cores busy with the containers of every pod.",
      }),
      stat("CPU requested", [
        q(
          "sum(namespace_cpu:kube_pod_container_resource_requests:sum) / " +
            `sum(kube_node_status_allocatable{${KSM}, resource="cpu"})`,
        ),
      ], {
        unit: "percentunit",
        description: "Requests of the active pods over the nodes' allocatable CPU.",
        thresholds: ["green", [0.8, "orange"], [1, "red"]],
      }),
      stat("Memory used", [q("sum(namespace:container_memory_working_set_bytes:sum)")], {
        unit: "bytes",
        description: "Working set of the containers of every pod.",
      }),
      stat("Memory requested", [
        q(
          "sum(namespace_memory:kube_pod_container_resource_requests:sum) / " +
            `sum(kube_node_status_allocatable{${KSM}, resource="memory"})`,
        ),
      ], {
        unit: "percentunit",
        description: "Requests of the active pods over the nodes' allocatable memory.",
        thresholds: ["green", [0.8, "orange"], [1, "red"]],
      }),
      stat("Nodes", [q(`count(kube_node_info{${KSM}})`)], { unit: "short" }),
      stat("Pods running", [q(`sum(kube_pod_status_phase{${KSM}, phase="Running"})`)], {
        unit: "short",
      }),
    ], 5),
    row("By namespace", [
      timeseries("CPU used", [
        q("namespace:container_cpu_usage_seconds_total:sum_rate5m", "{{namespace}}"),
      ], { unit: "cores", stack: true }),
      timeseries("Memory used", [
        q("namespace:container_memory_working_set_bytes:sum", "{{namespace}}"),
      ], { unit: "bytes", stack: true }),
    ]),
    row("Requests and limits", [
      table("CPU by namespace", [
        q("namespace:container_cpu_usage_seconds_total:sum_rate5m"),
        q("namespace_cpu:kube_pod_container_resource_requests:sum"),
        q("namespace_cpu:kube_pod_container_resource_limits:sum"),
      ], { unit: "cores", description: "Used, requested and limited CPU of each namespace." }),
      table("Memory by namespace", [
        q("namespace:container_memory_working_set_bytes:sum"),
        q("namespace_memory:kube_pod_container_resource_requests:sum"),
        q("namespace_memory:kube_pod_container_resource_limits:sum"),
      ], { unit: "bytes", description: "Used, requested and limited memory of each namespace." }),
    ], 10),
  ],
};

export const namespace: DashboardSpec = {
  uid: "k8s-resources-namespace",
  title: "Compute resources / Namespace",
  description: "CPU, memory and network of the pods of a namespace, against their requests.",
  tags: ["kubernetes", "resources"],
  variables: [NAMESPACE],
  rows: [
    row("Pods", [
      timeseries("CPU used, by pod", [
        q(`sum by (pod) (${CPU}{namespace=~"$namespace"})`, "{{pod}}"),
      ], { unit: "cores", stack: true }),
      timeseries("Memory used, by pod", [
        q(`sum by (pod) (${MEMORY}{namespace=~"$namespace"})`, "{{pod}}"),
      ], { unit: "bytes", stack: true }),
    ]),
    row("Against requests", [
      timeseries("CPU used and requested", [
        q(`sum(${CPU}{namespace=~"$namespace"})`, "used"),
        q(
          `sum(namespace_cpu:kube_pod_container_resource_requests:sum{namespace=~"$namespace"})`,
          "requested",
        ),
        q(
          `sum(namespace_cpu:kube_pod_container_resource_limits:sum{namespace=~"$namespace"})`,
          "limited",
        ),
      ], { unit: "cores" }),
      timeseries("Memory used and requested", [
        q(`sum(${MEMORY}{namespace=~"$namespace"})`, "used"),
        q(
          `sum(namespace_memory:kube_pod_container_resource_requests:sum{namespace=~"$namespace"})`,
          "requested",
        ),
        q(
          `sum(namespace_memory:kube_pod_container_resource_limits:sum{namespace=~"$namespace"})`,
          "limited",
        ),
      ], { unit: "bytes" }),
    ]),
    row("Network", [
      timeseries("Received, by pod", [
        q(
          `sum by (pod) (rate(container_network_receive_bytes_total{${CADVISOR}, namespace=~"$namespace"}[$__rate_interval]))`,
          "{{pod}}",
        ),
      ], { unit: "Bps" }),
      timeseries("Transmitted, by pod", [
        q(
          `sum by (pod) (rate(container_network_transmit_bytes_total{${CADVISOR}, namespace=~"$namespace"}[$__rate_interval]))`,
          "{{pod}}",
        ),
      ], { unit: "Bps" }),
    ]),
    row("Table", [
      table("CPU by pod", [
        q(`sum by (pod) (${CPU}{namespace=~"$namespace"})`),
        q(
          `sum by (pod) (cluster:namespace:pod_cpu:active:kube_pod_container_resource_requests{namespace=~"$namespace"})`,
        ),
        q(
          `sum by (pod) (cluster:namespace:pod_cpu:active:kube_pod_container_resource_limits{namespace=~"$namespace"})`,
        ),
      ], { unit: "cores", description: "Used, requested and limited CPU of each pod." }),
      table("Memory by pod", [
        q(`sum by (pod) (${MEMORY}{namespace=~"$namespace"})`),
        q(
          `sum by (pod) (cluster:namespace:pod_memory:active:kube_pod_container_resource_requests{namespace=~"$namespace"})`,
        ),
        q(
          `sum by (pod) (cluster:namespace:pod_memory:active:kube_pod_container_resource_limits{namespace=~"$namespace"})`,
        ),
      ], { unit: "bytes", description: "Used, requested and limited memory of each pod." }),
    ], 10),
  ],
};

export const workload: DashboardSpec = {
  uid: "k8s-resources-workload",
  title: "Compute resources / Workload",
  description:
    "CPU and memory of Deployments, StatefulSets, DaemonSets and Jobs, and of their pods.",
  tags: ["kubernetes", "resources"],
  variables: [
    NAMESPACE,
    {
      name: "workload",
      label: "Workload",
      query: `label_values(${OWNER}{namespace=~"$namespace"}, workload)`,
    },
  ],
  rows: [
    row("Workloads", [
      timeseries("CPU used, by workload", [
        q(
          `namespace_workload:container_cpu_usage_seconds_total:sum_rate5m{namespace=~"$namespace", workload=~"$workload"}`,
          "{{workload_type}} {{namespace}}/{{workload}}",
        ),
      ], { unit: "cores" }),
      timeseries("Memory used, by workload", [
        q(
          `namespace_workload:container_memory_working_set_bytes:sum{namespace=~"$namespace", workload=~"$workload"}`,
          "{{workload_type}} {{namespace}}/{{workload}}",
        ),
      ], { unit: "bytes" }),
    ]),
    row("Pods of the workloads", [
      timeseries("CPU used, by pod", [
        q(
          `sum by (namespace, pod) (${CPU}{namespace=~"$namespace"} * on (namespace, pod) group_left (workload) ${OWNER}{workload=~"$workload"})`,
          "{{namespace}}/{{pod}}",
        ),
      ], { unit: "cores" }),
      timeseries("Memory used, by pod", [
        q(
          `sum by (namespace, pod) (${MEMORY}{namespace=~"$namespace"} * on (namespace, pod) group_left (workload) ${OWNER}{workload=~"$workload"})`,
          "{{namespace}}/{{pod}}",
        ),
      ], { unit: "bytes" }),
      timeseries("Container restarts", [
        q(
          `sum by (namespace, pod) (increase(kube_pod_container_status_restarts_total{${KSM}, namespace=~"$namespace"}[$__rate_interval]) * on (namespace, pod) group_left (workload) ${OWNER}{workload=~"$workload"}) > 0`,
          "{{namespace}}/{{pod}}",
        ),
      ], { unit: "short", bars: true }),
    ]),
  ],
};

export const pod: DashboardSpec = {
  uid: "k8s-resources-pod",
  title: "Compute resources / Pod",
  description: "CPU, memory, throttling and restarts of the containers of a pod, against their " +
    "requests and limits.",
  tags: ["kubernetes", "resources"],
  variables: [
    { ...NAMESPACE, multi: false },
    {
      name: "pod",
      label: "Pod",
      query: `label_values(kube_pod_info{${KSM}, namespace="$namespace"}, pod)`,
      multi: false,
    },
  ],
  rows: [
    row("CPU", [
      timeseries("CPU used, by container", [
        q(`sum by (container) (${CPU}{namespace="$namespace", pod="$pod"})`, "{{container}}"),
        q(
          `sum(cluster:namespace:pod_cpu:active:kube_pod_container_resource_requests{namespace="$namespace", pod="$pod"})`,
          "requested",
        ),
        q(
          `sum(cluster:namespace:pod_cpu:active:kube_pod_container_resource_limits{namespace="$namespace", pod="$pod"})`,
          "limited",
        ),
      ], { unit: "cores" }),
      timeseries("CPU throttled", [
        q(
          `sum by (container) (increase(container_cpu_cfs_throttled_periods_total{${CADVISOR}, namespace="$namespace", pod="$pod", container!=""}[$__rate_interval])) / sum by (container) (increase(container_cpu_cfs_periods_total{${CADVISOR}, namespace="$namespace", pod="$pod", container!=""}[$__rate_interval]))`,
          "{{container}}",
        ),
      ], {
        unit: "percentunit",
        max: 1,
        description: "Share of CPU periods in which the container hit its limit.",
      }),
    ]),
    row("Memory", [
      timeseries("Memory used, by container", [
        q(
          `sum by (container) (${MEMORY}{namespace="$namespace", pod="$pod"})`,
          "{{container}} working set",
        ),
        q(
          `sum by (container) (node_namespace_pod_container:container_memory_rss{namespace="$namespace", pod="$pod"})`,
          "{{container}} rss",
        ),
        q(
          `sum(cluster:namespace:pod_memory:active:kube_pod_container_resource_requests{namespace="$namespace", pod="$pod"})`,
          "requested",
        ),
        q(
          `sum(cluster:namespace:pod_memory:active:kube_pod_container_resource_limits{namespace="$namespace", pod="$pod"})`,
          "limited",
        ),
      ], { unit: "bytes" }),
      timeseries("Restarts", [
        q(
          `sum by (container) (increase(kube_pod_container_status_restarts_total{${KSM}, namespace="$namespace", pod="$pod"}[$__rate_interval]))`,
          "{{container}}",
        ),
      ], { unit: "short", bars: true }),
    ]),
    row("Network", [
      timeseries("Received and transmitted", [
        q(
          `sum(rate(container_network_receive_bytes_total{${CADVISOR}, namespace="$namespace", pod="$pod"}[$__rate_interval]))`,
          "received",
        ),
        q(
          `sum(rate(container_network_transmit_bytes_total{${CADVISOR}, namespace="$namespace", pod="$pod"}[$__rate_interval]))`,
          "transmitted",
        ),
      ], { unit: "Bps" }),
      timeseries("Filesystem read and written", [
        q(
          `sum by (container) (rate(container_fs_reads_bytes_total{${CADVISOR}, namespace="$namespace", pod="$pod", container!=""}[$__rate_interval]))`,
          "{{container}} read",
        ),
        q(
          `sum by (container) (rate(container_fs_writes_bytes_total{${CADVISOR}, namespace="$namespace", pod="$pod", container!=""}[$__rate_interval]))`,
          "{{container}} written",
        ),
      ], { unit: "Bps" }),
    ]),
  ],
};

export const persistentVolumes: DashboardSpec = {
  uid: "k8s-persistent-volumes",
  title: "Persistent volumes",
  description: "Space and inodes of the volumes of persistent volume claims (from the kubelets), " +
    "and the state of volumes and claims (from kube-state-metrics).",
  tags: ["kubernetes", "storage"],
  variables: [NAMESPACE],
  rows: [
    row("Usage", [
      timeseries("Space used", [
        q(
          `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{namespace=~"$namespace"} / kubelet_volume_stats_capacity_bytes{namespace=~"$namespace"})`,
          "{{namespace}}/{{persistentvolumeclaim}}",
        ),
      ], { unit: "percentunit", max: 1 }),
      timeseries("Inodes used", [
        q(
          `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_inodes_used{namespace=~"$namespace"} / kubelet_volume_stats_inodes{namespace=~"$namespace"})`,
          "{{namespace}}/{{persistentvolumeclaim}}",
        ),
      ], { unit: "percentunit", max: 1 }),
    ]),
    row("Claims", [
      table("Space by claim", [
        q(
          `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes{namespace=~"$namespace"})`,
        ),
        q(
          `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes{namespace=~"$namespace"})`,
        ),
        q(
          `max by (namespace, persistentvolumeclaim) (kubelet_volume_stats_available_bytes{namespace=~"$namespace"})`,
        ),
      ], { unit: "bytes", description: "Capacity, used and available bytes of each claim." }),
      table("Claims not bound", [
        q(
          `max by (namespace, persistentvolumeclaim, phase) (kube_persistentvolumeclaim_status_phase{${KSM}, namespace=~"$namespace", phase!="Bound"}) > 0`,
        ),
      ], { description: "Claims Pending or Lost: their pods cannot start." }),
      table("Volumes failing", [
        q(
          `max by (persistentvolume, phase) (kube_persistentvolume_status_phase{${KSM}, phase=~"Failed|Pending"}) > 0`,
        ),
      ]),
    ], 9),
  ],
};

/** A filesystem type of a real disk, not of memory or of a container layer. */
const DISK_FS = 'fstype!~"tmpfs|ramfs|squashfs|overlay|nsfs|fuse.*"';
const PHYSICAL_NIC = 'device!~"lo|veth.*|cali.*|cilium.*|lxc.*|flannel.*|cni.*|docker.*"';

export const nodes: DashboardSpec = {
  uid: "nodes",
  title: "Nodes",
  description: "CPU, memory, filesystems and network of the cluster's nodes, from node-exporter.",
  tags: ["monitoring-stack", "node-exporter"],
  variables: [{
    name: "instance",
    label: "Instance",
    query: "label_values(node_uname_info, instance)",
  }],
  flat: true,
  rows: [
    row("CPU", [
      timeseries("CPU busy", [
        q(
          '1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle", instance=~"$instance"}[$__rate_interval]))',
          "{{instance}}",
        ),
      ], {
        unit: "percentunit",
        max: 1,
        description: "Share of CPU time not idle, over all cores of each node.",
      }),
      timeseries("Load average (1m) per core", [
        q(
          'max by (instance) (node_load1{instance=~"$instance"}) / count by (instance) (node_cpu_seconds_total{mode="idle", instance=~"$instance"})',
          "{{instance}}",
        ),
      ]),
    ]),
    row("Memory and filesystems", [
      timeseries("Memory used", [
        q(
          '1 - max by (instance) (node_memory_MemAvailable_bytes{instance=~"$instance"}) / max by (instance) (node_memory_MemTotal_bytes{instance=~"$instance"})',
          "{{instance}}",
        ),
      ], {
        unit: "percentunit",
        max: 1,
        description:
          "Share of memory not available to new processes without swapping (MemAvailable).",
      }),
      timeseries("Filesystem space used", [
        q(
          `1 - max by (instance, device, mountpoint) (node_filesystem_avail_bytes{instance=~"$instance", ${DISK_FS}}) / max by (instance, device, mountpoint) (node_filesystem_size_bytes{instance=~"$instance", ${DISK_FS}})`,
          "{{instance}} {{mountpoint}}",
        ),
      ], { unit: "percentunit", max: 1 }),
    ]),
    row("Network", [
      timeseries("Network received and transmitted", [
        q(
          `sum by (instance) (rate(node_network_receive_bytes_total{instance=~"$instance", ${PHYSICAL_NIC}}[$__rate_interval]))`,
          "{{instance}} received",
        ),
        q(
          `sum by (instance) (rate(node_network_transmit_bytes_total{instance=~"$instance", ${PHYSICAL_NIC}}[$__rate_interval]))`,
          "{{instance}} transmitted",
        ),
      ], {
        unit: "Bps",
        description:
          "Bytes per second on physical-looking interfaces (loopback and container veths excluded).",
      }),
      timeseries("Network errors and drops", [
        q(
          'sum by (instance) (rate(node_network_receive_errs_total{instance=~"$instance"}[$__rate_interval]) + rate(node_network_transmit_errs_total{instance=~"$instance"}[$__rate_interval]))',
          "{{instance}} errors",
        ),
        q(
          'sum by (instance) (rate(node_network_receive_drop_total{instance=~"$instance"}[$__rate_interval]) + rate(node_network_transmit_drop_total{instance=~"$instance"}[$__rate_interval]))',
          "{{instance}} drops",
        ),
      ], { unit: "pps" }),
    ]),
    row("Disks", [
      timeseries("Disk read and written", [
        q(
          'sum by (instance) (rate(node_disk_read_bytes_total{instance=~"$instance"}[$__rate_interval]))',
          "{{instance}} read",
        ),
        q(
          'sum by (instance) (rate(node_disk_written_bytes_total{instance=~"$instance"}[$__rate_interval]))',
          "{{instance}} written",
        ),
      ], { unit: "Bps" }),
      timeseries("Filesystem inodes used", [
        q(
          `1 - max by (instance, device, mountpoint) (node_filesystem_files_free{instance=~"$instance", ${DISK_FS}}) / max by (instance, device, mountpoint) (node_filesystem_files{instance=~"$instance", ${DISK_FS}})`,
          "{{instance}} {{mountpoint}}",
        ),
      ], { unit: "percentunit", max: 1 }),
    ]),
  ],
};

const NOT_READY =
  `sum by (namespace, pod) (kube_pod_status_ready{condition!="true", namespace=~"$namespace"})`;
const ACTIVE_PHASE =
  'kube_pod_status_phase{phase=~"Pending|Running|Unknown", namespace=~"$namespace"}';

export const workloads: DashboardSpec = {
  uid: "workloads",
  title: "Workloads",
  description: "Pods not ready, container restarts and replicas of Deployments, StatefulSets and " +
    "DaemonSets, from kube-state-metrics.",
  tags: ["monitoring-stack", "kube-state-metrics"],
  variables: [{
    name: "namespace",
    label: "Namespace",
    query: "label_values(kube_pod_info, namespace)",
  }],
  flat: true,
  rows: [
    row("Pods", [
      stat("Pods not ready", [
        q(
          `count(${NOT_READY} * on (namespace, pod) group_left () max by (namespace, pod) (${ACTIVE_PHASE}) > 0) or vector(0)`,
          "not ready",
        ),
      ], {
        width: 6,
        description:
          "Pods that are Pending, Running or Unknown without being Ready (completed pods are not counted).",
        thresholds: ["green", [1, "red"]],
      }),
      table("Pods not ready, by pod", [
        q(
          `${NOT_READY} * on (namespace, pod) group_left (phase) max by (namespace, pod, phase) (${ACTIVE_PHASE} == 1) > 0`,
        ),
      ]),
    ]),
    row("Restarts", [
      timeseries("Container restarts", [
        q(
          'sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{namespace=~"$namespace"}[$__rate_interval])) > 0',
          "{{namespace}}/{{pod}} {{container}}",
        ),
      ], {
        bars: true,
        description:
          "Restarts of each container over the rate interval; a spike is a crash or a failed liveness probe.",
      }),
      table("Restarts in the time range shown", [
        q(
          'round(sum by (namespace, pod, container) (increase(kube_pod_container_status_restarts_total{namespace=~"$namespace"}[$__range]))) > 0',
        ),
      ], { decimals: 0 }),
    ]),
    row("Replicas", [
      table("Deployments", [
        q('max by (namespace, deployment) (kube_deployment_spec_replicas{namespace=~"$namespace"})'),
        q(
          'max by (namespace, deployment) (kube_deployment_status_replicas_available{namespace=~"$namespace"})',
        ),
      ]),
      table("StatefulSets", [
        q('max by (namespace, statefulset) (kube_statefulset_replicas{namespace=~"$namespace"})'),
        q(
          'max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{namespace=~"$namespace"})',
        ),
      ]),
      table("DaemonSets", [
        q(
          'max by (namespace, daemonset) (kube_daemonset_status_desired_number_scheduled{namespace=~"$namespace"})',
        ),
        q(
          'max by (namespace, daemonset) (kube_daemonset_status_number_ready{namespace=~"$namespace"})',
        ),
      ]),
    ]),
    row("Missing", [
      timeseries("Replicas missing", [
        q(
          'max by (namespace, deployment) (kube_deployment_spec_replicas{namespace=~"$namespace"}) - max by (namespace, deployment) (kube_deployment_status_replicas_available{namespace=~"$namespace"}) > 0',
          "deployment {{namespace}}/{{deployment}}",
        ),
        q(
          'max by (namespace, statefulset) (kube_statefulset_replicas{namespace=~"$namespace"}) - max by (namespace, statefulset) (kube_statefulset_status_replicas_ready{namespace=~"$namespace"}) > 0',
          "statefulset {{namespace}}/{{statefulset}}",
        ),
        q(
          'max by (namespace, daemonset) (kube_daemonset_status_desired_number_scheduled{namespace=~"$namespace"}) - max by (namespace, daemonset) (kube_daemonset_status_number_ready{namespace=~"$namespace"}) > 0',
          "daemonset {{namespace}}/{{daemonset}}",
        ),
      ], {
        decimals: 0,
        description:
          "Desired minus available (Deployments) or ready (StatefulSets, DaemonSets) replicas; only workloads missing some are drawn.",
      }),
    ]),
  ],
};
