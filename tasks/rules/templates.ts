/**
 * The default rules: templates in `base/rules/<component>.rules.yaml` whose thresholds are
 * `${group.alert.severity.parameter}` placeholders, rendered with a cluster's parameters
 * (`ruleParamValues()` of `PrometheusConfig.spec.rules`) into parsed rule groups.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { LineCounter, parseDocument, stringify } from "yaml";
import { formatPath } from "../model/field_path.ts";
import { BASE_DIR, ROOT } from "../model/paths.ts";
import { valuePosition } from "../model/yaml_locate.ts";
import { RuleFileSchema, type RuleGroup } from "./rule_group.ts";

export { type Rule, type RuleGroup, RuleGroupSchema, RuleSchema } from "./rule_group.ts";

export const RULES_DIR = join(BASE_DIR, "rules");
export const TEMPLATE_SUFFIX = ".rules.yaml";
export const TEST_SUFFIX = ".rules.test.yaml";

/**
 * The runbook base of the rendered templates when no cluster is involved: the unit tests of
 * `base/rules/` expect `runbook_url: docs/alerts.md#<alert>`. A cluster's rules carry its own
 * absolute base instead (`spec.runbookBaseUrl`, passed by generate), since a relative path is
 * useless in a chat message or a page.
 */
export const DEFAULT_RUNBOOK_BASE_URL = "docs/alerts.md";

export function runbookUrl(alert: string, base: string = DEFAULT_RUNBOOK_BASE_URL): string {
  return `${base}#${alert.toLowerCase()}`;
}

/** A template file: `name` is the component (file stem), `file` its path from the repository root. */
export interface RuleTemplate {
  name: string;
  text: string;
  file: string;
}

/** The rule groups of one component, rendered; `file` is the template they come from. */
export interface RuleSet {
  name: string;
  groups: RuleGroup[];
}

export interface RenderOptions {
  /** Base of every alert's `runbook_url` (default `DEFAULT_RUNBOOK_BASE_URL`). */
  runbookBaseUrl?: string;
}

/** A template that cannot be rendered: which file, which line, what is wrong. */
export class RuleTemplateError extends Error {
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super(line > 0 ? `${file}:${line}: ${detail}` : `${file}: ${detail}`);
    this.name = "RuleTemplateError";
  }
}

const PLACEHOLDER = /\$\{([^}\n]*)\}/g;

/** The placeholder keys a template uses, each once, in order of first use. */
export function templatePlaceholders(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ""))];
}

/** Which alerts of a template use each placeholder: key → alert names (read before rendering). */
export function placeholderAlerts(t: RuleTemplate): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const doc = parseDocument(t.text).toJS() as {
    groups?: { rules?: { alert?: string }[] }[];
  } | null;
  for (const rule of (doc?.groups ?? []).flatMap((g) => g.rules ?? [])) {
    if (rule.alert === undefined) continue;
    for (const key of templatePlaceholders(JSON.stringify(rule))) {
      out.set(key, (out.get(key) ?? new Set()).add(rule.alert));
    }
  }
  return out;
}

/**
 * Replaces every `${key}` with `values[key]`. Throws a `RuleTemplateError` naming the file, the
 * line and the placeholder when a key is unknown or a `${` is never closed.
 */
export function renderRuleTemplate(
  text: string,
  values: Readonly<Record<string, number | string>>,
  file: string,
): string {
  return text.split("\n").map((line, i) => {
    const rendered = line.replace(PLACEHOLDER, (_whole, key: string) => {
      const value = values[key];
      if (value === undefined) {
        throw new RuleTemplateError(
          file,
          i + 1,
          `unknown placeholder \${${key}}: rule parameters are defined in ` +
            "tasks/model/rule_params.ts",
        );
      }
      return String(value);
    });
    const opened = line.split("${").length - 1;
    const closed = [...line.matchAll(PLACEHOLDER)].length;
    if (opened > closed) {
      throw new RuleTemplateError(file, i + 1, "a placeholder `${` is not closed by `}`");
    }
    return rendered;
  }).join("\n");
}

/** Parses a rendered rule file; throws a `RuleTemplateError` at the offending line. */
export function parseRuleFile(text: string, file: string): RuleGroup[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0].line ?? lineCounter.linePos(first.pos[0]).line;
    throw new RuleTemplateError(file, line, first.message.split("\n")[0] ?? first.message);
  }
  const parsed = RuleFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const field = path.map((s) => (typeof s === "symbol" ? String(s) : s));
    throw new RuleTemplateError(
      file,
      valuePosition(doc, lineCounter, field).line,
      `${formatPath(field) || "(file)"}: ${issue?.message ?? "not a rule file"}`,
    );
  }
  return parsed.data.groups;
}

/** Sets each alert's `runbook_url` (unless the template set one) from one base. */
export function withRunbookUrls(groups: readonly RuleGroup[], base: string): RuleGroup[] {
  return groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) =>
      r.alert === undefined || r.annotations?.runbook_url !== undefined
        ? r
        : { ...r, annotations: { ...r.annotations, runbook_url: runbookUrl(r.alert, base) } }
    ),
  }));
}

/** Renders templates with parameter values into parsed rule sets (pure). */
export function renderRuleSets(
  templates: readonly RuleTemplate[],
  values: Readonly<Record<string, number | string>>,
  opts: RenderOptions = {},
): RuleSet[] {
  return templates.map((t) => ({
    name: t.name,
    groups: withRunbookUrls(
      parseRuleFile(renderRuleTemplate(t.text, values, t.file), t.file),
      opts.runbookBaseUrl ?? DEFAULT_RUNBOOK_BASE_URL,
    ),
  }));
}

/** The templates of `dir` (default `base/rules/`), sorted by name; test files are left out. */
export async function loadRuleTemplates(dir: string = RULES_DIR): Promise<RuleTemplate[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(TEMPLATE_SUFFIX)).sort();
  return await Promise.all(names.map(async (n) => {
    const path = join(dir, n);
    return {
      name: n.slice(0, -TEMPLATE_SUFFIX.length),
      text: await readFile(path, "utf8"),
      file: relative(ROOT, path),
    };
  }));
}

/** The promtool unit test files of `dir` (default `base/rules/`), absolute paths, sorted. */
export async function listRuleTestFiles(dir: string = RULES_DIR): Promise<string[]> {
  return (await readdir(dir)).filter((n) => n.endsWith(TEST_SUFFIX)).sort().map((n) =>
    join(dir, n)
  );
}

/** The default rules with the given parameter values: one rule set per template. */
export async function renderDefaultRules(
  values: Readonly<Record<string, number | string>>,
  opts: RenderOptions = {},
): Promise<RuleSet[]> {
  return renderRuleSets(await loadRuleTemplates(), values, opts);
}

/** A rendered rule set as a Prometheus rule file, headed by where it comes from. */
export function ruleFileText(set: RuleSet): string {
  return `# generated from base/rules/${set.name}${TEMPLATE_SUFFIX} by tasks/rules/templates.ts; ` +
    "do not edit\n" + stringify({ groups: set.groups }, { lineWidth: 0 });
}

/**
 * Writes each set to `<dir>/<name>.rules.yaml`, the names the unit tests' `rule_files` use.
 * Returns the paths written.
 */
export async function writeRuleFiles(sets: readonly RuleSet[], dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  return await Promise.all(sets.map(async (s) => {
    const path = join(dir, `${s.name}${TEMPLATE_SUFFIX}`);
    await writeFile(path, ruleFileText(s));
    return path;
  }));
}
