/**
 * The dashboards are shared, the scrape interval is each cluster's: a fixed range such as
 * `rate(x[2m])` holds four samples at the default 30s and one at a cluster's 2m. A range that
 * is too short only at a cluster's interval is that cluster's finding, at the line of
 * `clusters/<name>/cluster.yaml` that sets the interval; one too short at the default interval
 * is the dashboard's.
 */
import type { Finding } from "../model/finding.ts";
import type { ClusterSpot } from "./cluster_values.ts";
import { type DashboardFile, lintDashboard } from "./dashboards.ts";

export interface ClusterInterval {
  name: string;
  /** The cluster's scrape interval, in milliseconds. */
  ms: number;
  /** Where cluster.yaml sets it. */
  spot: ClusterSpot | null;
}

const key = (f: Finding) => [f.file, f.line, f.column, f.field].join("\0");

/**
 * The findings of `dashboards` at each cluster's scrape interval that the lint at `baseline`
 * (milliseconds, the default interval) does not have, each at its cluster's scrape interval.
 */
export function scrapeIntervalFindings(
  dashboards: readonly DashboardFile[],
  datasourceUids: readonly string[],
  baseline: number,
  clusters: readonly ClusterInterval[],
): Array<{ f: Finding; name: string }> {
  const lintAt = (ms: number) =>
    dashboards.flatMap((d) =>
      lintDashboard(d.file, d.text, { datasourceUids, scrapeIntervalMs: ms })
    );
  const known = new Set(lintAt(baseline).map(key));
  const only = new Map<number, Finding[]>();
  const out: Array<{ f: Finding; name: string }> = [];
  for (const c of clusters) {
    if (!(c.ms > baseline) || !c.spot) continue;
    let extra = only.get(c.ms);
    if (!extra) {
      extra = lintAt(c.ms).filter((f) => !known.has(key(f)));
      only.set(c.ms, extra);
    }
    const spot = c.spot;
    for (const f of extra) {
      out.push({
        name: c.name,
        f: {
          ...f,
          file: spot.file,
          line: spot.line,
          column: spot.column,
          field: spot.field,
          message: `${f.file}:${f.line}: ${f.message} (this cluster's scrape interval, ` +
            `${spot.field} here; the dashboards are shared, so use $__rate_interval there)`,
        },
      });
    }
  }
  return out;
}
