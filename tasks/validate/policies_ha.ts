/**
 * High-availability policies over rendered manifests: replicas, PodDisruptionBudgets and
 * anti-affinity for Prometheus, Alertmanager and Thanos Query.
 */
import { DEFAULT_SPREAD_TOPOLOGY_KEY } from "../model/cluster.ts";
import type { Cluster } from "../model/merged_cluster.ts";
import {
  type Affinity,
  isKind,
  type K8sObject,
  objectsOf,
  type PodAffinityTerm,
  type TopologySpreadConstraint,
} from "../render/objects.ts";
import { labelSelectorMatches } from "../render/selectors.ts";
import { podLabelsOf, sameNamespace, showLabels } from "./k8s_objects.ts";
import { type ObjectFinding, objectFinding } from "./object_finding.ts";

const CHECK = "policy/ha";

export interface HaContext {
  /** The cluster opted out of Prometheus HA (`spec.deployment.highAvailability: false`). */
  prometheusHaOptOut: boolean;
  /** The cluster opted out of Alertmanager HA (the same field of alertmanager.yaml). */
  alertmanagerHaOptOut?: boolean;
  /** The node label the replicas are spread over (cluster.yaml `spec.spread.topologyKey`). */
  spreadTopologyKey?: string;
}

/** What a loaded cluster says about HA; a cluster that did not load gets the strict defaults. */
export function haContextOf(cluster: Cluster | undefined): HaContext {
  return {
    prometheusHaOptOut: cluster?.prometheus.deployment.highAvailability === false,
    alertmanagerHaOptOut: cluster?.alertmanager.deployment.highAvailability === false,
    spreadTopologyKey: cluster?.spec.spread.topologyKey ?? DEFAULT_SPREAD_TOPOLOGY_KEY,
  };
}

interface Target {
  object: K8sObject;
  replicas: number;
  /** Where the replica count and the affinity live in the object. */
  replicasField: string;
  affinityField: string;
  affinity: Affinity | undefined;
  topology: TopologySpreadConstraint[] | undefined;
  minReplicas: number;
  needsPdb: boolean;
}

function targets(objects: readonly K8sObject[], ctx: HaContext): Target[] {
  const out: Target[] = [];
  for (const o of objects) {
    if (isKind(o, "Prometheus") || isKind(o, "Alertmanager")) {
      const optOut = o.kind === "Prometheus"
        ? ctx.prometheusHaOptOut
        : ctx.alertmanagerHaOptOut === true;
      out.push({
        object: o,
        replicas: typeof o.spec?.replicas === "number" ? o.spec.replicas : 1,
        replicasField: "spec.replicas",
        affinityField: "spec.affinity.podAntiAffinity",
        affinity: o.spec?.affinity,
        topology: o.spec?.topologySpreadConstraints,
        minReplicas: optOut ? 1 : 2,
        needsPdb: !optOut,
      });
    } else if (isKind(o, "Deployment") && o.metadata.name === "thanos-query") {
      out.push({
        object: o,
        replicas: typeof o.spec?.replicas === "number" ? o.spec.replicas : 1,
        replicasField: "spec.replicas",
        affinityField: "spec.template.spec.affinity.podAntiAffinity",
        affinity: o.spec?.template?.spec?.affinity,
        topology: o.spec?.template?.spec?.topologySpreadConstraints,
        minReplicas: 2,
        needsPdb: true,
      });
    }
  }
  return out;
}

export function haPolicies(objects: readonly K8sObject[], ctx: HaContext): ObjectFinding[] {
  const out: ObjectFinding[] = [];
  const pdbs = objectsOf(objects, "PodDisruptionBudget");
  for (const t of targets(objects, ctx)) {
    const o = t.object;
    const what = `${o.kind} ${o.metadata.name}`;
    if (t.replicas < t.minReplicas) {
      const file = o.kind === "Prometheus" ? "prometheus.yaml" : "alertmanager.yaml";
      const hint = o.kind === "Prometheus" || o.kind === "Alertmanager"
        ? ` (set spec.deployment.replicas in ${file}, or opt out with ` +
          "spec.deployment.highAvailability: false)"
        : "";
      out.push(objectFinding(
        "error",
        o,
        t.replicasField,
        `expected at least ${t.minReplicas} replicas of ${what}${hint}, found ${t.replicas}`,
        CHECK,
      ));
    }
    const labels = podLabelsOf(o) ?? {};
    if (t.needsPdb) {
      const pdb = pdbs.find((p) =>
        sameNamespace(p, o) && labelSelectorMatches(p.spec?.selector, labels)
      );
      if (!pdb) {
        out.push(objectFinding(
          "error",
          o,
          "",
          `expected a PodDisruptionBudget selecting the pods of ${what} (${showLabels(labels)}), ` +
            "found none",
          CHECK,
        ));
      } else {
        const min = pdb.spec?.minAvailable;
        const maxU = pdb.spec?.maxUnavailable;
        if ((typeof min === "number" && min >= t.replicas) || maxU === 0 || maxU === "0%") {
          out.push(objectFinding(
            "error",
            pdb,
            typeof min === "number" ? "spec.minAvailable" : "spec.maxUnavailable",
            `expected a budget that lets one of the ${t.replicas} pods of ${what} be evicted, ` +
              `found ${
                typeof min === "number" ? `minAvailable: ${min}` : `maxUnavailable: ${maxU}`
              }` +
              " (it blocks every node drain)",
            CHECK,
          ));
        }
      }
    }
    if (t.replicas >= 2) {
      const anti = t.affinity?.podAntiAffinity;
      const terms: Array<PodAffinityTerm | TopologySpreadConstraint> = [
        ...(anti?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
        ...(anti?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map(
          (p) => p?.podAffinityTerm,
        ),
        ...(t.topology ?? []),
      ].filter(Boolean);
      const key = ctx.spreadTopologyKey ?? DEFAULT_SPREAD_TOPOLOGY_KEY;
      const spreadsHosts = terms.filter((term) => term.topologyKey === key);
      if (spreadsHosts.length === 0) {
        out.push(objectFinding(
          "error",
          o,
          t.affinityField,
          `expected pod anti-affinity (or a topology spread) on ${key} so the ` +
            `replicas of ${what} run apart, found none`,
          CHECK,
        ));
      } else if (!spreadsHosts.some((term) => labelSelectorMatches(term.labelSelector, labels))) {
        out.push(objectFinding(
          "error",
          o,
          t.affinityField,
          `expected the anti-affinity label selector to select the pods of ${what} ` +
            `(${showLabels(labels)}), found ${
              showLabels(spreadsHosts[0]?.labelSelector?.matchLabels ?? {})
            }`,
          CHECK,
        ));
      }
    }
  }
  return out;
}
