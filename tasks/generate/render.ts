/**
 * `renderOverlay()`: everything in `overlays/<name>/` for one cluster, as path → text. Pure: the
 * base's grafana.ini and the rule templates come in as inputs (read once by `loadOverlayInputs()`).
 */
import { stringify } from "yaml";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Cluster,
  CLUSTER_LABEL,
  type GrafanaIni,
  mergeConfig,
  REPLICA_LABEL,
} from "../model/cluster.ts";
import { BASE_DIR } from "../model/paths.ts";
import { imageRef, type Versions } from "../model/versions.ts";
import { parseIni, renderIni } from "./ini.ts";
import { ruleObjects } from "./rules.ts";
import { loadRuleTemplates, renderRuleSets, type RuleTemplate } from "../rules/render.ts";
import { ruleParamValues } from "../model/rule_params.ts";
import { componentResources, ruleSetsFor } from "../model/components.ts";

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

/** The Ingress of base/ingress. */
export const INGRESS_NAME = "monitoring";

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

function toYaml(header: string, value: unknown): string {
  return `${header}\n${
    stringify(value, { lineWidth: 0, aliasDuplicateObjects: false, indentSeq: true })
  }`;
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
    },
  };
}

/**
 * JSON patches of container args. Kustomize cannot merge one entry of a list of strings, so the
 * patch names the index and first tests that container 0 is the expected one (kustomize fails
 * loudly if the base moved it); generate_test.ts checks the built args.
 */
function argsPatch(container: string, replace: Record<number, string>) {
  const base = "/spec/template/spec/containers/0";
  return [
    { op: "test", path: `${base}/name`, value: container },
    ...Object.entries(replace).map(([i, value]) => ({
      op: "replace",
      path: `${base}/args/${i}`,
      value,
    })),
  ];
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
      argsPatch("prometheus-operator", {
        0: `--prometheus-config-reloader=${imageRef(versions, "prometheus-config-reloader")}`,
      }),
    ),
  );
  files.set(
    "patches/thanos-query.yaml",
    toYaml(
      header,
      argsPatch("thanos-query", {
        3: `--query.replica-label=${REPLICA_LABEL}`,
        4: `--endpoint=dnssrv+_grpc._tcp.thanos-sidecar.${ns}.svc.cluster.local`,
      }),
    ),
  );
  const ingress = ingressPatch(cluster);
  files.set("patches/ingress.yaml", toYaml(header, ingress.patch));

  files.set(
    "config/alertmanager.yaml",
    toYaml(header, cluster.alertmanager.notification.config),
  );
  const ini = mergeConfig(inputs.baseGrafanaIni, cluster.grafana.config["grafana.ini"]);
  files.set("config/grafana.ini", `${header}\n${renderIni(ini as GrafanaIni)}`);

  const deployment = (name: string) => ({ group: "apps", version: "v1", kind: "Deployment", name });
  const kustomization = {
    apiVersion: "kustomize.config.k8s.io/v1beta1",
    kind: "Kustomization",
    namespace: ns,
    resources: ["../../base", ...componentResources(cluster.spec.components), ...rules.keys()],
    images: WORKLOAD_IMAGES.map((key) => {
      const pin = versions.images[key];
      if (!pin) throw new Error(`versions.json has no image "${key}"`);
      return { name: pin.image, newTag: pin.tag };
    }).sort((a, b) => (a.name < b.name ? -1 : 1)),
    replicas: [
      { name: "grafana", count: cluster.grafana.deployment.replicas },
      { name: "thanos-query", count: cluster.spec.thanosQuery.replicas },
    ],
    patches: [
      { path: "patches/prometheus-k8s.yaml" },
      { path: "patches/alertmanager-main.yaml" },
      { path: "patches/prometheus-operator.yaml", target: deployment("prometheus-operator") },
      { path: "patches/thanos-query.yaml", target: deployment("thanos-query") },
      { path: "patches/ingress.yaml", ...(ingress.target ? { target: ingress.target } : {}) },
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
 * base/ingress has one Ingress, `monitoring`: rule 0 routes Grafana, rule 1 Thanos Query's read
 * paths. The patch sets the class, both hosts and TLS (testing first that the rules are still in
 * that order), or deletes the Ingress when cluster.yaml has no `spec.ingress`.
 */
function ingressPatch(cluster: Cluster): { patch: unknown; target?: Record<string, string> } {
  const ingress = cluster.spec.ingress;
  if (!ingress) {
    return {
      patch: {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: INGRESS_NAME },
        $patch: "delete",
      },
    };
  }
  const backend = (rule: number) => `/spec/rules/${rule}/http/paths/0/backend/service/name`;
  return {
    target: { group: "networking.k8s.io", version: "v1", kind: "Ingress", name: INGRESS_NAME },
    patch: [
      { op: "test", path: backend(0), value: "grafana" },
      { op: "test", path: backend(1), value: "thanos-query" },
      { op: "add", path: "/spec/ingressClassName", value: ingress.className },
      { op: "replace", path: "/spec/rules/0/host", value: ingress.grafanaHost },
      { op: "replace", path: "/spec/rules/1/host", value: ingress.thanosHost },
      ...(ingress.tlsSecretName
        ? [{
          op: "add",
          path: "/spec/tls",
          value: [{
            hosts: [ingress.grafanaHost, ingress.thanosHost],
            secretName: ingress.tlsSecretName,
          }],
        }]
        : []),
    ],
  };
}
