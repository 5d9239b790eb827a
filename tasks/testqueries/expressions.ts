/**
 * Every PromQL expression a cluster ships: its rules (alerting and recording, from the rendered
 * PrometheusRules) and its dashboards (from the rendered ConfigMaps that hold Grafana dashboard
 * JSON), the dashboards' Grafana variables replaced by values Thanos Query can evaluate.
 */
import { DATASOURCES } from "../dashboards/grafana.ts";
import { isKind, type K8sObject, type RuleGroup } from "../render/objects.ts";

export interface Expression {
  kind: "alert" | "record" | "dashboard";
  /** The alert or recorded series name, or the panel's title. */
  name: string;
  /** `PrometheusRule/node-exporter-rules`, `dashboard nodes.json`. */
  source: string;
  expr: string;
  /**
   * Whether Thanos Query deduplicates the replicas for it (default true): false for a panel on
   * the undeduplicated datasource, whose queries keep the replicas apart.
   */
  dedup?: boolean;
}

/** `alert NodeDown`, `dashboard nodes.json › CPU busy`. */
export function expressionId(e: Expression): string {
  return e.kind === "dashboard" ? `${e.source} › ${e.name}` : `${e.kind} ${e.name}`;
}

/** Every alerting and recording rule of the rule files (the selected PrometheusRules). */
export function ruleExpressions(
  rules: readonly { name: string; groups: readonly RuleGroup[] }[],
): Expression[] {
  const out: Expression[] = [];
  for (const file of rules) {
    for (const group of file.groups) {
      for (const r of group.rules ?? []) {
        const kind = r.alert ? "alert" : "record";
        out.push({
          kind,
          name: String(r.alert ?? r.record),
          source: `rule file ${file.name}, group ${group.name}`,
          expr: String(r.expr).trim(),
        });
      }
    }
  }
  return out;
}

interface Datasource {
  uid?: string;
}

/** A rendered dashboard, the fields read here. */
export interface Dashboard {
  panels?: Panel[];
}

interface Panel {
  title?: string;
  datasource?: Datasource;
  targets?: { expr?: string; hide?: boolean; datasource?: Datasource }[];
  panels?: Panel[];
}

function panelsOf(panels: readonly Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);
}

/** The dashboards held by ConfigMaps of the render, as `file name → parsed JSON`. */
export function renderedDashboards(objects: readonly K8sObject[]): Map<string, Dashboard> {
  const out = new Map<string, Dashboard>();
  for (const o of objects) {
    if (!isKind(o, "ConfigMap")) continue;
    for (const [key, value] of Object.entries(o.data ?? {})) {
      if (!key.endsWith(".json") || typeof value !== "string") continue;
      try {
        const d = JSON.parse(value);
        if (Array.isArray(d?.panels)) out.set(key, d);
      } catch { /* not a dashboard */ }
    }
  }
  return out;
}

/** Values of Grafana's built-in variables for a datasource whose scrape interval is given. */
export function builtinValues(scrapeIntervalMs: number): Record<string, string> {
  const s = Math.round(scrapeIntervalMs / 1000);
  // Grafana's $__rate_interval is at least four scrape intervals; $__interval is the step.
  return {
    __rate_interval: `${4 * s}s`,
    __interval: `${s}s`,
    __range: "1h",
    __rate_interval_ms: String(4 * s * 1000),
    __interval_ms: String(s * 1000),
    __range_s: "3600",
    __range_ms: "3600000",
  };
}

const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/g;
/** `label="$var"`: an equality matcher whose value is one variable. */
const EQUALS_VARIABLE = new RegExp(`([^!=~])=(\\s*)"(?:${VARIABLE.source})"`, "g");

/**
 * Replaces Grafana variables: built-ins by their value, every dashboard variable by "All"
 * (`.*`, Grafana's regex for it), an equality matcher on such a variable becoming a regex
 * matcher as Grafana's "All" option needs.
 */
export function substituteVariables(expr: string, scrapeIntervalMs: number): string {
  const builtins = builtinValues(scrapeIntervalMs);
  const value = (a?: string, b?: string, c?: string) => builtins[(a ?? b ?? c) as string];
  return expr
    .replace(
      EQUALS_VARIABLE,
      (m, before: string, space: string, a?: string, b?: string, c?: string) =>
        value(a, b, c) === undefined ? `${before}=~${space}".*"` : m,
    )
    .replace(VARIABLE, (_m, a?: string, b?: string, c?: string) => value(a, b, c) ?? ".*");
}

/** The expressions of every panel target of every rendered dashboard, variables substituted. */
export function dashboardExpressions(
  dashboards: ReadonlyMap<string, Dashboard>,
  scrapeIntervalMs: number,
): Expression[] {
  const out: Expression[] = [];
  for (const [file, d] of dashboards) {
    for (const p of panelsOf(d.panels ?? [])) {
      for (const t of p.targets ?? []) {
        if (!t.expr || t.hide) continue;
        const uid = t.datasource?.uid ?? p.datasource?.uid;
        out.push({
          kind: "dashboard",
          name: p.title ?? "(untitled panel)",
          source: `dashboard ${file}`,
          expr: substituteVariables(t.expr, scrapeIntervalMs),
          ...(uid === DATASOURCES.replicas ? { dedup: false } : {}),
        });
      }
    }
  }
  return out;
}
