/**
 * The policies over a cluster's rendered manifests (HA, consistency, security), pointed back at
 * the base or overlay file that writes each offending field.
 */
import type { Finding } from "../model/finding.ts";
import type { Versions } from "../model/versions.ts";
import type { K8sObject } from "../render/objects.ts";
import type { ClusterValues } from "./cluster_values.ts";
import { locateObjectFindings, type ObjectFinding } from "./object_finding.ts";
import { consistencyPolicies } from "./policies_consistency.ts";
import { type HaContext, haPolicies } from "./policies_ha.ts";
import { securityPolicies } from "./policies_security.ts";
import type { SourceIndex } from "./source_index.ts";

export interface PolicyContext extends HaContext {
  versions: Versions;
}

/** Every policy over the objects of one render (pure). */
export function policyObjectFindings(
  objects: readonly K8sObject[],
  ctx: PolicyContext,
): ObjectFinding[] {
  return [
    ...haPolicies(objects, ctx),
    ...consistencyPolicies(objects),
    ...securityPolicies(objects, { versions: ctx.versions }),
  ];
}

/**
 * Every policy over one render, as findings on the source files (`fallback` when unknown); a
 * value from the cluster's folder at its place there (`values`).
 */
export function policyFindings(
  objects: readonly K8sObject[],
  ctx: PolicyContext,
  index: SourceIndex,
  fallback: string,
  values?: ClusterValues,
): Finding[] {
  return locateObjectFindings(policyObjectFindings(objects, ctx), index, fallback, values);
}
