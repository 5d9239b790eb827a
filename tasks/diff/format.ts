/**
 * The outputs of diff: text for terminals, markdown for the pull request (job summary and one
 * comment), GitHub workflow annotations. Each prints per cluster the summary first, then the
 * manifest diff (folded in markdown), then one line naming the clusters that do not change.
 */
import { type Finding, formatFinding } from "../model/finding.ts";
import { code, inline } from "../docs/markdown.ts";
import { escapeData, escapeProperty } from "../validate/workflow_commands.ts";
import type { Change, ChangeOp, Detail, Section } from "./change.ts";
import type { ClusterReport } from "./cluster_report.ts";
import type { DiffResult, SideFinding } from "./diff.ts";
import { diffLines } from "./line_diff.ts";
import type { ObjectChange } from "./manifest_diff.ts";

export const FORMATS = ["text", "markdown", "github"] as const;
export type Format = typeof FORMATS[number];

/** The first line of the markdown: how the workflow finds its own comment to update it. */
export const MARKDOWN_MARKER = "<!-- deno task diff -->";
/** GitHub refuses comments longer than 65536 characters. */
export const MARKDOWN_MAX_CHARS = 60_000;

const WORDS: Record<ChangeOp, string> = { "+": "added", "-": "removed", "~": "changed" };

/** `from → to`, or the one that exists. */
function values(from: string | undefined, to: string | undefined, show: (s: string) => string) {
  if (from !== undefined && to !== undefined) return `${show(from)} → ${show(to)}`;
  if (to !== undefined) return show(to);
  if (from !== undefined) return show(from);
  return "";
}

/** A multi-line value as lines: the line diff of old and new, or the text itself. */
function codeLines(from: string | undefined, to: string | undefined): string[] {
  if (from !== undefined && to !== undefined) {
    return diffLines(from.split("\n"), to.split("\n")).map((e) => `${e.op} ${e.line}`);
  }
  return (to ?? from ?? "").split("\n");
}

function isMultiLine(d: { from?: string; to?: string; code?: boolean }): boolean {
  return d.code === true && (d.from !== undefined && d.to !== undefined ||
    (d.to ?? d.from ?? "").includes("\n"));
}

/** The side a finding is on, in words. */
function sideNote(f: SideFinding, result: Pick<DiffResult, "base">): string {
  return f.side === "base" ? `at the base ${result.base.label}` : "in the working tree";
}

/** `file:line:col: error: …`, naming the base side when it is there. */
export function formatSideFinding(f: SideFinding, result: Pick<DiffResult, "base">): string {
  return `${formatFinding(f)} (${sideNote(f, result)})`;
}

function unchanged(reports: readonly ClusterReport[]): string[] {
  return reports.filter((r) => r.status === "unchanged").map((r) => r.name);
}

function objectSummary(objects: readonly ObjectChange[]): string {
  const n = (op: ChangeOp) => objects.filter((o) => o.op === op).length;
  const parts = (["~", "+", "-"] as const).filter((op) => n(op) > 0).map((op) =>
    `${n(op)} ${WORDS[op]}`
  );
  const added = objects.reduce((s, o) => s + o.added, 0);
  const removed = objects.reduce((s, o) => s + o.removed, 0);
  return `${objects.length} object${objects.length === 1 ? "" : "s"} (${
    parts.join(", ")
  }), +${added} −${removed} lines`;
}

// ---------------------------------------------------------------------------------------------
// text

function textDetail(d: Detail, indent: string): string[] {
  const op = d.op ? `${d.op} ` : "";
  if (d.note !== undefined && d.from === undefined && d.to === undefined) {
    return [`${indent}${op}${d.label}: ${d.note}`];
  }
  if (isMultiLine(d)) {
    return [
      `${indent}${op}${d.label}:`,
      ...codeLines(d.from, d.to).map((l) => `${indent}    ${l}`),
    ];
  }
  return [`${indent}${op}${d.label}: ${values(d.from, d.to, (s) => s)}`];
}

function textChange(c: Change, indent: string): string[] {
  const value = c.from !== undefined || c.to !== undefined
    ? `: ${values(c.from, c.to, (s) => s)}`
    : "";
  const note = c.note ? ` (${c.note})` : "";
  return [
    `${indent}${c.op} ${c.subject}${value}${note}`,
    ...(c.details ?? []).flatMap((d) => textDetail(d, `${indent}    `)),
  ];
}

function textSections(sections: readonly Section[], indent: string): string[] {
  return sections.flatMap((s) => [
    `${indent}${s.title}`,
    ...s.changes.flatMap((c) => textChange(c, `${indent}  `)),
  ]);
}

/** The summary of one cluster, as text (also the body of its GitHub annotation). */
export function textSummary(r: ClusterReport, indent = "  "): string[] {
  const out: string[] = [];
  if (r.note) out.push(`${indent}${r.note}`);
  out.push(...textSections(r.sections, indent));
  if (r.objects.length > 0) {
    out.push(`${indent}Objects: ${objectSummary(r.objects)}`);
    for (const o of r.objects) {
      out.push(`${indent}  ${o.op} ${o.id} (+${o.added} −${o.removed})`);
    }
  }
  return out;
}

export function formatText(result: DiffResult): string {
  const out = [`deno task diff: ${result.base.label} → ${result.head}`, ""];
  for (const r of result.reports) {
    if (r.status === "unchanged") continue;
    out.push(`${r.name}: ${r.status}`, ...textSummary(r));
    if (r.manifest.length > 0) {
      out.push("  Manifest diff", ...r.manifest.map((l) => `    ${l}`));
    }
    out.push("");
  }
  const same = unchanged(result.reports);
  out.push(same.length ? `Unchanged: ${same.join(", ")}` : "Unchanged: none");
  // Errors go to stderr (main.ts), as file:line:col lines editors and terminals link.
  return out.join("\n");
}

// ---------------------------------------------------------------------------------------------
// markdown

/** A fenced block whose fence is longer than any run of backticks inside. */
function block(lang: string, lines: readonly string[], indent = ""): string[] {
  const longest = Math.max(
    2,
    ...lines.flatMap((l) => [...l.matchAll(/`+/g)].map((m) => m[0].length)),
  );
  const fence = "`".repeat(longest + 1);
  return [`${indent}${fence}${lang}`, ...lines.map((l) => `${indent}${l}`), `${indent}${fence}`];
}

/** A value in a list item: code, on one line (a line break would end the item). */
function mdValue(s: string): string {
  return code(s.replace(/\s*\n\s*/g, " ⏎ "));
}

function mdDetail(d: Detail): string[] {
  const op = d.op ? `${WORDS[d.op]} ` : "";
  const head = `  - ${op}${inline(d.label)}`;
  if (d.note !== undefined && d.from === undefined && d.to === undefined) {
    return [`${head}: ${inline(d.note)}`];
  }
  if (isMultiLine(d)) {
    const lines = d.from !== undefined && d.to !== undefined
      ? codeLines(d.from, d.to)
      : (d.to ?? d.from ?? "").split("\n");
    return [
      `${head}:`,
      "",
      ...block(d.from !== undefined && d.to !== undefined ? "diff" : "", lines, "    "),
    ];
  }
  return [`${head}: ${values(d.from, d.to, mdValue)}`];
}

function mdChange(c: Change): string[] {
  const value = c.from !== undefined || c.to !== undefined
    ? `: ${values(c.from, c.to, mdValue)}`
    : "";
  const note = c.note ? ` (${inline(c.note)})` : "";
  return [
    `- ${WORDS[c.op]} ${inline(c.subject)}${value}${note}`,
    ...(c.details ?? []).flatMap(mdDetail),
  ];
}

function mdSummary(r: ClusterReport): string[] {
  const out: string[] = [];
  if (r.note) out.push(inline(r.note), "");
  for (const s of r.sections) out.push(`**${s.title}**`, "", ...s.changes.flatMap(mdChange), "");
  if (r.objects.length > 0) {
    const shown = r.objects.slice(0, 12).map((o) => `${WORDS[o.op]} ${code(o.id)}`);
    const more = r.objects.length > shown.length
      ? `, and ${r.objects.length - shown.length} more`
      : "";
    out.push(`**Objects:** ${objectSummary(r.objects)}: ${shown.join(", ")}${more}`, "");
  }
  return out;
}

/** The manifest diff of a cluster, folded, within `budget` characters. */
function mdManifest(r: ClusterReport, budget: number): string[] {
  if (r.manifest.length === 0) return [];
  const lines: string[] = [];
  let size = 0;
  for (const l of r.manifest) {
    if (size + l.length + 1 > budget) break;
    lines.push(l);
    size += l.length + 1;
  }
  const cut = r.manifest.length - lines.length;
  return [
    `<details><summary>Manifest diff of ${r.name}: ${objectSummary(r.objects)}</summary>`,
    "",
    ...block("diff", lines),
    ...(cut > 0
      ? ["", `… ${cut} more lines: run ${code(`deno task diff ${r.name}`)} to see them all.`]
      : []),
    "",
    "</details>",
    "",
  ];
}

export function formatMarkdown(result: DiffResult, maxChars = MARKDOWN_MAX_CHARS): string {
  const head = [
    MARKDOWN_MARKER,
    "## What this changes in each cluster",
    "",
    `Rendered ${inline(result.base.label)} and ${inline(result.head)}, compared with ` +
    `${code("deno task diff")}.`,
    "",
  ];
  const shown = result.reports.filter((r) => r.status !== "unchanged");
  const same = unchanged(result.reports);
  const tail = [
    `**Unchanged:** ${same.length ? same.map(code).join(", ") : "none"}`,
    ...(result.findings.length
      ? [
        "",
        "**Errors** (fix them to see these clusters compared):",
        "",
        ...block("", result.findings.map((f) => formatSideFinding(f, result))),
      ]
      : []),
    "",
  ];
  const summaries = shown.map((r) => [`### ${code(r.name)}: ${r.status}`, "", ...mdSummary(r)]);
  const fixed = [...head, ...summaries.flat(), ...tail].join("\n").length;
  // What is left is shared by the manifest diffs; each cluster gets an equal part at most.
  const withDiff = shown.filter((r) => r.manifest.length > 0).length;
  const budget = Math.max(0, maxChars - fixed - withDiff * 400);
  const each = withDiff ? Math.floor(budget / withDiff) : 0;
  const body = shown.flatMap((r, i) => [...(summaries[i] ?? []), ...mdManifest(r, each)]);
  const text = [...head, ...body, ...tail].join("\n");
  if (text.length <= maxChars) return text;
  const note = `\n\n… cut at ${maxChars} characters: run \`deno task diff\` to see everything.\n`;
  return text.slice(0, maxChars - note.length) + note;
}

// ---------------------------------------------------------------------------------------------
// github

function annotation(level: "notice" | "error", props: Record<string, string>, message: string) {
  const p = Object.entries(props).map(([k, v]) => `${k}=${escapeProperty(v)}`).join(",");
  return `::${level} ${p}::${escapeData(message)}`;
}

/** Workflow annotations: one notice per changed cluster, one for the others, one error each. */
export function formatGithub(result: DiffResult): string {
  const out: string[] = [];
  for (const f of result.findings) {
    const props: Record<string, string> = f.side === "head" && f.line > 0
      ? { file: f.file, line: String(f.line), col: String(Math.max(1, f.column)) }
      : f.side === "head"
      ? { file: f.file }
      : {};
    props.title = `deno task diff: ${f.field || f.check} (${sideNote(f, result)})`;
    out.push(annotation("error", props, `${formatFinding(f as Finding)}`));
  }
  for (const r of result.reports) {
    if (r.status === "unchanged") continue;
    out.push(
      annotation(
        "notice",
        { file: `clusters/${r.name}/cluster.yaml`, title: `deno task diff: ${r.name} ${r.status}` },
        textSummary(r, "").join("\n"),
      ),
    );
  }
  const same = unchanged(result.reports);
  out.push(
    annotation(
      "notice",
      { title: "deno task diff: unchanged" },
      `Unchanged: ${same.join(", ") || "none"}`,
    ),
  );
  return out.join("\n");
}

export function formatResult(result: DiffResult, format: Format): string {
  return format === "markdown"
    ? formatMarkdown(result)
    : format === "github"
    ? formatGithub(result)
    : formatText(result);
}
