/**
 * `docs/alerts.md`: the default alerts, read from the rule templates (`base/rules/`) and the
 * parameters' schema (`RULE_PARAM_INDEX`). Nothing in it is written by hand: the thresholds shown
 * are the schema's defaults filled into the templates, and the parameters that tune an alert are
 * the placeholders its template uses.
 */
import { parse } from "yaml";
import type { RuleParamInfo } from "../model/rule_params.ts";
import {
  renderRuleSets,
  type RuleTemplate,
  runbookUrl,
  templatePlaceholders,
} from "../rules/templates.ts";
import {
  COMPONENT_IDS,
  componentOfRuleSet,
  COMPONENTS,
  PRESET_NAMES,
  PRESETS,
} from "../model/components.ts";
import { cell, code, generatedHeader, inline } from "./markdown.ts";
import { type Counterpart, METALK8S_ALERTS, METALK8S_COUNTERPARTS } from "./metalk8s_alerts.ts";

export const ALERTS_DOC = "docs/alerts.md";
export const ALERTS_SOURCES =
  "base/rules/*.rules.yaml, tasks/model/rule_params.ts, tasks/model/components.ts and " +
  "tasks/docs/metalk8s_alerts.ts";

/** MetalK8s's default alert names, and what stands for those this stack does not ship. */
export interface Parity {
  names: readonly string[];
  counterparts: Readonly<Record<string, Counterpart>>;
}

export const METALK8S_PARITY: Parity = {
  names: METALK8S_ALERTS,
  counterparts: METALK8S_COUNTERPARTS,
};

/** One alerting rule of the defaults: an alert name at one severity. */
export interface AlertRow {
  alert: string;
  severity: string;
  /** The Prometheus rule group. */
  group: string;
  /** The template it comes from (`base/rules/node-exporter.rules.yaml`). */
  file: string;
  for: string;
  summary: string;
  description: string;
  expr: string;
  /** The parameters its template uses, in the schema's order. */
  params: RuleParamInfo[];
}

/** The values every placeholder takes by default, from the parameters' index. */
export function defaultValues(index: readonly RuleParamInfo[]): Record<string, number> {
  return Object.fromEntries(index.map((p) => [p.key, p.default]));
}

interface RawRule {
  alert?: unknown;
}

/**
 * Every alerting rule of the templates, rendered with the index's defaults, in template, group
 * and rule order. Throws the renderer's `RuleTemplateError` when a template uses a placeholder
 * the index does not know.
 */
export function alertRows(
  templates: readonly RuleTemplate[],
  index: readonly RuleParamInfo[],
): AlertRow[] {
  const byKey = new Map(index.map((p) => [p.key, p]));
  const order = new Map(index.map((p, i) => [p.key, i]));
  const sets = renderRuleSets(templates, defaultValues(index));
  const rows: AlertRow[] = [];
  templates.forEach((t, ti) => {
    // The unrendered template, parsed, tells which placeholders each rule uses; it has the same
    // shape as the rendered one since placeholders only stand for scalars.
    const raw = parse(t.text) as { groups: { rules: RawRule[] }[] };
    const set = sets[ti];
    if (!set) return;
    set.groups.forEach((g, gi) => {
      g.rules.forEach((r, ri) => {
        if (r.alert === undefined) return;
        const keys = templatePlaceholders(JSON.stringify(raw.groups[gi]?.rules[ri] ?? {}));
        const params = keys
          .map((k) => byKey.get(k))
          .filter((p): p is RuleParamInfo => p !== undefined)
          .sort((a, b) => (order.get(a.key) ?? 0) - (order.get(b.key) ?? 0));
        rows.push({
          alert: r.alert,
          severity: r.labels?.severity ?? "",
          group: g.name,
          file: t.file,
          for: r.for ?? "0s",
          summary: oneLine(r.annotations?.summary ?? ""),
          description: oneLine(r.annotations?.description ?? ""),
          expr: r.expr.trimEnd(),
          params,
        });
      });
    });
  });
  return rows;
}

/** Rule parameter key → the alerts whose templates use it, in template order. */
export function parameterAlerts(rows: readonly AlertRow[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const r of rows) {
    for (const p of r.params) {
      const list = out.get(p.key) ?? [];
      if (!list.includes(r.alert)) list.push(r.alert);
      out.set(p.key, list);
    }
  }
  return out;
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

function anchor(alert: string): string {
  // The fragment of runbookUrl(), which every alert's runbook_url annotation carries.
  return runbookUrl(alert, "").slice(1);
}

function paramList(params: readonly RuleParamInfo[], separator: string): string {
  if (params.length === 0) return "—";
  return params.map((p) => `${code(p.key)} = ${code(String(p.default))}`).join(separator);
}

function range(p: RuleParamInfo): string {
  return `${p.min} to ${p.max}${p.type === "integer" ? ", integer" : ""}`;
}

/** The component a template needs, as the reader knows it (`kube-apiserver`), if any. */
function neededComponent(file: string): string | undefined {
  const name = file.replace(/^.*\//, "").replace(/\.rules\.yaml$/, "");
  const id = componentOfRuleSet(name);
  return id === undefined ? undefined : COMPONENTS[id].title;
}

/** Which components each preset exposes, how each is scraped and which templates need it. */
function componentsSection(): string[] {
  return [
    "## Kubernetes components",
    "",
    `What ${code("spec.components.preset")} exposes (✓), before the per-component fields ` +
    "override it, and how the stack scrapes each component:",
    "",
    `| Component | ${PRESET_NAMES.map(code).join(" | ")} | ${code("job")} | Scraped from | Rules |`,
    `| --- | ${PRESET_NAMES.map(() => "---").join(" | ")} | --- | --- | --- |`,
    ...COMPONENT_IDS.map((id) => {
      const c = COMPONENTS[id];
      const cells = PRESET_NAMES.map((p) => (PRESETS[p][id] ? "✓" : "—"));
      return `| ${c.title} (${code(id)}) | ${cells.join(" | ")} | ${code(c.job)} | ${
        cell(c.scrape)
      } | ${c.ruleSets.map((r) => code(`base/rules/${r}.rules.yaml`)).join("<br>")} |`;
    }),
    "",
  ];
}

/** The MetalK8s alerts `alert` stands in for, from the parity data. */
function standsFor(alert: string, parity: Parity): string[] {
  return Object.entries(parity.counterparts).filter(([, c]) => c.replacedBy.includes(alert)).map((
    [name],
  ) => name).sort();
}

/** The parity section: every MetalK8s alert, here under its name or stood in for. */
function paritySection(names: ReadonlySet<string>, parity: Parity): string[] {
  const same = parity.names.filter((n) => names.has(n));
  const other = parity.names.filter((n) => !names.has(n));
  return [
    "## MetalK8s's default alerts",
    "",
    `MetalK8s ships ${parity.names.length} alerts; ${same.length} of them are here under the ` +
    `same name, and the ${other.length} below, which watch services only MetalK8s deploys, ` +
    "are stood in for by the alerts named.",
    "",
    "| MetalK8s alert | Here | Why |",
    "| --- | --- | --- |",
    ...other.map((n) => {
      const c = parity.counterparts[n];
      const here = c && c.replacedBy.length > 0
        ? c.replacedBy.map((a) => `[${a}](#${anchor(a)})`).join(", ")
        : "—";
      return `| ${n} | ${here} | ${cell(c?.reason ?? "not covered")} |`;
    }),
    "",
    `The ${same.length} alerts of the same name: ${
      same.map((n) => `[${n}](#${anchor(n)})`).join(", ")
    }.`,
    "",
  ];
}

/** The whole document (pure: same templates, index and parity data, same text). */
export function renderAlertsDoc(
  templates: readonly RuleTemplate[],
  index: readonly RuleParamInfo[],
  parity: Parity = METALK8S_PARITY,
): string {
  const rows = alertRows(templates, index);
  const names = [...new Set(rows.map((r) => r.alert))];
  const used = new Set(rows.flatMap((r) => r.params.map((p) => p.key)));
  const unused = index.filter((p) => !used.has(p.key));
  const out: string[] = [
    generatedHeader(ALERTS_SOURCES),
    "# Default alerts",
    "",
    `Every cluster gets these ${names.length} alerts (${rows.length} rules, one per severity) ` +
    `from the rule templates in ${code("base/rules/")}. A value in a template that a person ` +
    `may change is a parameter: it is set per cluster in ${
      code("clusters/<name>/prometheus.yaml")
    } ` +
    `under ${code("spec.rules")}, with the path shown below (see ` +
    "[Tune a default alert](operations.md#tune-a-default-alert)). The thresholds, durations and " +
    "summaries below are the defaults. Each alert's `runbook_url` annotation points at its " +
    `section of this page, as the cluster publishes it (${code("spec.runbookBaseUrl")} of ` +
    `${code("cluster.yaml")}; set it once in your fork).`,
    "",
    "The alerts of a Kubernetes component (API server, kubelet, controller manager, scheduler, " +
    `etcd, CoreDNS, kube-proxy) are rendered only for clusters that expose it (${
      code("spec.components")
    }): a managed control plane gets no alert for what it hides. ` +
    "[MetalK8s's default alerts](#metalk8ss-default-alerts) are all here, by name or stood in for.",
    "",
    "Severities, by convention: `critical` needs someone now, `warning` needs a look soon, " +
    "`info` is context for other alerts, and `none` is the Watchdog, which always fires to " +
    "prove the alerting pipeline works. Where each goes is the cluster's routing " +
    "([Add a receiver and a route](operations.md#add-a-receiver-and-a-route)).",
    "",
    `| Alert | Severity | Group | For | Summary | Parameters under ${
      code("spec.rules")
    } (default) |`,
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| [${r.alert}](#${anchor(r.alert)}) | ${r.severity} | ${r.group} | ${code(r.for)} | ${
        cell(r.summary)
      } | ${paramList(r.params, "<br>")} |`
    ),
    "",
    "## Alerts",
    "",
  ];
  for (const name of names) {
    const own = rows.filter((r) => r.alert === name);
    const first = own[0] as AlertRow;
    const needs = neededComponent(first.file);
    const stands = standsFor(name, parity);
    out.push(
      `### ${name}`,
      "",
      `From ${code(first.file)}, rule group ${code(first.group)}.` +
        (needs ? ` Only on clusters that expose ${needs} (${code("spec.components")}).` : ""),
      "",
      ...(stands.length > 0
        ? [
          `Also stands for MetalK8s's ${
            stands.join(", ")
          } (see [below](#metalk8ss-default-alerts)).`,
          "",
        ]
        : []),
    );
    for (const r of own) {
      out.push(
        `**${r.severity}** after ${code(r.for)}: ${inline(r.summary)}`,
        "",
        ...(r.description ? [inline(r.description), ""] : []),
        "```promql",
        r.expr,
        "```",
        "",
      );
      if (r.params.length > 0) {
        out.push(
          "| Parameter | Default | Range | Meaning |",
          "| --- | --- | --- | --- |",
          ...r.params.map((p) =>
            `| ${code(`spec.rules.${p.key}`)} | ${code(String(p.default))} | ${range(p)} | ${
              cell(p.description)
            } |`
          ),
          "",
        );
      }
    }
  }
  out.push(...componentsSection(), ...paritySection(new Set(names), parity));
  if (unused.length > 0) {
    out.push(
      "## Parameters no default rule uses",
      "",
      "Accepted for compatibility with MetalK8s configuration files; they change nothing.",
      "",
      ...unused.map((p) => `- ${code(`spec.rules.${p.key}`)} (default ${code(String(p.default))})`),
      "",
    );
  }
  return out.join("\n").replace(/\n+$/, "\n");
}
