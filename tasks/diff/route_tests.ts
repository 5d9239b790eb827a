/**
 * The cluster's route tests (`clusters/<name>/routes-test.yaml`) routed by amtool through both
 * sides' Alertmanager configuration: the cases that now reach other receivers.
 */
import type { Change } from "./change.ts";

export interface RouteTestOutcome {
  name: string;
  labels: Readonly<Record<string, string>>;
  /** The receivers the case expects (of the working tree's routes-test.yaml). */
  expected: readonly string[];
  before: readonly string[];
  after: readonly string[];
}

function receivers(list: readonly string[]): string {
  return list.length ? [...list].sort().join(", ") : "no receiver";
}

/** One change per case whose receivers differ between the two sides. */
export function routeTestChanges(outcomes: readonly RouteTestOutcome[]): Change[] {
  const out: Change[] = [];
  for (const o of outcomes) {
    const from = receivers(o.before);
    const to = receivers(o.after);
    if (from === to) continue;
    const labels = Object.entries(o.labels).map(([k, v]) => `${k}=${v}`).join(", ");
    const expected = receivers(o.expected);
    out.push({
      op: "~",
      subject: `route test "${o.name}" {${labels}}`,
      from,
      to,
      note: expected === to
        ? "as the test expects"
        : `the test expects ${expected}: it now fails, update routes-test.yaml or the routes`,
    });
  }
  return out;
}
