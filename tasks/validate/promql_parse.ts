/**
 * Parses PromQL with the real Prometheus parser: the pinned promtool checks every expression of a
 * batch as a recording rule of one temporary rule file, in one run.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";

export interface PromQLExpr {
  id: string;
  expr: string;
}

/** Values Grafana's built-in variables stand for while parsing (only their syntax matters). */
const BUILTINS: Record<string, string> = {
  __rate_interval: "5m",
  __interval: "1m",
  __range: "1h",
  __rate_interval_ms: "300000",
  __interval_ms: "60000",
  __range_s: "3600",
  __range_ms: "3600000",
};

/** `${name}`, `${name:format}`, `[[name]]`, `[[name:format]]`, `$name`. */
const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/y;
const VARIABLE_GLOBAL = new RegExp(VARIABLE.source, "g");

/** Functions and aggregations whose first argument is a scalar. */
const SCALAR_FIRST_ARG =
  /\b(?:topk|bottomk|quantile|limitk|limit_ratio|quantile_over_time|histogram_quantile)\s*\(\s*$/;

/**
 * Replaces Grafana variables by a value that is valid PromQL where the variable stands: a
 * duration inside `[...]` and after `offset`, a number where a scalar is expected, a word inside
 * strings, and a name elsewhere (a metric name, a label name, or a vector operand).
 */
export function substituteGrafanaVariables(expr: string): string {
  let out = "";
  let inBrackets = false;
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      const end = stringEnd(expr, i);
      out += expr.slice(i, end).replace(
        VARIABLE_GLOBAL,
        (_m, a?: string, b?: string, d?: string) => BUILTINS[a ?? b ?? d ?? ""] ?? "placeholder",
      );
      i = end;
      continue;
    }
    if (c === "#") {
      const end = expr.indexOf("\n", i);
      out += expr.slice(i, end === -1 ? expr.length : end);
      i = end === -1 ? expr.length : end;
      continue;
    }
    VARIABLE.lastIndex = i;
    const m = VARIABLE.exec(expr);
    if (m) {
      const name = (m[1] ?? m[2] ?? m[3]) as string;
      out += placeholderFor(name, out, inBrackets);
      i += m[0].length;
      continue;
    }
    if (c === "[") inBrackets = true;
    if (c === "]") inBrackets = false;
    out += c;
    i++;
  }
  return out;
}

function placeholderFor(name: string, before: string, inBrackets: boolean): string {
  const builtin = BUILTINS[name];
  if (builtin !== undefined) return builtin;
  if (inBrackets || /\boffset\s*-?\s*$/.test(before)) return "5m";
  if (/@\s*$/.test(before) || SCALAR_FIRST_ARG.test(before)) return "1";
  return `grafana_var_${name}`;
}

/** The offset just past the string literal that starts at `start` (its quote). */
function stringEnd(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length) {
    const c = expr[i];
    if (c === "\\" && quote !== "`") {
      i += 2;
      continue;
    }
    if (c === quote) return i + 1;
    i++;
  }
  return expr.length;
}

/** The rule file promtool checks: one group per expression, named after its index. */
export function ruleFileFor(exprs: readonly PromQLExpr[]): string {
  return stringify({
    groups: exprs.map((e, i) => ({
      name: `e${i}`,
      rules: [{ record: `e${i}`, expr: substituteGrafanaVariables(e.expr) }],
    })),
  }, { lineWidth: 0 });
}

/**
 * Maps promtool's `check rules` output back to expression ids. promtool prints one error per
 * line (`<line>:<col>: group "e3", rule 1, "e3": <error>`); a parse error spanning several lines
 * continues on the following lines.
 */
export function errorsFromPromtool(
  output: string,
  exprs: readonly PromQLExpr[],
): Map<string, string> {
  const errors = new Map<string, string>();
  let last: string | undefined;
  for (const line of output.split("\n")) {
    const m = /group "e(\d+)", rule \d+, "[^"]*": (.*)$/.exec(line);
    const id = m ? exprs[Number(m[1])]?.id : undefined;
    if (m && id !== undefined) {
      const message = (m[2] as string).replace(/^could not parse expression: /, "");
      const previous = errors.get(id);
      errors.set(id, previous === undefined ? message : `${previous}; ${message}`);
      last = id;
    } else if (
      last !== undefined && line.trim() !== "" && !/^\s*(Checking|FAILED|SUCCESS)/.test(line)
    ) {
      errors.set(last, `${errors.get(last)}; ${line.trim()}`);
    } else {
      last = undefined;
    }
  }
  return errors;
}

/**
 * Parses every expression with the pinned promtool in one run and returns the failures only,
 * keyed by id. Grafana variables are substituted first (see substituteGrafanaVariables()).
 */
export async function parsePromQL(
  exprs: Array<{ id: string; expr: string }>,
): Promise<Map<string, string /*error*/>> {
  if (exprs.length === 0) return new Map();
  const dir = mkdtempSync(join(tmpdir(), "promql-parse-"));
  try {
    const file = join(dir, "exprs.rules.yaml");
    writeFileSync(file, ruleFileFor(exprs));
    const r = await run(toolPath("promtool"), ["check", "rules", "--lint=none", file]);
    const output = `${r.stdout}\n${r.stderr}`;
    const errors = errorsFromPromtool(output, exprs);
    if (r.code !== 0 && errors.size === 0) {
      throw new Error(`promtool check rules exited ${r.code}: ${output.trim()}`);
    }
    // Positions in promtool's message refer to the expression it saw: show it when it differs.
    for (const e of exprs) {
      const error = errors.get(e.id);
      const seen = substituteGrafanaVariables(e.expr);
      if (error !== undefined && seen !== e.expr) {
        errors.set(e.id, `${error} (in ${JSON.stringify(seen)}, Grafana variables replaced)`);
      }
    }
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
