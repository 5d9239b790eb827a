/**
 * What a cluster's render says about its stack, as test-queries and the snapshot task need it:
 * the Prometheus CR (replicas, the replica label and its values, intervals, external labels, the
 * admin API), the rule files it selects, and the Alertmanager CR with the configuration of its
 * Secret. Pure: read from the rendered manifests, with the operator's defaults where a CR leaves a
 * field out; nothing here is written again elsewhere.
 */
import { parse as parseYaml } from "yaml";
import {
  type K8sObject,
  type Kind,
  type Kinds,
  objectsOf,
  type Prometheus,
  type RuleGroup,
} from "../render/objects.ts";
import type { AlertmanagerConfig } from "../model/alertmanager_config.ts";
import { type LabelSelector, labelSelectorMatches } from "../render/selectors.ts";
import { alertmanagerConfigOf } from "../validate/routing.ts";

/** Where the operator's defaults apply when the CR leaves a field out. */
const OPERATOR_DEFAULTS = {
  scrapeInterval: "30s",
  evaluationInterval: "30s",
  replicaExternalLabelName: "prometheus_replica",
} as const;

export interface StackFacts {
  namespace: string;
  prometheus: {
    name: string;
    replicas: number;
    /** The CR's externalLabels (`cluster` among them). */
    externalLabels: Record<string, string>;
    replicaLabel: string;
    /** The replica label's value on each replica: its pod's name, as the operator sets it. */
    replicaNames: string[];
    scrapeInterval: string;
    evaluationInterval: string;
    enableAdminAPI: boolean;
  };
  /** One rule file per PrometheusRule the Prometheus CR selects. */
  ruleFiles: { name: string; groups: RuleGroup[] }[];
  alertmanager: {
    name: string;
    replicas: number;
    /** `spec.clusterPeerTimeout`, when the CR sets it. */
    peerTimeout: string | undefined;
    /** The configuration from the Secret, parsed. */
    config: AlertmanagerConfig;
  };
}

export class StackFactsError extends Error {}

function only<K extends Kind>(objects: readonly K8sObject[], kind: K): Kinds[K] {
  const found = objectsOf(objects, kind);
  if (found.length !== 1) {
    throw new StackFactsError(
      `the render has ${found.length} ${kind} objects; the stack has exactly one`,
    );
  }
  return found[0] as Kinds[K];
}

/**
 * Whether a CR's namespace selector (`ruleNamespaceSelector`, `serviceMonitorNamespaceSelector`,
 * …) takes `namespace`: missing means the CR's own namespace only, `{}` every namespace, otherwise
 * the namespace's labels (from its Namespace object in the render, plus the
 * `kubernetes.io/metadata.name` label the API server sets) must match.
 */
export function namespaceSelected(
  selector: LabelSelector | undefined,
  namespace: string,
  own: string,
  objects: readonly K8sObject[],
): boolean {
  if (selector === undefined || selector === null) return namespace === own;
  const ns = objects.find((o) => o.kind === "Namespace" && o.metadata.name === namespace);
  return labelSelectorMatches(selector, {
    ...(ns?.metadata.labels ?? {}),
    "kubernetes.io/metadata.name": namespace,
  });
}

/** Reads the stack's facts from a render; throws StackFactsError when a part is missing. */
export function stackFacts(objects: readonly K8sObject[]): StackFacts {
  const prom = only(objects, "Prometheus");
  const am = only(objects, "Alertmanager");
  const namespace = prom.metadata.namespace ?? "default";
  const ps: Partial<Prometheus["spec"]> = prom.spec ?? {};
  const replicas: number = ps.replicas ?? 1;

  const ruleFiles = objectsOf(objects, "PrometheusRule")
    .filter((o) =>
      labelSelectorMatches(ps.ruleSelector, o.metadata.labels ?? {}) &&
      namespaceSelected(
        ps.ruleNamespaceSelector,
        o.metadata.namespace ?? "default",
        namespace,
        objects,
      )
    )
    .map((o) => ({
      name: `${o.metadata.namespace ?? "default"}-${o.metadata.name}.yaml`,
      groups: o.spec?.groups ?? [],
    }));

  const configText = alertmanagerConfigOf(objects);
  if (configText === null) {
    throw new StackFactsError("the render has no Alertmanager configuration Secret");
  }

  return {
    namespace,
    prometheus: {
      name: prom.metadata.name,
      replicas,
      externalLabels: { ...(ps.externalLabels ?? {}) },
      replicaLabel: ps.replicaExternalLabelName ?? OPERATOR_DEFAULTS.replicaExternalLabelName,
      replicaNames: Array.from(
        { length: replicas },
        (_, i) => `prometheus-${prom.metadata.name}-${i}`,
      ),
      scrapeInterval: ps.scrapeInterval ?? OPERATOR_DEFAULTS.scrapeInterval,
      evaluationInterval: ps.evaluationInterval ?? OPERATOR_DEFAULTS.evaluationInterval,
      enableAdminAPI: ps.enableAdminAPI === true,
    },
    ruleFiles,
    alertmanager: {
      name: am.metadata.name,
      replicas: am.spec?.replicas ?? 1,
      peerTimeout: am.spec?.clusterPeerTimeout,
      config: parseYaml(configText) ?? {},
    },
  };
}
