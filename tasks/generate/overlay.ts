/**
 * `renderOverlay()`: everything in `overlays/<name>/` for one cluster, as path → text. Pure: the
 * base's grafana.ini and the rule templates come in as inputs (read once by `loadOverlayInputs()`).
 */
import { stringify } from "yaml";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  CLUSTER_LABEL,
  type ClusterSpec,
  type GrafanaIni,
  REPLICA_LABEL,
  type ThanosAuth,
} from "../model/cluster.ts";
import { type Cluster, mergeConfig } from "../model/merged_cluster.ts";
import { BASE_DIR } from "../model/paths.ts";
import { imageRef, type Versions } from "../model/versions.ts";
import { parseIni, renderIni } from "./ini.ts";
import { ruleObjects } from "./rules.ts";
import {
  loadRuleTemplates,
  renderRuleSets,
  type RuleTemplate,
  TEMPLATE_SUFFIX,
} from "../rules/templates.ts";
import { ruleParamValues } from "../model/rule_params.ts";
import { componentResources, ruleSetsFor } from "../model/components.ts";
import { SYNC_WAVE_ANNOTATION, SYNC_WAVES } from "../render/sync_waves.ts";

/** The first line of every generated file. */
export function generatedHeader(cluster: Pick<Cluster, "name">): string {
  return `# generated from clusters/${cluster.name}/cluster.yaml by deno task generate; do not edit`;
}

/** Keys of versions.json `images` whose image runs in a Deployment or DaemonSet of base/. */
export const WORKLOAD_IMAGES = [
  "grafana",
  "kube-state-metrics",
  "node-exporter",
  "prometheus-operator",
  "thanos",
] as const;

/** What overlays are built from besides the cluster and versions.json (the same for all). */
export interface OverlayInputs {
  /** base/grafana/grafana.ini, parsed: the defaults the cluster's grafana.ini is merged over. */
  baseGrafanaIni: GrafanaIni;
  /** base/rules/*.rules.yaml, filled with each cluster's spec.rules. */
  ruleTemplates: readonly RuleTemplate[];
}

/** Reads the inputs from the repository's base/. */
export async function loadOverlayInputs(baseDir = BASE_DIR): Promise<OverlayInputs> {
  return {
    baseGrafanaIni: parseIni(await readFile(join(baseDir, "grafana", "grafana.ini"), "utf8")),
    ruleTemplates: await loadRuleTemplates(join(baseDir, "rules")),
  };
}

/**
 * The same inputs from base/'s files already in memory (path relative to base/ → text), as read
 * from a git revision by `deno task diff`.
 */
export function overlayInputsFromFiles(baseFiles: ReadonlyMap<string, string>): OverlayInputs {
  const ini = baseFiles.get("grafana/grafana.ini");
  if (ini === undefined) throw new Error("base/grafana/grafana.ini is missing");
  const ruleTemplates = [...baseFiles.keys()]
    .filter((p) => /^rules\/[^/]+$/.test(p) && p.endsWith(TEMPLATE_SUFFIX))
    .sort()
    .map((p) => ({
      name: p.slice("rules/".length, -TEMPLATE_SUFFIX.length),
      text: baseFiles.get(p) as string,
      file: `base/${p}`,
    }));
  return { baseGrafanaIni: parseIni(ini), ruleTemplates };
}

/** The header, then each value as a YAML document. */
function toYaml(header: string, ...values: unknown[]): string {
  const docs = values.map((v) =>
    stringify(v, { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true })
  );
  return `${header}\n${docs.join("---\n")}`;
}

function sortedRecord<T>(r: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function tagOf(versions: Versions, key: string): string {
  const pin = versions.images[key];
  if (!pin) throw new Error(`versions.json has no image "${key}"`);
  return pin.tag;
}

function volumeClaim(volume: { size: string; storageClassName?: string | undefined }) {
  return {
    volumeClaimTemplate: {
      spec: {
        ...(volume.storageClassName ? { storageClassName: volume.storageClassName } : {}),
        resources: { requests: { storage: volume.size } },
      },
    },
  };
}

function prometheusPatch(cluster: Cluster, versions: Versions) {
  const { spec, prometheus } = cluster;
  const { config } = prometheus;
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "k8s" },
    spec: {
      image: imageRef(versions, "prometheus"),
      version: tagOf(versions, "prometheus"),
      replicas: prometheus.deployment.replicas,
      replicaExternalLabelName: REPLICA_LABEL,
      externalLabels: sortedRecord({ ...spec.externalLabels, [CLUSTER_LABEL]: cluster.name }),
      scrapeInterval: spec.scrapeInterval,
      evaluationInterval: spec.evaluationInterval,
      retention: config.retention_time,
      ...(config.retention_size !== "0" ? { retentionSize: config.retention_size } : {}),
      enableAdminAPI: config.enable_admin_api,
      thanos: { image: imageRef(versions, "thanos"), version: tagOf(versions, "thanos") },
      storage: volumeClaim(spec.storage.prometheus),
      affinity: antiAffinity(spec.spread, POD_LABELS.prometheus),
    },
  };
}

function alertmanagerPatch(cluster: Cluster, versions: Versions) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: { name: "main" },
    spec: {
      image: imageRef(versions, "alertmanager"),
      version: tagOf(versions, "alertmanager"),
      replicas: cluster.alertmanager.deployment.replicas,
      storage: volumeClaim(cluster.spec.storage.alertmanager),
      affinity: antiAffinity(cluster.spec.spread, POD_LABELS.alertmanager),
    },
  };
}

/**
 * The labels that tell the pods of each HA component apart (the base's PodDisruptionBudgets
 * select the same), for the anti-affinity that keeps the replicas apart.
 */
export const POD_LABELS = {
  prometheus: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "k8s" },
  alertmanager: { "app.kubernetes.io/name": "alertmanager", alertmanager: "main" },
  thanosQuery: { "app.kubernetes.io/name": "thanos-query" },
} as const;

/** Pod anti-affinity that keeps replicas on distinct values of the cluster's topology key. */
export function antiAffinity(spread: ClusterSpec["spread"], labels: Record<string, string>) {
  const term = { topologyKey: spread.topologyKey, labelSelector: { matchLabels: { ...labels } } };
  return {
    podAntiAffinity: spread.mode === "required"
      ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
      : {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }],
      },
  };
}

type EnvVar = { name: string; value: string } | { name: string; valueFrom: unknown };

/**
 * A strategic-merge patch of one container of a Deployment: Kubernetes merges `containers` by
 * name and `env` by name, so the patch finds its place whatever the order in the base. The
 * base's args read the variables as `$(NAME)`.
 */
function deploymentPatch(
  name: string,
  container: string,
  env: readonly EnvVar[],
  podSpec: Record<string, unknown> = {},
) {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: { template: { spec: { ...podSpec, containers: [{ name: container, env }] } } },
  };
}

/** Everything in `overlays/<name>/`: path relative to that folder → file text. */
export function renderOverlay(
  cluster: Cluster,
  versions: Versions,
  inputs: OverlayInputs,
): Map<string, string> {
  const header = generatedHeader(cluster);
  const files = new Map<string, string>();
  const ns = cluster.spec.destination.namespace;

  // Only the templates of the components this cluster exposes; runbooks at the cluster's docs.
  const defaultRules = renderRuleSets(
    ruleSetsFor(inputs.ruleTemplates, cluster.spec.components),
    ruleParamValues(cluster.prometheus.rules),
    { runbookBaseUrl: cluster.spec.runbookBaseUrl },
  );
  const rules = ruleObjects(cluster, defaultRules);
  for (const [path, obj] of rules) files.set(path, toYaml(header, obj));

  files.set("patches/prometheus-k8s.yaml", toYaml(header, prometheusPatch(cluster, versions)));
  files.set(
    "patches/alertmanager-main.yaml",
    toYaml(header, alertmanagerPatch(cluster, versions)),
  );
  files.set(
    "patches/prometheus-operator.yaml",
    toYaml(
      header,
      deploymentPatch("prometheus-operator", "prometheus-operator", [
        { name: "CONFIG_RELOADER_IMAGE", value: imageRef(versions, "prometheus-config-reloader") },
      ]),
    ),
  );
  files.set(
    "patches/thanos-query.yaml",
    toYaml(
      header,
      deploymentPatch(
        "thanos-query",
        "thanos-query",
        [{ name: "CLUSTER_DOMAIN", value: cluster.spec.clusterDomain }],
        { affinity: antiAffinity(cluster.spec.spread, POD_LABELS.thanosQuery) },
      ),
    ),
  );
  files.set("patches/grafana.yaml", toYaml(header, grafanaPatch(cluster)));
  const ingress = ingressObjects(cluster);
  if (ingress.length > 0) {
    files.set("ingress.yaml", toYaml(header, ...ingress));
  }

  files.set(
    "config/alertmanager.yaml",
    toYaml(header, cluster.alertmanager.notification.config),
  );
  const ini = mergeConfig(inputs.baseGrafanaIni, cluster.grafana.config["grafana.ini"]);
  files.set("config/grafana.ini", `${header}\n${renderIni(ini as GrafanaIni)}`);

  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace: ns,
    resources: [
      "../../base",
      ...componentResources(cluster.spec.components),
      ...(ingress.length > 0 ? ["ingress.yaml"] : []),
      ...rules.keys(),
    ],
    images: WORKLOAD_IMAGES.map((key) => {
      const pin = versions.images[key];
      if (!pin) throw new Error(`versions.json has no image "${key}"`);
      return { name: pin.image, newTag: pin.tag };
    }).sort((a, b) => (a.name < b.name ? -1 : 1)),
    replicas: [
      { name: "grafana", count: cluster.grafana.deployment.replicas },
      { name: "thanos-query", count: cluster.spec.thanosQuery.replicas },
    ],
    // Strategic-merge patches, each naming the object it patches: no list item by position.
    patches: [
      { path: "patches/alertmanager-main.yaml" },
      { path: "patches/grafana.yaml" },
      { path: "patches/prometheus-k8s.yaml" },
      { path: "patches/prometheus-operator.yaml" },
      { path: "patches/thanos-query.yaml" },
    ],
    configMapGenerator: [
      // Replaces the base's ConfigMap; the name keeps its content hash so Grafana restarts.
      { name: "grafana-config", behavior: "replace", files: ["grafana.ini=config/grafana.ini"] },
    ],
    secretGenerator: [
      {
        // The Alertmanager CR names it (spec.configSecret), which kustomize cannot rewrite.
        name: "alertmanager-main-config",
        files: ["alertmanager.yaml=config/alertmanager.yaml"],
        options: { disableNameSuffixHash: true },
      },
    ],
  };
  files.set("kustomization.yaml", toYaml(header, kustomization));
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Grafana's container: the scrape interval its datasource's `timeInterval` reads
 * (base/grafana/datasources.yaml), and the shared database's password from its Secret.
 */
function grafanaPatch(cluster: Cluster) {
  const db = cluster.grafana.database;
  return deploymentPatch("grafana", "grafana", [
    { name: "PROMETHEUS_SCRAPE_INTERVAL", value: cluster.spec.scrapeInterval },
    ...(db
      ? [{
        name: "GF_DATABASE_PASSWORD",
        valueFrom: { secretKeyRef: { name: db.passwordSecret.name, key: db.passwordSecret.key } },
      }]
      : []),
  ]);
}

/** The ingress-nginx annotations of authentication, and ours for a knowing "none". */
export const INGRESS_AUTH = {
  url: "nginx.ingress.kubernetes.io/auth-url",
  signin: "nginx.ingress.kubernetes.io/auth-signin",
  type: "nginx.ingress.kubernetes.io/auth-type",
  secret: "nginx.ingress.kubernetes.io/auth-secret",
  realm: "nginx.ingress.kubernetes.io/auth-realm",
  unauthenticated: "monitoring.dev/unauthenticated",
} as const;

/** The Ingress annotations of ingress-nginx that put authentication in front of Thanos Query. */
export function thanosAuthAnnotations(auth: ThanosAuth): Record<string, string> {
  if (auth.authUrl !== undefined) {
    return {
      [INGRESS_AUTH.url]: auth.authUrl,
      ...(auth.signinUrl !== undefined ? { [INGRESS_AUTH.signin]: auth.signinUrl } : {}),
    };
  }
  if (auth.basicAuthSecret !== undefined) {
    return {
      [INGRESS_AUTH.type]: "basic",
      [INGRESS_AUTH.secret]: auth.basicAuthSecret,
      [INGRESS_AUTH.realm]: "Thanos Query",
    };
  }
  return { [INGRESS_AUTH.unauthenticated]: auth.unauthenticated ?? "" };
}

/**
 * The Services the ingress routes to, each to its port named `http`: the Ingress names the
 * Service's port and the NetworkPolicy the pods' (the numbers are base/'s alone).
 */
const INGRESS_BACKENDS = ["grafana", "thanos-query"] as const;
const HTTP_PORT = "http";

/**
 * The cluster's Ingresses, whole (every value of theirs is the cluster's): Grafana, and Thanos
 * Query's UI and API behind the authentication the cluster sets; and the NetworkPolicies that
 * let the ingress controller's pods reach both. [] without `spec.ingress`.
 */
export function ingressObjects(cluster: Cluster): Record<string, unknown>[] {
  const ingress = cluster.spec.ingress;
  if (!ingress) return [];
  const labels = (name: string) => ({
    "app.kubernetes.io/name": name,
    "app.kubernetes.io/component": "ingress",
    "app.kubernetes.io/part-of": "monitoring",
  });
  const one = (
    name: typeof INGRESS_BACKENDS[number],
    host: string,
    extra: Record<string, string>,
  ) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name,
      labels: labels(name),
      annotations: sortedRecord({
        // Healthy only once the controller's load balancer gives it an address: after the core.
        [SYNC_WAVE_ANNOTATION]: String(SYNC_WAVES.outsideWorld),
        ...extra,
      }),
    },
    spec: {
      ingressClassName: ingress.className,
      ...(ingress.tlsSecretName
        ? { tls: [{ hosts: [host], secretName: ingress.tlsSecretName }] }
        : {}),
      rules: [{
        host,
        http: {
          paths: [{
            path: "/",
            pathType: "Prefix",
            backend: {
              service: { name, port: { name: HTTP_PORT } },
            },
          }],
        },
      }],
    },
  });
  const fromController = (name: typeof INGRESS_BACKENDS[number]) => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: `${name}-from-ingress-controller`,
      labels: {
        "app.kubernetes.io/component": "network-policy",
        "app.kubernetes.io/part-of": "monitoring",
      },
    },
    spec: {
      podSelector: { matchLabels: { "app.kubernetes.io/name": name } },
      policyTypes: ["Ingress"],
      ingress: [{
        from: [{
          namespaceSelector: {
            matchLabels: { "kubernetes.io/metadata.name": ingress.controllerNamespace },
          },
        }],
        ports: [{ port: HTTP_PORT, protocol: "TCP" }],
      }],
    },
  });
  return [
    one("grafana", ingress.grafanaHost, {}),
    // thanosAuth is required by the schema whenever there is an Ingress.
    one("thanos-query", ingress.thanosHost, thanosAuthAnnotations(ingress.thanosAuth!)),
    fromController("grafana"),
    fromController("thanos-query"),
  ];
}
