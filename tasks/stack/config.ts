/**
 * From a cluster's rendered manifests to the local stack's plan. Pure: `readStack()` takes what
 * the local processes need out of the render (the Prometheus and Alertmanager CRs, the rules, the
 * Alertmanager configuration, Thanos Query's and node-exporter's arguments, the scrape jobs), and
 * `localPlan()` turns that into files, command lines and URLs on 127.0.0.1. No value of the
 * render is written again here.
 */
import { stringify } from "yaml";
import { parse as parseYaml } from "yaml";
import { basename, join } from "node:path";
import { parseDuration } from "../model/cluster.ts";
import type { K8sObject } from "../render/kustomize.ts";
import type { Versions } from "../model/versions.ts";
import { type PodTemplate, podTemplates, scrapeTargets, selects, targetFor } from "./jobs.ts";
import { hostPort, httpUrl } from "./ports.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Where the operator's defaults apply when the CR leaves a field out. */
const OPERATOR_DEFAULTS = {
  scrapeInterval: "30s",
  evaluationInterval: "30s",
  retention: "24h",
  replicaExternalLabelName: "prometheus_replica",
  prometheusExternalLabelName: "prometheus",
  alertmanagerConfigKey: "alertmanager.yaml",
} as const;

/** How the local process of a component is scraped, named like the ServiceMonitor's job. */
export interface LocalJob {
  job: string;
  /** The Service and endpoint of the rendered ServiceMonitor ("" when none scrapes it). */
  service: string;
  endpoint: string;
  path: string;
}

export interface RenderedStack {
  namespace: string;
  prometheus: {
    name: string;
    replicas: number;
    /** The CR's externalLabels (`cluster` among them). */
    externalLabels: Record<string, string>;
    replicaLabel: string;
    /** The replica label's value on each replica, as the operator sets it. */
    replicaNames: string[];
    /** `prometheus: <namespace>/<name>`, unless the CR turns it off. */
    prometheusLabel: { name: string; value: string } | undefined;
    scrapeInterval: string;
    scrapeTimeout: string | undefined;
    evaluationInterval: string;
    retention: string;
    retentionSize: string | undefined;
    enableAdminAPI: boolean;
    sidecarLogLevel: string | undefined;
    sidecarLogFormat: string | undefined;
  };
  /** One rule file per selected PrometheusRule. */
  ruleFiles: { name: string; groups: Json[] }[];
  alertmanager: {
    name: string;
    replicas: number;
    retention: string | undefined;
    peerTimeout: string | undefined;
    gossipInterval: string | undefined;
    pushpullInterval: string | undefined;
    /** The configuration from the Secret, parsed. */
    config: Json;
    /** The Secret's other keys (templates), mounted beside the configuration by the operator. */
    extraFiles: { name: string; content: string }[];
  };
  thanosQuery: { name: string; args: string[] };
  nodeExporter: { name: string; args: string[] };
  jobs: {
    prometheus: LocalJob;
    sidecar: LocalJob;
    alertmanager: LocalJob;
    thanosQuery: LocalJob;
    nodeExporter: LocalJob;
  };
}

export class StackConfigError extends Error {}

function only(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) {
    throw new StackConfigError(
      `the render has ${found.length} ${kind} objects; the local stack needs exactly one`,
    );
  }
  return found[0] as K8sObject;
}

/** `quay.io/thanos/thanos:v0.42.4` → `quay.io/thanos/thanos`. */
export function imageName(image: string): string {
  return image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
}

function workloadWithImage(
  objects: readonly K8sObject[],
  kind: string,
  image: string,
  firstArg?: string,
): { object: K8sObject; container: Json } {
  for (const o of objects) {
    if (o.kind !== kind) continue;
    for (const c of o.spec?.template?.spec?.containers ?? []) {
      if (imageName(c.image ?? "") !== image) continue;
      if (firstArg !== undefined && c.args?.[0] !== firstArg) continue;
      return { object: o, container: c };
    }
  }
  throw new StackConfigError(
    `the render has no ${kind} running ${image}${firstArg ? ` ${firstArg}` : ""}`,
  );
}

function imageOf(versions: Versions, key: string): string {
  const pin = versions.images[key];
  if (!pin) throw new StackConfigError(`versions.json has no image "${key}"`);
  return pin.image;
}

function decodeSecretValue(secret: K8sObject, key: string): string | undefined {
  const plain = secret.stringData?.[key];
  if (typeof plain === "string") return plain;
  const b64 = secret.data?.[key];
  if (typeof b64 !== "string") return undefined;
  return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
}

function secretKeys(secret: K8sObject): string[] {
  return [...Object.keys(secret.stringData ?? {}), ...Object.keys(secret.data ?? {})];
}

function jobOf(
  targets: ReturnType<typeof scrapeTargets>,
  pods: PodTemplate,
  portName: string,
): LocalJob {
  const t = targetFor(targets, pods.workload, portName);
  // Without a ServiceMonitor the component is still scraped locally, under its workload's name.
  if (!t) return { job: pods.name, service: "", endpoint: portName, path: "/metrics" };
  return { job: t.job, service: t.service, endpoint: t.endpoint, path: t.path };
}

/** The container port whose number is the one an `--http-address=host:port` flag listens on. */
function portNameOfAddress(pods: PodTemplate, args: readonly string[], flag: string) {
  const value = flagValue(args, flag);
  const port = Number(value?.split(":").pop());
  const p = pods.ports.find((cp) => cp.port === port);
  if (!p) throw new StackConfigError(`${pods.workload} has no container port for ${flag}=${value}`);
  return p.name;
}

/** The value of `--flag=value` in an argument list. */
export function flagValue(args: readonly string[], flag: string): string | undefined {
  const prefix = `${flag}=`;
  return args.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

/** Reads what the local stack needs from a render; throws StackConfigError when it is absent. */
export function readStack(objects: readonly K8sObject[], versions: Versions): RenderedStack {
  const prom = only(objects, "Prometheus");
  const am = only(objects, "Alertmanager");
  const namespace = prom.metadata.namespace ?? "default";
  const ps = prom.spec ?? {};
  const replicas: number = ps.replicas ?? 1;
  const replicaLabel: string = ps.replicaExternalLabelName ??
    OPERATOR_DEFAULTS.replicaExternalLabelName;
  const promLabelName: string = ps.prometheusExternalLabelName ??
    OPERATOR_DEFAULTS.prometheusExternalLabelName;

  const ruleFiles = objects
    .filter((o) =>
      o.kind === "PrometheusRule" && ps.ruleSelector !== undefined &&
      selects(ps.ruleSelector, o.metadata.labels ?? {})
    )
    .map((o) => ({
      name: `${o.metadata.namespace ?? "default"}-${o.metadata.name}.yaml`,
      groups: o.spec?.groups ?? [],
    }));

  const secretName: string = am.spec?.configSecret ?? `alertmanager-${am.metadata.name}`;
  const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === secretName);
  if (!secret) throw new StackConfigError(`the render has no Secret ${secretName}`);
  const configText = decodeSecretValue(secret, OPERATOR_DEFAULTS.alertmanagerConfigKey);
  if (configText === undefined) {
    throw new StackConfigError(
      `Secret ${secretName} has no key ${OPERATOR_DEFAULTS.alertmanagerConfigKey}`,
    );
  }
  const extraFiles = secretKeys(secret)
    .filter((k) => k !== OPERATOR_DEFAULTS.alertmanagerConfigKey)
    .map((k) => ({ name: k, content: decodeSecretValue(secret, k) ?? "" }));

  const query = workloadWithImage(objects, "Deployment", imageOf(versions, "thanos"), "query");
  const node = workloadWithImage(objects, "DaemonSet", imageOf(versions, "node-exporter"));

  const targets = scrapeTargets(objects, prom);
  const pods = podTemplates(objects);
  const podsOf = (workload: string) => {
    const p = pods.find((x) => x.workload === workload);
    if (!p) throw new StackConfigError(`the render has no ${workload}`);
    return p;
  };
  const promPods = podsOf(`Prometheus/${prom.metadata.name}`);
  const amPods = podsOf(`Alertmanager/${am.metadata.name}`);
  const queryPods = podsOf(`Deployment/${query.object.metadata.name}`);
  const nodePods = podsOf(`DaemonSet/${node.object.metadata.name}`);
  const queryArgs: string[] = query.container.args ?? [];
  const nodeArgs: string[] = node.container.args ?? [];

  return {
    namespace,
    prometheus: {
      name: prom.metadata.name,
      replicas,
      externalLabels: { ...(ps.externalLabels ?? {}) },
      replicaLabel,
      replicaNames: Array.from(
        { length: replicas },
        (_, i) => `prometheus-${prom.metadata.name}-${i}`,
      ),
      prometheusLabel: promLabelName === ""
        ? undefined
        : { name: promLabelName, value: `${namespace}/${prom.metadata.name}` },
      scrapeInterval: ps.scrapeInterval ?? OPERATOR_DEFAULTS.scrapeInterval,
      scrapeTimeout: ps.scrapeTimeout,
      evaluationInterval: ps.evaluationInterval ?? OPERATOR_DEFAULTS.evaluationInterval,
      retention: ps.retention ?? OPERATOR_DEFAULTS.retention,
      retentionSize: ps.retentionSize,
      enableAdminAPI: ps.enableAdminAPI === true,
      sidecarLogLevel: ps.thanos?.logLevel,
      sidecarLogFormat: ps.thanos?.logFormat,
    },
    ruleFiles,
    alertmanager: {
      name: am.metadata.name,
      replicas: am.spec?.replicas ?? 1,
      retention: am.spec?.retention,
      peerTimeout: am.spec?.clusterPeerTimeout,
      gossipInterval: am.spec?.clusterGossipInterval,
      pushpullInterval: am.spec?.clusterPushpullInterval,
      config: parseYaml(configText) ?? {},
      extraFiles,
    },
    thanosQuery: { name: query.object.metadata.name, args: queryArgs },
    nodeExporter: { name: node.object.metadata.name, args: nodeArgs },
    jobs: {
      prometheus: jobOf(targets, promPods, "web"),
      sidecar: jobOf(targets, promPods, "http"),
      alertmanager: jobOf(targets, amPods, "web"),
      thanosQuery: jobOf(
        targets,
        queryPods,
        portNameOfAddress(queryPods, queryArgs, "--http-address"),
      ),
      nodeExporter: jobOf(targets, nodePods, nodePods.ports[0]?.name ?? "metrics"),
    },
  };
}

/**
 * The rendered Alertmanager configuration with every receiver's integrations replaced by one
 * webhook to the local sink. The routing tree, inhibitions and time intervals stay as they are,
 * so routing is real; credential files and template paths that exist only in the pod are
 * dropped or moved to `templatesDir`.
 */
export function localAlertmanagerConfig(
  config: Json,
  webhookUrl: (receiver: string) => string,
  templatesDir: string,
): Json {
  const out: Json = structuredClone(config);
  out.receivers = (config.receivers ?? []).map((r: Json) => ({
    name: r.name,
    webhook_configs: [{ url: webhookUrl(r.name), send_resolved: true }],
  }));
  if (out.global) {
    out.global = Object.fromEntries(
      Object.entries(out.global).filter(([k]) => !k.endsWith("_file") && k !== "http_config"),
    );
  }
  if (Array.isArray(out.templates)) {
    out.templates = out.templates.map((t: string) => join(templatesDir, basename(t)));
  }
  return out;
}

export interface LocalPorts {
  prometheus: number[];
  sidecarGrpc: number[];
  sidecarHttp: number[];
  queryHttp: number;
  queryGrpc: number;
  alertmanagerWeb: number[];
  alertmanagerCluster: number[];
  nodeExporter: number;
}

/** How many ports localPlan() needs. */
export function portCount(stack: RenderedStack): number {
  return 3 * stack.prometheus.replicas + 2 * stack.alertmanager.replicas + 3;
}

/** Hands out `ports` (from freePorts(portCount())) to the components. */
export function assignPorts(stack: RenderedStack, ports: readonly number[]): LocalPorts {
  if (ports.length < portCount(stack)) {
    throw new Error(`assignPorts() needs ${portCount(stack)} ports, got ${ports.length}`);
  }
  let i = 0;
  const take = (n: number) => ports.slice(i, i += n) as number[];
  const p = stack.prometheus.replicas;
  const a = stack.alertmanager.replicas;
  return {
    prometheus: take(p),
    sidecarGrpc: take(p),
    sidecarHttp: take(p),
    alertmanagerWeb: take(a),
    alertmanagerCluster: take(a),
    queryHttp: take(1)[0] as number,
    queryGrpc: take(1)[0] as number,
    nodeExporter: take(1)[0] as number,
  };
}

export interface PlannedProcess {
  /** `prometheus-0`, `sidecar-1`, `alertmanager-2`, `thanos-query`, `node-exporter`. */
  name: string;
  /** A binary of .tools/bin. */
  binary: "prometheus" | "thanos" | "alertmanager" | "node_exporter";
  args: string[];
  /** Answers 200 once the process is ready. */
  readyUrl: string;
  /** Directories to create before the start. */
  dirs: string[];
  /** Processes that must be ready before this one starts. */
  after: string[];
}

/** One scrape target of the local stack, as every Prometheus replica scrapes it. */
export interface LocalTarget {
  job: string;
  instance: string;
  /** Labels the operator's relabelling would set on the cluster (pod, service, …). */
  labels: Record<string, string>;
  path: string;
}

export interface LocalPlan {
  dir: string;
  /** Written before any process starts. */
  files: { path: string; content: string }[];
  processes: PlannedProcess[];
  targets: LocalTarget[];
  /** Every Prometheus loads `*.yaml` from here: tests add rules and send SIGHUP. */
  rulesDir: string;
  /** The replica label and its value on each replica, in the order of `processes`. */
  replicaLabel: string;
  replicas: string[];
  scrapeIntervalMs: number;
  evaluationIntervalMs: number;
  urls: {
    thanosQuery: string;
    prometheus: string[];
    sidecars: string[];
    sidecarGrpc: string[];
    alertmanagers: string[];
    nodeExporter: string;
    sink: string;
  };
}

/** Thanos Query's rendered arguments with the local addresses and the local sidecars. */
export function localQueryArgs(
  args: readonly string[],
  ports: Pick<LocalPorts, "queryHttp" | "queryGrpc" | "sidecarGrpc">,
): string[] {
  const replaced: Record<string, string> = {
    "--http-address": hostPort(ports.queryHttp),
    "--grpc-address": hostPort(ports.queryGrpc),
  };
  const out: string[] = [];
  for (const a of args) {
    const flag = a.split("=", 1)[0] as string;
    // Cluster discovery (DNS SRV, files) is replaced by the local sidecars' addresses.
    if (["--endpoint", "--store", "--endpoint-strict", "--store.sd-files"].includes(flag)) continue;
    const local = replaced[flag];
    out.push(local === undefined ? a : `${flag}=${local}`);
  }
  for (const [flag, value] of Object.entries(replaced)) {
    if (!out.some((a) => a.startsWith(`${flag}=`))) out.push(`${flag}=${value}`);
  }
  for (const grpc of ports.sidecarGrpc) out.push(`--endpoint=${hostPort(grpc)}`);
  return out;
}

/** node-exporter's collector flags from the render; the host paths are the local ones. */
export function localNodeExporterArgs(args: readonly string[], port: number): string[] {
  const kept = args.filter((a) => a.startsWith("--collector.") || a.startsWith("--no-collector."));
  return [...kept, `--web.listen-address=${hostPort(port)}`];
}

export interface PlanOptions {
  /** The stack's temporary directory. */
  dir: string;
  sinkUrl: string;
  /** The sink's webhook URL of a receiver. */
  webhookUrl: (receiver: string) => string;
}

export function localPlan(stack: RenderedStack, ports: LocalPorts, opts: PlanOptions): LocalPlan {
  const { dir } = opts;
  const p = stack.prometheus;
  const rulesDir = join(dir, "rules");
  const files: LocalPlan["files"] = stack.ruleFiles.map((f) => ({
    path: join(rulesDir, f.name),
    content: `# from PrometheusRule ${f.name.replace(/\.yaml$/, "")} of the render\n` +
      stringify({ groups: f.groups }, { lineWidth: 0 }),
  }));

  const amDir = join(dir, "alertmanager");
  const amConfigPath = join(amDir, "alertmanager.yaml");
  files.push({
    path: amConfigPath,
    content: "# the local stack's Alertmanager configuration: the render's, every receiver " +
      "pointed at the local sink\n" +
      stringify(localAlertmanagerConfig(stack.alertmanager.config, opts.webhookUrl, amDir), {
        lineWidth: 0,
      }),
  });
  for (const f of stack.alertmanager.extraFiles) {
    files.push({ path: join(amDir, f.name), content: f.content });
  }

  const podLabels = (job: LocalJob, pod: string) => ({
    namespace: stack.namespace,
    pod,
    ...(job.service ? { service: job.service } : {}),
    endpoint: job.endpoint,
  });
  const targets: LocalTarget[] = [];
  const add = (job: LocalJob, port: number, pod: string) =>
    targets.push({
      job: job.job,
      instance: hostPort(port),
      labels: podLabels(job, pod),
      path: job.path,
    });
  add(stack.jobs.nodeExporter, ports.nodeExporter, `${stack.nodeExporter.name}-local`);
  ports.prometheus.forEach((port, i) =>
    add(stack.jobs.prometheus, port, p.replicaNames[i] as string)
  );
  ports.sidecarHttp.forEach((port, i) =>
    add(stack.jobs.sidecar, port, p.replicaNames[i] as string)
  );
  add(stack.jobs.thanosQuery, ports.queryHttp, `${stack.thanosQuery.name}-local`);
  ports.alertmanagerWeb.forEach((port, i) =>
    add(stack.jobs.alertmanager, port, `alertmanager-${stack.alertmanager.name}-${i}`)
  );

  const processes: PlannedProcess[] = [{
    name: "node-exporter",
    binary: "node_exporter",
    args: localNodeExporterArgs(stack.nodeExporter.args, ports.nodeExporter),
    readyUrl: `${httpUrl(ports.nodeExporter)}/metrics`,
    dirs: [],
    after: [],
  }];

  p.replicaNames.forEach((replica, i) => {
    const home = join(dir, `prometheus-${i}`);
    const data = join(home, "data");
    const configPath = join(home, "prometheus.yaml");
    files.push({
      path: configPath,
      content: prometheusConfig(stack, replica, rulesDir, ports, targets),
    });
    const web = ports.prometheus[i] as number;
    processes.push({
      name: `prometheus-${i}`,
      binary: "prometheus",
      args: [
        `--config.file=${configPath}`,
        `--web.listen-address=${hostPort(web)}`,
        `--storage.tsdb.path=${data}`,
        `--storage.tsdb.retention.time=${p.retention}`,
        ...(p.retentionSize && p.retentionSize !== "0"
          ? [`--storage.tsdb.retention.size=${p.retentionSize}`]
          : []),
        // The sidecar needs blocks that are never compacted together (as the operator sets).
        "--storage.tsdb.min-block-duration=2h",
        "--storage.tsdb.max-block-duration=2h",
        ...(p.enableAdminAPI ? ["--web.enable-admin-api"] : []),
      ],
      readyUrl: `${httpUrl(web)}/-/ready`,
      dirs: [data],
      after: [],
    });
    processes.push({
      name: `sidecar-${i}`,
      binary: "thanos",
      args: [
        "sidecar",
        `--prometheus.url=${httpUrl(web)}`,
        `--tsdb.path=${data}`,
        `--grpc-address=${hostPort(ports.sidecarGrpc[i] as number)}`,
        `--http-address=${hostPort(ports.sidecarHttp[i] as number)}`,
        ...(p.sidecarLogLevel ? [`--log.level=${p.sidecarLogLevel}`] : []),
        ...(p.sidecarLogFormat ? [`--log.format=${p.sidecarLogFormat}`] : []),
      ],
      readyUrl: `${httpUrl(ports.sidecarHttp[i] as number)}/-/ready`,
      dirs: [],
      // A sidecar that finds no Prometheus retries its external labels only every 30 s.
      after: [`prometheus-${i}`],
    });
  });

  const a = stack.alertmanager;
  ports.alertmanagerWeb.forEach((web, i) => {
    const data = join(amDir, `data-${i}`);
    const cluster = ports.alertmanagerCluster[i] as number;
    processes.push({
      name: `alertmanager-${i}`,
      binary: "alertmanager",
      args: [
        `--config.file=${amConfigPath}`,
        `--storage.path=${data}`,
        `--web.listen-address=${hostPort(web)}`,
        `--web.external-url=${httpUrl(web)}`,
        `--cluster.listen-address=${hostPort(cluster)}`,
        `--cluster.advertise-address=${hostPort(cluster)}`,
        ...ports.alertmanagerCluster.filter((c) => c !== cluster).map((c) =>
          `--cluster.peer=${hostPort(c)}`
        ),
        ...(a.retention ? [`--data.retention=${a.retention}`] : []),
        ...(a.peerTimeout ? [`--cluster.peer-timeout=${a.peerTimeout}`] : []),
        ...(a.gossipInterval ? [`--cluster.gossip-interval=${a.gossipInterval}`] : []),
        ...(a.pushpullInterval ? [`--cluster.pushpull-interval=${a.pushpullInterval}`] : []),
      ],
      readyUrl: `${httpUrl(web)}/-/ready`,
      dirs: [data],
      // Peers join the first one, which must listen already: a failed join is retried only
      // ten seconds later, and until then each peer would notify alone.
      after: i === 0 ? [] : ["alertmanager-0"],
    });
  });

  processes.push({
    name: "thanos-query",
    binary: "thanos",
    args: localQueryArgs(stack.thanosQuery.args, ports),
    readyUrl: `${httpUrl(ports.queryHttp)}/-/ready`,
    dirs: [],
    after: [],
  });

  return {
    dir,
    files,
    processes,
    targets,
    rulesDir,
    replicaLabel: p.replicaLabel,
    replicas: p.replicaNames,
    scrapeIntervalMs: parseDuration(p.scrapeInterval),
    evaluationIntervalMs: parseDuration(p.evaluationInterval),
    urls: {
      thanosQuery: httpUrl(ports.queryHttp),
      prometheus: ports.prometheus.map(httpUrl),
      sidecars: ports.sidecarHttp.map(httpUrl),
      sidecarGrpc: ports.sidecarGrpc.map(hostPort),
      alertmanagers: ports.alertmanagerWeb.map(httpUrl),
      nodeExporter: httpUrl(ports.nodeExporter),
      sink: opts.sinkUrl,
    },
  };
}

/** One replica's prometheus.yaml, shaped like the operator's. */
export function prometheusConfig(
  stack: RenderedStack,
  replica: string,
  rulesDir: string,
  ports: Pick<LocalPorts, "alertmanagerWeb">,
  targets: readonly LocalTarget[],
): string {
  const p = stack.prometheus;
  const externalLabels: Record<string, string> = { ...p.externalLabels };
  if (p.prometheusLabel) externalLabels[p.prometheusLabel.name] = p.prometheusLabel.value;
  externalLabels[p.replicaLabel] = replica;
  const jobs = [...new Set(targets.map((t) => t.job))];
  const config = {
    global: {
      scrape_interval: p.scrapeInterval,
      ...(p.scrapeTimeout ? { scrape_timeout: p.scrapeTimeout } : {}),
      evaluation_interval: p.evaluationInterval,
      external_labels: externalLabels,
    },
    rule_files: [join(rulesDir, "*.yaml")],
    alerting: {
      // As the operator does: both replicas send the same alert, which Alertmanager merges.
      alert_relabel_configs: [{ action: "labeldrop", regex: p.replicaLabel }],
      alertmanagers: [{
        api_version: "v2",
        static_configs: [{ targets: ports.alertmanagerWeb.map(hostPort) }],
      }],
    },
    scrape_configs: jobs.map((job) => {
      const own = targets.filter((t) => t.job === job);
      return {
        job_name: job,
        metrics_path: own[0]?.path ?? "/metrics",
        static_configs: own.map((t) => ({ targets: [t.instance], labels: t.labels })),
      };
    }),
  };
  return `# the local stack's Prometheus ${replica}, from the render's Prometheus CR\n${
    stringify(config, { lineWidth: 0 })
  }`;
}
