/** The PrometheusRule objects of an overlay: the default rules with the cluster's parameters, and its extra rules. */
import type { RuleGroup } from "../model/cluster.ts";
import type { Cluster } from "../model/merged_cluster.ts";
import type { RuleSet } from "../rules/templates.ts";

/** The label by which the Prometheus CR selects rules (base/prometheus/prometheus.yaml). */
export const STACK_LABEL = { "monitoring.dev/stack": "platform" } as const;

/** `node_exporter` → `node-exporter`: a file and object name. */
export function ruleSetSlug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function sortedRecord(r: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A rule group in the key order Prometheus documents, maps sorted. */
function orderedGroup(g: RuleGroup): Record<string, unknown> {
  return {
    name: g.name,
    ...(g.interval ? { interval: g.interval } : {}),
    ...(g.query_offset ? { query_offset: g.query_offset } : {}),
    ...(g.limit !== undefined ? { limit: g.limit } : {}),
    ...(g.labels ? { labels: sortedRecord(g.labels) } : {}),
    rules: g.rules.map((r) => ({
      ...(r.alert !== undefined ? { alert: r.alert } : {}),
      ...(r.record !== undefined ? { record: r.record } : {}),
      expr: r.expr,
      ...(r.for ? { for: r.for } : {}),
      ...(r.keep_firing_for ? { keep_firing_for: r.keep_firing_for } : {}),
      ...(r.labels ? { labels: sortedRecord(r.labels) } : {}),
      ...(r.annotations ? { annotations: sortedRecord(r.annotations) } : {}),
    })),
  };
}

/** A PrometheusRule carrying `groups`, labelled so the stack's Prometheus loads it. */
export function prometheusRule(
  name: string,
  groups: readonly RuleGroup[],
): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name,
      labels: { ...STACK_LABEL },
      annotations: {
        // Like every CR of the base: after the CRDs exist (Argo CD wave 1).
        "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
        "argocd.argoproj.io/sync-wave": "1",
      },
    },
    spec: { groups: groups.map(orderedGroup) },
  };
}

/** Path (relative to the overlay) → PrometheusRule, defaults first then `rules/extra.yaml`. */
export function ruleObjects(
  cluster: Cluster,
  defaults: readonly RuleSet[],
): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const set of [...defaults].sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const slug = ruleSetSlug(set.name);
    if (slug === "extra") throw new Error(`a default rule set may not be named "extra"`);
    out.set(`rules/${slug}.yaml`, prometheusRule(`${slug}-rules`, set.groups));
  }
  const extra = cluster.prometheus.extraRules.groups;
  if (extra.length > 0) out.set("rules/extra.yaml", prometheusRule("extra-rules", extra));
  return out;
}
