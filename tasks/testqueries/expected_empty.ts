/**
 * The expressions that may return no data on a healthy stack, each with its reason, kept in
 * `expected-empty.yaml` beside this module. An entry names either metrics (a regular expression
 * over metric names, for metrics a stack does not have), one expression (an alert, a recorded
 * series, or a dashboard panel) that is empty while all is well, or a whole dashboard.
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
  /** A dashboard's file (`k8s-kubelet.json`): all its panels, or with `panel` that one. */
  dashboard: z.string().optional(),
  /** Where the entry holds: the local stack, a real cluster, or both (default). */
  where: z.enum(["local", "cluster", "both"]).default("both"),
  reason: z.string().min(1),
}).refine(
  (e) =>
    [e.metric, e.alert, e.record, e.panel ?? e.dashboard].filter((x) => x !== undefined)
        .length === 1 && (e.dashboard === undefined || e.metric === undefined),
  { error: "each entry names exactly one of metric, alert, record, panel, dashboard (+ panel)" },
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

/**
 * The entry that allows `expr` to be empty, if any: its own (by kind and name, or its dashboard),
 * or, when every metric it misses is one a `metric` entry explains, the first of those.
 */
export function explainEmpty(
  entries: readonly ExpectedEmpty[],
  mode: Mode,
  expr: Expression,
  missingMetrics: readonly string[],
): ExpectedEmpty | undefined {
  const file = expr.kind === "dashboard" ? expr.source.replace(/^dashboard /, "") : undefined;
  const own = entries.find((e) =>
    applies(e, mode) &&
    ((expr.kind === "alert" && e.alert === expr.name) ||
      (expr.kind === "record" && e.record === expr.name) ||
      (expr.kind === "dashboard" &&
        (e.dashboard === undefined || e.dashboard === file) &&
        (e.panel === undefined ? e.dashboard !== undefined : e.panel === expr.name)))
  );
  if (own) return own;
  const byMetric = missingMetrics.map((m) =>
    entries.find((e) =>
      applies(e, mode) && e.metric !== undefined && new RegExp(`^(?:${e.metric})$`).test(m)
    )
  );
  if (byMetric.length === 0 || byMetric.some((e) => e === undefined)) return undefined;
  return byMetric[0];
}
