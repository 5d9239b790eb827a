/**
 * The dashboard check: Grafana dashboards (JSON) use the provisioned datasource, define every
 * variable they use, give rate-like functions a range the scrape interval can fill, and hold
 * PromQL the real parser accepts. Findings point at the line and column of the offending node.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Finding } from "../model/finding.ts";
import { BASE_DIR, ROOT } from "../model/paths.ts";
import { formatDuration, parsePromqlDuration } from "../model/units.ts";
import { childPath } from "../model/field_path.ts";
import { lineColumn } from "../model/text_position.ts";
import { JsonSyntaxError, parseJsonLocated } from "./json_positions.ts";
import { substituteGrafanaVariables, variableNames } from "./grafana_variables.ts";
import { parsePromQL } from "./promql_parse.ts";
import { rangeArguments } from "./promql_syntax.ts";

export interface DashboardLintContext {
  /** The uids of the provisioned datasources (`thanos-query`, `thanos-query-replicas`). */
  datasourceUids: readonly string[];
  /** The cluster's scrape interval, in milliseconds. */
  scrapeIntervalMs: number;
}

export interface DashboardFile {
  /** Path relative to the repository root. */
  file: string;
  text: string;
}

const CHECK = "dashboards";

/** Functions whose range selector must hold several samples to give a meaningful result. */
const RATE_LIKE = new Set([
  "rate",
  "irate",
  "increase",
  "delta",
  "idelta",
  "deriv",
  "predict_linear",
  "resets",
  "changes",
  "holt_winters",
  "double_exponential_smoothing",
]);
const isRateLike = (fn: string): boolean => RATE_LIKE.has(fn) || fn.endsWith("_over_time");

/** Grafana ranges that are long enough by construction. */
const SAFE_RANGE_VARIABLES = new Set(["__rate_interval", "__range"]);

/** An expression found in a dashboard, with where it is. */
interface LocatedExpr {
  field: string;
  offset: number;
  expr: string;
}

interface Analysis {
  findings: Finding[];
  exprs: LocatedExpr[];
  uid?: { value: string; offset: number };
  title?: { value: string; offset: number };
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Lints one dashboard (everything but the PromQL parse and the checks across files). */
export function lintDashboard(file: string, text: string, ctx: DashboardLintContext): Finding[] {
  return analyzeDashboard(file, text, ctx).findings;
}

/** Lints several dashboards: each one, uids and titles across them, and their PromQL. */
export async function lintDashboards(
  files: Array<{ file: string; text: string }>,
  ctx: DashboardLintContext,
): Promise<Finding[]> {
  const analyses = files.map((f) => ({ ...f, ...analyzeDashboard(f.file, f.text, ctx) }));
  const findings = analyses.flatMap((a) => a.findings);

  for (const key of ["uid", "title"] as const) {
    const firstSeen = new Map<string, string>();
    for (const a of analyses) {
      const node = a[key];
      if (!node) continue;
      const first = firstSeen.get(node.value);
      if (first === undefined) {
        firstSeen.set(node.value, a.file);
        continue;
      }
      findings.push(
        finding(
          a.file,
          a.text,
          node.offset,
          key,
          `duplicate ${key} ${JSON.stringify(node.value)}: expected a ${key} no other dashboard ` +
            `has, found it also in ${first}`,
        ),
      );
    }
  }

  const located = analyses.flatMap((a, i) =>
    a.exprs.map((e) => ({ id: `${i}\u0000${e.field}`, analysis: a, expr: e }))
  );
  const errors = await parsePromQL(located.map((l) => ({ id: l.id, expr: l.expr.expr })));
  for (const l of located) {
    const error = errors.get(l.id);
    if (error === undefined) continue;
    findings.push(
      finding(
        l.analysis.file,
        l.analysis.text,
        l.expr.offset,
        l.expr.field,
        `expected PromQL that parses, found: ${error}`,
      ),
    );
  }
  return findings.sort((a, b) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column
  );
}

/** The dashboards of a folder (default `base/dashboards/`), with paths relative to the root. */
export function readDashboardFiles(dir = join(BASE_DIR, "dashboards")): DashboardFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".json"))
    .sort()
    .map((name) => ({
      file: relative(ROOT, join(dir, name)).split("\\").join("/"),
      text: readFileSync(join(dir, name), "utf8"),
    }));
}

function finding(
  file: string,
  text: string,
  offset: number,
  field: string,
  message: string,
): Finding {
  const { line, column } = lineColumn(text, offset);
  return { severity: "error", file, line, column, field, message, check: CHECK };
}

interface Variable {
  name: string;
  type: string;
  node: Json;
}

function analyzeDashboard(file: string, text: string, ctx: DashboardLintContext): Analysis {
  let parsed;
  try {
    parsed = parseJsonLocated(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return {
      findings: [finding(file, text, e.offset, "", `invalid JSON: ${e.message}`)],
      exprs: [],
    };
  }
  const { value: root, offsets } = parsed;
  const findings: Finding[] = [];
  const exprs: LocatedExpr[] = [];
  const at = (path: string): number => {
    // The nearest node that exists: a missing field is reported at its parent.
    for (let p = path;; p = parentPath(p)) {
      const offset = offsets.get(p);
      if (offset !== undefined) return offset;
      if (p === "") return 0;
    }
  };
  const report = (path: string, message: string): void => {
    findings.push(finding(file, text, at(path), path, message));
  };

  if (!isObject(root)) {
    report("", `expected a dashboard object, found ${kindOf(root)}`);
    return { findings, exprs };
  }
  const analysis: Analysis = { findings, exprs };
  for (const key of ["uid", "title"] as const) {
    const v = root[key];
    if (typeof v === "string" && v.trim() !== "") {
      analysis[key] = { value: v, offset: at(key) };
    } else {
      report(key, `expected a non-empty string ${key}, found ${kindOf(v)}`);
    }
  }

  // Variables first: panels are checked against them.
  const variables = new Map<string, Variable>();
  const list = isObject(root.templating) ? root.templating.list : undefined;
  const listPath = "templating.list";
  if (list !== undefined && !Array.isArray(list)) {
    report(listPath, `expected an array of variables, found ${kindOf(list)}`);
  }
  const varNodes = Array.isArray(list) ? list : [];
  varNodes.forEach((v, i) => {
    if (isObject(v) && typeof v.name === "string") {
      variables.set(v.name, { name: v.name, type: String(v.type ?? ""), node: v });
    } else {
      report(childPath(listPath, i), `expected a variable with a name, found ${kindOf(v)}`);
    }
  });

  const checkVariablesUsed = (path: string, s: string): void => {
    for (const name of variableNames(s)) {
      if (name.startsWith("__") || variables.has(name)) continue;
      const defined = [...variables.keys()].join(", ") || "none defined";
      report(
        path,
        `undefined variable $${name}: expected one of the variables of templating.list ` +
          `(${defined}), found $${name}`,
      );
    }
  };

  const checkDatasource = (path: string, ds: unknown): void => {
    const uids = ctx.datasourceUids.map((u) => `"${u}"`).join(" or ");
    const expected = `expected datasource {"type": "prometheus", "uid": ${uids}} or a ` +
      `datasource variable`;
    const uid = isObject(ds) ? ds.uid : ds;
    if (typeof uid !== "string") {
      report(path, `${expected}, found ${ds === undefined ? "no datasource" : kindOf(ds)}`);
      return;
    }
    if (isObject(ds) && ds.type !== undefined && ds.type !== "prometheus") {
      report(childPath(path, "type"), `${expected}, found type ${JSON.stringify(ds.type)}`);
      return;
    }
    const uidPath = isObject(ds) ? childPath(path, "uid") : path;
    const names = variableNames(uid);
    if (names.length === 0) {
      if (!ctx.datasourceUids.includes(uid)) {
        report(uidPath, `${expected}, found uid ${JSON.stringify(uid)}`);
      }
      return;
    }
    checkVariablesUsed(uidPath, uid);
    for (const name of names) {
      const v = variables.get(name);
      if (v !== undefined && (v.type !== "datasource" || v.node.query !== "prometheus")) {
        report(
          uidPath,
          `${expected}, found $${name}, a variable of type ${JSON.stringify(v.type)}` +
            (v.type === "datasource" ? ` for ${JSON.stringify(v.node.query)} datasources` : ""),
        );
      }
    }
  };

  const checkExpr = (path: string, expr: string): void => {
    if (expr.trim() === "") {
      report(path, "expected a PromQL expression, found an empty string");
      return;
    }
    exprs.push({ field: path, offset: at(path), expr });
    checkVariablesUsed(path, expr);
    for (const r of rateRanges(expr)) {
      const problem = rangeProblem(r.range, ctx.scrapeIntervalMs, variables);
      if (problem === undefined) continue;
      const min = formatDuration(4 * ctx.scrapeIntervalMs);
      report(
        path,
        `${r.fn}() range [${r.range}] is too short for a ${
          formatDuration(ctx.scrapeIntervalMs)
        } scrape interval: expected at least ${min} (4 scrape intervals) or $__rate_interval, ` +
          `found ${problem}`,
      );
    }
  };

  varNodes.forEach((v, i) => {
    if (!isObject(v) || v.type !== "query") return;
    const path = childPath(listPath, i);
    checkDatasource(childPath(path, "datasource"), v.datasource);
    const queryPath = isObject(v.query)
      ? childPath(childPath(path, "query"), "query")
      : childPath(path, "query");
    const query = isObject(v.query) ? v.query.query : v.query;
    if (typeof query !== "string") return;
    checkVariablesUsed(queryPath, query);
    const inner = variableQueryExpr(query);
    if (inner !== undefined) exprs.push({ field: queryPath, offset: at(queryPath), expr: inner });
  });

  const panelIds = new Map<number, string>();
  const walkPanels = (path: string, panels: unknown): void => {
    if (panels === undefined) return;
    if (!Array.isArray(panels)) {
      report(path, `expected an array of panels, found ${kindOf(panels)}`);
      return;
    }
    panels.forEach((panel, i) => {
      const p = childPath(path, i);
      if (!isObject(panel)) {
        report(p, `expected a panel object, found ${kindOf(panel)}`);
        return;
      }
      if (typeof panel.id === "number") {
        const other = panelIds.get(panel.id);
        if (other !== undefined) {
          report(
            childPath(p, "id"),
            `expected a panel id unique in the dashboard, found ${panel.id} also at ${other}`,
          );
        } else panelIds.set(panel.id, p);
      }
      walkPanels(childPath(p, "panels"), panel.panels);
      const targets = panel.targets;
      if (targets === undefined || panel.type === "row") return;
      if (!Array.isArray(targets)) {
        report(childPath(p, "targets"), `expected an array of targets, found ${kindOf(targets)}`);
        return;
      }
      checkDatasource(childPath(p, "datasource"), panel.datasource);
      targets.forEach((target, j) => {
        const t = childPath(childPath(p, "targets"), j);
        if (!isObject(target)) {
          report(t, `expected a target object, found ${kindOf(target)}`);
          return;
        }
        checkDatasource(childPath(t, "datasource"), target.datasource);
        if (typeof target.expr === "string") checkExpr(childPath(t, "expr"), target.expr);
        else {report(
            childPath(t, "expr"),
            `expected a PromQL expression, found ${kindOf(target.expr)}`,
          );}
      });
    });
  };
  walkPanels("panels", root.panels);
  return analysis;
}

/** `panels[2].targets` → `panels[2]` → `panels` → `` (the root). */
function parentPath(path: string): string {
  const m = /(\.[^.[]+|\[[^\]]+\])$/.exec(path);
  return m ? path.slice(0, m.index) : "";
}

/**
 * The PromQL inside a query variable: the selector of `label_values(selector, label)`, the
 * expression of `query_result(expr)`; undefined for queries without one (`label_names()`).
 */
export function variableQueryExpr(query: string): string | undefined {
  const q = query.trim();
  const labelValues = /^label_values\s*\(([\s\S]*),\s*[\w$]+\s*\)$/.exec(q);
  if (labelValues) return (labelValues[1] as string).trim();
  const result = /^query_result\s*\(([\s\S]*)\)$/.exec(q);
  if (result) return (result[1] as string).trim();
  return undefined;
}

/** The range selectors passed to rate-like functions: `rate(x[5m])` gives `{rate, 5m}`. */
export function rateRanges(expr: string): Array<{ fn: string; range: string }> {
  const substituted = substituteGrafanaVariables(expr);
  return rangeArguments(substituted.text).filter((r) => isRateLike(r.fn)).map((r) => ({
    fn: r.fn,
    range: substituted.original(r.from, r.to),
  }));
}

/**
 * Why a range is too short (`30s`, `$window = 1m`), or undefined when it is long enough or cannot
 * be judged here (an undefined variable is reported elsewhere, bad syntax by the parser).
 */
function rangeProblem(
  range: string,
  scrapeIntervalMs: number,
  variables: ReadonlyMap<string, Variable>,
): string | undefined {
  const min = 4 * scrapeIntervalMs;
  const names = variableNames(range);
  if (names.length === 0) {
    const ms = parsePromqlDuration(range);
    return ms < min ? range : undefined;
  }
  const name = names[0] as string;
  if (SAFE_RANGE_VARIABLES.has(name)) return undefined;
  if (name.startsWith("__")) return `$${name}, which can be shorter`;
  const v = variables.get(name);
  if (v === undefined) return undefined;
  const values = variableValues(v);
  if (values.length === 0) return `$${name}, whose values cannot be checked`;
  for (const value of values) {
    const ms = parsePromqlDuration(value);
    if (!(ms >= min)) return `$${name} = ${value}`;
  }
  return undefined;
}

/** The values a custom or interval variable can take. */
function variableValues(v: Variable): string[] {
  if (v.type !== "custom" && v.type !== "interval") return [];
  const values = typeof v.node.query === "string"
    ? v.node.query.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : [];
  return v.node.auto === true ? [...values, "auto"] : values;
}

function kindOf(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "string") return `${JSON.stringify(v)}`;
  if (typeof v === "object") return "an object";
  return `${typeof v} ${String(v)}`;
}
