/**
 * The expressions that may return no data on a healthy stack, each with its reason, kept in
 * `expected-empty.yaml` beside this module. An entry names either metrics (a regular expression
 * over metric names, for metrics a stack does not have) or one expression (an alert, a recorded
 * series, or a dashboard panel) that is empty while all is well.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Expression } from "./expressions.ts";

export const EXPECTED_EMPTY_FILE = fileURLToPath(new URL("./expected-empty.yaml", import.meta.url));

export type Mode = "local" | "cluster";

export const ExpectedEmpty = z.strictObject({
  metric: z.string().optional(),
  alert: z.string().optional(),
  record: z.string().optional(),
  panel: z.string().optional(),
  /** Where the entry holds: the local cluster, a deployed one, or both (default). */
  where: z.enum(["local", "cluster", "both"]).default("both"),
  reason: z.string().min(1),
}).refine(
  (e) => [e.metric, e.alert, e.record, e.panel].filter((x) => x !== undefined).length === 1,
  { error: "each entry names exactly one of metric, alert, record, panel" },
);
export type ExpectedEmpty = z.infer<typeof ExpectedEmpty>;

export const ExpectedEmptyFile = z.array(ExpectedEmpty);

export function parseExpectedEmpty(text: string): ExpectedEmpty[] {
  return ExpectedEmptyFile.parse(parseYaml(text) ?? []);
}

export function loadExpectedEmpty(path = EXPECTED_EMPTY_FILE): ExpectedEmpty[] {
  return parseExpectedEmpty(readFileSync(path, "utf8"));
}

function applies(e: ExpectedEmpty, mode: Mode): boolean {
  return e.where === "both" || e.where === mode;
}

/** The entry that allows `expr` to be empty, if any: its own, or one covering a missing metric. */
export function explainEmpty(
  entries: readonly ExpectedEmpty[],
  mode: Mode,
  expr: Expression,
  missingMetrics: readonly string[],
): ExpectedEmpty | undefined {
  const own = entries.find((e) =>
    applies(e, mode) &&
    ((expr.kind === "alert" && e.alert === expr.name) ||
      (expr.kind === "record" && e.record === expr.name) ||
      (expr.kind === "dashboard" && e.panel === expr.name))
  );
  if (own) return own;
  for (const m of missingMetrics) {
    const entry = entries.find((e) =>
      applies(e, mode) && e.metric !== undefined && new RegExp(`^(?:${e.metric})$`).test(m)
    );
    if (entry) return entry;
  }
  return undefined;
}
