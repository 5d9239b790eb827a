/** The three outputs of validate: text for people, GitHub annotations for CI, JSON for tools. */
import { formatFinding } from "../model/finding.ts";
import { escapeData, escapeProperty } from "./workflow_commands.ts";
import { FAMILIES, type Reported, type Summary } from "./summary.ts";
import type { ProgressEvent } from "./validate.ts";

export const FORMATS = ["text", "github", "json"] as const;
export type Format = typeof FORMATS[number];

function clusterNote(f: Reported): string {
  return f.clusters.length ? ` (${f.clusters.join(", ")})` : "";
}

/**
 * One compiler-style line per finding (`file:line:col: severity: field: message [check]`, which
 * editors and terminals turn into links), then a table of errors and warnings per family for
 * each cluster, then the verdict.
 */
export function formatText(findings: readonly Reported[], summary: Summary): string {
  const lines = findings.map((f) => formatFinding(f) + clusterNote(f));
  if (lines.length > 0) lines.push("");
  lines.push(formatSummaryTable(summary));
  const verdict = summary.errors > 0 ? "FAILED" : "ok";
  lines.push(
    `${verdict}: ${summary.errors} error(s), ${summary.warnings} warning(s) in ${
      summary.clusters.length - 1
    } cluster(s) and the base, ${summary.seconds.toFixed(2)} s`,
  );
  return lines.join("\n");
}

/** `2E 1W`, `1E`, `-` for a cell of the summary table. */
function cell(c: { errors: number; warnings: number }): string {
  const parts = [];
  if (c.errors) parts.push(`${c.errors}E`);
  if (c.warnings) parts.push(`${c.warnings}W`);
  return parts.length ? parts.join(" ") : "-";
}

export function formatSummaryTable(summary: Summary): string {
  const header = ["cluster", ...FAMILIES];
  const rows = summary.clusters.map((c) => [c.cluster, ...FAMILIES.map((f) => cell(c.counts[f]))]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((r) => (r[i] as string).length))
  );
  const fmt = (r: readonly string[]) =>
    r.map((v, i) => v.padEnd(widths[i] as number)).join("  ").trimEnd();
  return [fmt(header), ...rows.map(fmt)].join("\n");
}

/** One `::error file=…,line=…,col=…,title=…::message` workflow command per finding. */
export function formatGithub(findings: readonly Reported[], summary: Summary): string {
  const lines = findings.map((f) => {
    const props = [`file=${escapeProperty(f.file)}`];
    if (f.line > 0) props.push(`line=${f.line}`, `col=${Math.max(1, f.column)}`);
    props.push(`title=${escapeProperty(`${f.family}: ${f.check}${f.field ? ` ${f.field}` : ""}`)}`);
    return `::${f.severity} ${props.join(",")}::${escapeData(f.message + clusterNote(f))}`;
  });
  lines.push(formatSummaryTable(summary));
  lines.push(`${summary.errors} error(s), ${summary.warnings} warning(s)`);
  return lines.join("\n");
}

export function formatJson(findings: readonly Reported[], summary: Summary): string {
  return JSON.stringify({ findings, summary }, null, 2);
}

/** Each output by its --format name. */
export const REPORTERS: Record<
  Format,
  (findings: readonly Reported[], summary: Summary) => string
> = { text: formatText, github: formatGithub, json: formatJson };

export function formatProgress(e: ProgressEvent): string {
  return `[${e.done}/${e.total}] ${e.cluster}: rendered and checked, ${e.errors} error(s) so far`;
}
