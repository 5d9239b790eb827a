/** test-queries' output: one block per check (text), or one JSON document. */
import type { CheckResult } from "./check.ts";

export interface Report {
  cluster: string;
  mode: "local" | "cluster";
  thanosQuery: string;
  ok: boolean;
  durationMs: number;
  checks: CheckResult[];
}

export function formatText(report: Report): string {
  const lines = [
    `test-queries: cluster ${report.cluster} (${report.mode}) through ${report.thanosQuery}`,
  ];
  report.checks.forEach((c, i) => {
    lines.push("", `${i + 1}. ${c.ok ? "PASS" : "FAIL"} ${c.title} [${c.id}]`);
    for (const q of c.queries) lines.push(`   query: ${q}`);
    for (const d of c.details) lines.push(`   ${d}`);
  });
  const failed = report.checks.filter((c) => !c.ok).map((c) => c.id);
  lines.push(
    "",
    failed.length === 0
      ? `all ${report.checks.length} checks passed in ${(report.durationMs / 1000).toFixed(1)} s`
      : `${failed.length} of ${report.checks.length} checks failed: ${failed.join(", ")}`,
  );
  return lines.join("\n");
}

export function formatJson(report: Report): string {
  return JSON.stringify(report, null, 2);
}
