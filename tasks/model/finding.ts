/** A problem found by a check: where it is, and what was expected and found. */
export type Severity = "error" | "warning";

export interface Finding {
  severity: Severity;
  /** Path relative to the repository root, with forward slashes. */
  file: string;
  /** 1-based; 0 when the finding concerns the whole file. */
  line: number;
  /** 1-based; 0 when the finding concerns the whole file. */
  column: number;
  /** Field path (`spec.config.retention_time`) or resource (`Prometheus/monitoring/k8s`). */
  field: string;
  message: string;
  /** Which check produced it (`schema`, `kubeconform`, `promtool`, `policy/ha`, …). */
  check: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === "error");
}

/** One line per finding, `file:line:col: severity: field: message`, as compilers print. */
export function formatFinding(f: Finding): string {
  const where = f.line > 0 ? `${f.file}:${f.line}:${f.column}` : f.file;
  const field = f.field ? `${f.field}: ` : "";
  return `${where}: ${f.severity}: ${field}${f.message} [${f.check}]`;
}

/** A finding about a whole file (no line or field): a missing, stale or unexpected file. */
export function fileFinding(
  file: string,
  message: string,
  check: string,
  severity: Severity = "error",
): Finding {
  return { severity, file, line: 0, column: 0, field: "", message, check };
}
