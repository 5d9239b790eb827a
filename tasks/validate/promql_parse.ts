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
import { substituteGrafanaVariables } from "./grafana_variables.ts";

export interface PromQLExpr {
  id: string;
  expr: string;
}

/** The rule file promtool checks: one group per expression, named after its index. */
export function ruleFileFor(exprs: readonly PromQLExpr[]): string {
  return stringify({
    groups: exprs.map((e, i) => ({
      name: `e${i}`,
      rules: [{ record: `e${i}`, expr: substituteGrafanaVariables(e.expr).text }],
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
      const seen = substituteGrafanaVariables(e.expr).text;
      if (error !== undefined && seen !== e.expr) {
        errors.set(e.id, `${error} (in ${JSON.stringify(seen)}, Grafana variables replaced)`);
      }
    }
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
