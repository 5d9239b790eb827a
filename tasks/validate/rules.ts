/**
 * Rule checks of our own, beside promtool's: every alert has a severity from the documented set,
 * a summary and a description; an expression naming a metric that no exporter of the stack
 * exposes and no rule records is a warning (a typo makes an alert that never fires).
 */
import { stringify } from "yaml";
import type { Finding } from "../model/finding.ts";
import { type K8sObject, objectsOf } from "../render/objects.ts";
import { editDistance } from "../model/load.ts";
import { isKnownMetric, KNOWN_METRIC_NAMES } from "./known_metrics.ts";
import { metricNames } from "./promql_syntax.ts";
import { hashOf, type ResultCache } from "./cache.ts";
import { RuleIndex } from "./rule_index.ts";
import type { RuleFileInput, RuleTestInput } from "./tool_steps.ts";

/** The severities alerts may carry; Alertmanager's routes and inhibitions rely on them. */
export const SEVERITIES = ["critical", "warning", "info", "none"] as const;

export interface PromRule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroupDoc {
  name: string;
  rules: PromRule[];
}

/** A problem with one rule: which rule, the field inside it, and what is wrong. */
export interface RuleFinding {
  severity: "error" | "warning";
  /** The alert or record name. */
  rule: string;
  /** Path inside the rule (`labels.severity`), [] for the rule itself. */
  field: string[];
  message: string;
  check: string;
}

/** The rule groups of every PrometheusRule of a render, with the object they came from. */
export function ruleGroupsOf(
  objects: readonly K8sObject[],
): Array<{ object: K8sObject; groups: RuleGroupDoc[] }> {
  return objectsOf(objects, "PrometheusRule")
    .map((o) => ({ object: o, groups: (o.spec?.groups ?? []) as RuleGroupDoc[] }));
}

/** Severity, summary and description of every alert. */
export function alertMetadataFindings(groups: readonly RuleGroupDoc[]): RuleFinding[] {
  const out: RuleFinding[] = [];
  for (const g of groups) {
    for (const r of g.rules ?? []) {
      if (r.alert === undefined) continue;
      const sev = r.labels?.severity;
      if (sev === undefined) {
        out.push({
          severity: "error",
          rule: r.alert,
          field: ["labels"],
          message: `alert ${r.alert}: expected labels.severity, one of ${
            SEVERITIES.join(", ")
          }, found none`,
          check: "rules/metadata",
        });
      } else if (!(SEVERITIES as readonly string[]).includes(sev)) {
        out.push({
          severity: "error",
          rule: r.alert,
          field: ["labels", "severity"],
          message: `alert ${r.alert}: expected labels.severity to be one of ${
            SEVERITIES.join(", ")
          }, found ${JSON.stringify(sev)}`,
          check: "rules/metadata",
        });
      }
      for (const key of ["summary", "description"] as const) {
        const v = r.annotations?.[key];
        if (typeof v !== "string" || v.trim() === "") {
          out.push({
            severity: "error",
            rule: r.alert,
            field: r.annotations ? ["annotations"] : [],
            message: `alert ${r.alert}: expected a non-empty annotations.${key}, found ${
              v === undefined ? "none" : "an empty one"
            }`,
            check: "rules/metadata",
          });
        }
      }
    }
  }
  return out;
}

/**
 * Metrics named by expressions that no exporter exposes and no rule records. `recorded` holds
 * every name recorded by a rule the same Prometheus loads.
 */
export function unknownMetricFindings(
  groups: readonly RuleGroupDoc[],
  recorded: ReadonlySet<string>,
): RuleFinding[] {
  const out: RuleFinding[] = [];
  // How many rules name each metric: a name used once, one letter away from a name other rules
  // use, is a typo even under a known prefix (node_filesystem_avial_bytes).
  const uses = new Map<string, number>();
  const parsed = groups.flatMap((g) =>
    (g.rules ?? []).map((r) => ({ r, names: metricNames(String(r.expr ?? "")) }))
  );
  for (const { names } of parsed) for (const m of names) uses.set(m, (uses.get(m) ?? 0) + 1);
  for (const { r, names } of parsed) {
    const name = r.alert ?? r.record;
    if (name === undefined || typeof r.expr !== "string") continue;
    for (const m of names) {
      if (recorded.has(m)) continue;
      const what = `${r.alert ? "alert" : "record"} ${name}: expected metrics exposed by the ` +
        "stack's exporters (see tasks/validate/known_metrics.ts) or recorded by a rule, found";
      let message: string | undefined;
      if (!isKnownMetric(m)) message = `${what} ${m}, which nothing exposes`;
      else if (uses.get(m) === 1 && !KNOWN_METRIC_NAMES.includes(m)) {
        const near = [...uses.keys()].find((o) =>
          o !== m && (uses.get(o) ?? 0) > 1 && likelyTypo(m, o)
        );
        if (near) message = `${what} ${m}, which nothing exposes; did you mean ${near}?`;
      }
      if (message) {
        out.push({
          severity: "warning",
          rule: name,
          field: ["expr"],
          message,
          check: "rules/metrics",
        });
      }
    }
  }
  return out;
}

/** `a` is `b` with one or two letters wrong (not digits: node_load1 and node_load5 are real). */
function likelyTypo(a: string, b: string): boolean {
  if (a.length < 12 || Math.abs(a.length - b.length) > 2) return false;
  if (a.replace(/\d+/g, "") === b.replace(/\d+/g, "")) return false;
  const d = editDistance(a, b);
  return d >= 1 && d <= 2;
}

/** Every name recorded by a recording rule of these groups. */
export function recordedNames(groups: readonly RuleGroupDoc[]): Set<string> {
  const out = new Set<string>();
  for (const g of groups) for (const r of g.rules ?? []) if (r.record) out.add(r.record);
  return out;
}

// ---------------------------------------------------------------------------------------------
// promtool (I/O at the edge; the parsing is pure)

/**
 * Pairs promtool's per-file failures with their files. promtool prints each file it opens
 * (`Checking <path>`, `Processing test file: <path>`) and `SUCCESS` on stdout, but each failure
 * (`  FAILED:` and its lines) on stderr, in the same order: the n-th failure block belongs to the
 * n-th file that did not succeed.
 */
export function failuresByFile(
  stdout: string,
  stderr: string,
  opener: RegExp,
): Map<string, string> {
  const files: Array<{ path: string; ok: boolean }> = [];
  for (const line of stdout.split("\n")) {
    const m = opener.exec(line.trim());
    if (m) files.push({ path: m[1] as string, ok: false });
    else if (/^\s*SUCCESS/.test(line) && files.length > 0) {
      (files.at(-1) as { ok: boolean }).ok = true;
    }
  }
  const blocks: string[][] = [];
  for (const line of stderr.split("\n")) {
    if (/^\s*FAILED:?\s*$/.test(line)) blocks.push([]);
    else if (blocks.length > 0 && line.trim() !== "") (blocks.at(-1) as string[]).push(line);
  }
  const out = new Map<string, string>();
  files.filter((f) => !f.ok).forEach((f, i) => out.set(f.path, (blocks[i] ?? []).join("\n")));
  return out;
}

/** The problems of one failed rule file: each names its rule when promtool says which. */
export function ruleProblems(
  path: string,
  text: string,
): Array<{ rule?: string; message: string }> {
  const out: Array<{ rule?: string; message: string }> = [];
  const loose: string[] = [];
  for (const line of text.split("\n")) {
    const t = line.trim().replace(`${path}: `, "");
    const named = /group "([^"]*)", rule (\d+), "([^"]*)": (.*)$/.exec(t);
    if (named) out.push({ rule: named[3] as string, message: named[4] as string });
    else if (t !== "") loose.push(t);
  }
  if (loose.length > 0) {
    // A lint report names the metric (`Metric: job:up:sum`), which is the rule's name.
    const metric = /\bMetric: (\S+)/.exec(loose.join("\n"))?.[1];
    out.push({ ...(metric ? { rule: metric } : {}), message: loose.join(" ") });
  }
  return out;
}

type Exec = (
  cmd: string,
  args: string[],
) => Promise<{ code: number; stdout: string; stderr: string }>;

/**
 * One `promtool check rules --lint-fatal` over several files: the problems of each failed file
 * (files that pass are absent). Duplicate rules are errors, as they make recordings inconsistent.
 */
export async function promtoolCheckBatch(
  promtool: string,
  paths: readonly string[],
  exec: Exec,
): Promise<Map<string, Array<{ rule?: string; message: string }>>> {
  const out = new Map<string, Array<{ rule?: string; message: string }>>();
  if (paths.length === 0) return out;
  const r = await exec(promtool, ["check", "rules", "--lint-fatal", ...paths]);
  if (r.code === 0) return out;
  const failures = failuresByFile(r.stdout, r.stderr, /^Checking (.+)$/);
  for (const [path, text] of failures) out.set(path, ruleProblems(path, text));
  if (failures.size === 0) {
    throw new Error(`promtool check rules exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
  }
  return out;
}

/** Findings for the problems of one rendered rule file, at the rules' sources. */
export function ruleCheckFindings(
  problems: ReadonlyArray<{ rule?: string; message: string }>,
  locate: (rule: string | undefined) => { file: string; line: number; column: number },
): Finding[] {
  return problems.map((p) => ({
    severity: "error" as const,
    ...locate(p.rule),
    field: p.rule ? `rule ${p.rule}` : "",
    message: `expected rules promtool accepts, found: ${p.message}`,
    check: "promtool",
  }));
}

/** XML text with its five predefined entities and character references decoded. Pure. */
function xmlText(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);/g, (_, e: string) => {
    if (e.startsWith("#x")) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith("#")) return String.fromCodePoint(Number(e.slice(1)));
    return { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" }[e] as string;
  });
}

/**
 * The failure text of each failed test file in promtool's JUnit report: one `<testsuite>` per
 * file, its cases' `<failure>` and `<error>` elements. Pure.
 */
export function junitFailures(xml: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const suite of xml.matchAll(/<testsuite\b([^>]*)>([\s\S]*?)<\/testsuite>/g)) {
    const name = /\bname="([^"]*)"/.exec(suite[1] ?? "")?.[1];
    if (name === undefined) continue;
    const texts = [...(suite[2] ?? "").matchAll(/<(failure|error)>([\s\S]*?)<\/\1>/g)]
      .map((m) => xmlText(m[2] ?? ""));
    if (texts.length > 0) out.set(xmlText(name), texts.join("\n"));
  }
  return out;
}

/**
 * One `promtool test rules` over several test files (each beside the rule files it loads): the
 * failure text of each failed file, read from the JUnit report promtool writes (its terminal
 * output no longer names the file a failure belongs to).
 */
export async function promtoolTestBatch(
  promtool: string,
  paths: readonly string[],
  exec: Exec,
): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  const report = await Deno.makeTempFile({ prefix: "promtool-junit-", suffix: ".xml" });
  try {
    const r = await exec(promtool, ["test", "rules", `--junit=${report}`, ...paths]);
    if (r.code === 0) return new Map();
    const failures = junitFailures(await Deno.readTextFile(report).catch(() => ""));
    if (failures.size === 0) {
      throw new Error(`promtool test rules exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
    }
    return failures;
  } finally {
    await Deno.remove(report).catch(() => {});
  }
}

/** Splits items into at most `n` groups of similar total weight (for parallel tool runs). */
export function balance<T>(items: readonly T[], n: number, weight: (t: T) => number): T[][] {
  const groups: Array<{ items: T[]; w: number }> = Array.from({ length: Math.max(1, n) }, () => ({
    items: [],
    w: 0,
  }));
  for (const it of [...items].sort((a, b) => weight(b) - weight(a))) {
    const g = groups.reduce((min, x) => (x.w < min.w ? x : min));
    g.items.push(it);
    g.w += weight(it);
  }
  return groups.map((g) => g.items).filter((g) => g.length > 0);
}

// ---------------------------------------------------------------------------------------------
// One cluster

export interface ClusterRulesContext {
  /** `clusters/<name>`. */
  dir: string;
  /** The cluster folder's files, by path relative to it. */
  own: ReadonlyMap<string, string>;
  /** The base's rule templates, where default rules are written. */
  baseRules: RuleIndex;
  /** Where a finding goes when its rule is written nowhere we know. */
  fallback: string;
  cache: ResultCache;
}

export interface ClusterRules {
  findings: Finding[];
  /** The rendered rule files, for promtool check rules. */
  ruleFiles: RuleFileInput[];
  /** The cluster's unit tests, each beside the extra rules it loads. */
  ruleTests: RuleTestInput[];
}

/**
 * Our checks on a render's rules (at the rules' sources: the cluster's extraRules or the base's
 * templates), and what promtool must check and test for this cluster.
 */
export async function clusterRules(
  objects: readonly K8sObject[],
  ctx: ClusterRulesContext,
): Promise<ClusterRules> {
  const own = new RuleIndex();
  const csc = ctx.own.get("prometheus.yaml");
  if (csc !== undefined) own.add({ path: `${ctx.dir}/prometheus.yaml`, text: csc });
  const locate = (rule: string | undefined, field: string[] = []) =>
    (rule !== undefined
      ? own.locate(rule, field, () => true) ?? ctx.baseRules.locate(rule, field, () => true)
      : null) ?? { file: ctx.fallback, line: 1, column: 1 };
  const sets = ruleGroupsOf(objects);
  const groups = sets.flatMap((s) => s.groups);
  // Pure over the rendered groups, which are often the same in many clusters: cached.
  const found = await ctx.cache.get<RuleFinding[]>(
    "rule-metadata",
    hashOf(JSON.stringify(groups)),
    () =>
      Promise.resolve([
        ...alertMetadataFindings(groups),
        ...unknownMetricFindings(groups, recordedNames(groups)),
      ]),
  );
  const findings: Finding[] = found.map((rf) => ({
    severity: rf.severity,
    ...locate(rf.rule, rf.field),
    field: rf.field.length ? `${rf.rule} ${rf.field.join(".")}` : rf.rule,
    message: rf.message,
    check: rf.check,
  }));
  const ruleFiles = sets.map((set) => ({
    text: stringify({ groups: set.groups }, { lineWidth: 0 }),
    locate: (rule: string | undefined) => locate(rule),
  }));
  // Unit tests of the extra rules load `extra-rules.yaml` beside them.
  const extra = sets.find((set) => set.object.metadata.name === "extra-rules");
  const extraText = stringify({ groups: extra?.groups ?? [] }, { lineWidth: 0 });
  const ruleTests = [...ctx.own.keys()].filter((p) => /^rules-tests\/[^/]+\.ya?ml$/.test(p)).map((
    t,
  ) => ({
    file: `${ctx.dir}/${t}`,
    text: ctx.own.get(t) as string,
    rules: new Map([["extra-rules.yaml", extraText]]),
  }));
  return { findings, ruleFiles, ruleTests };
}
