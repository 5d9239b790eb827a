/**
 * What validate reports: findings tagged with their family and the clusters they concern, the
 * same finding from several clusters merged into one, and the count per family and cluster.
 */
import type { Finding } from "../model/finding.ts";

export const FAMILIES = [
  "cluster folder",
  "freshness",
  "render",
  "schemas",
  "rules",
  "routing",
  "dashboards",
  "policies",
  "api server",
] as const;
export type Family = typeof FAMILIES[number];

/** A finding with its family and the clusters it concerns ([] for the shared base). */
export interface Reported extends Finding {
  family: Family;
  clusters: string[];
}

export interface ClusterSummary {
  cluster: string;
  counts: Record<Family, { errors: number; warnings: number }>;
}

export interface Summary {
  /** Seconds spent per step (summed over clusters) and per phase (wall clock). */
  timings: Record<string, number>;
  clusters: ClusterSummary[];
  errors: number;
  warnings: number;
  seconds: number;
  /** How many renders came from the cache. */
  cachedRenders: number;
}

/** The same finding from several clusters (a base file) is reported once, naming them all. */
export function dedupe(findings: readonly Reported[]): Reported[] {
  const byKey = new Map<string, Reported>();
  for (const f of findings) {
    const key = [f.file, f.line, f.column, f.field, f.message, f.check].join("\0");
    const prev = byKey.get(key);
    if (!prev) byKey.set(key, { ...f, clusters: [...f.clusters] });
    else for (const c of f.clusters) if (!prev.clusters.includes(c)) prev.clusters.push(c);
  }
  return [...byKey.values()].sort((a, b) =>
    a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column ||
    a.message.localeCompare(b.message)
  );
}

function emptyCounts(): Record<Family, { errors: number; warnings: number }> {
  return Object.fromEntries(FAMILIES.map((f) => [f, { errors: 0, warnings: 0 }])) as Record<
    Family,
    { errors: number; warnings: number }
  >;
}

/** Errors and warnings per family, per cluster (and `base` for the shared findings). */
export function summarize(
  findings: readonly Reported[],
  clusters: readonly string[],
  seconds: number,
  cachedRenders = 0,
): Omit<Summary, "timings"> {
  const rows = new Map<string, ClusterSummary>();
  for (const c of ["base", ...clusters]) rows.set(c, { cluster: c, counts: emptyCounts() });
  for (const f of findings) {
    for (const c of f.clusters.length ? f.clusters : ["base"]) {
      const row = rows.get(c);
      if (!row) continue;
      row.counts[f.family][f.severity === "error" ? "errors" : "warnings"]++;
    }
  }
  return {
    clusters: [...rows.values()],
    errors: findings.filter((f) => f.severity === "error").length,
    warnings: findings.filter((f) => f.severity === "warning").length,
    seconds,
    cachedRenders,
  };
}
