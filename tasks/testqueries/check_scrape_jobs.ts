/**
 * Check 2: every Prometheus replica scrapes every expected job. `up == 1` counted by job and
 * replica with deduplication off must equal the table derived from the render's monitors
 * (the targets of an image the local cluster cannot run are not expected up, and are noted).
 * Jobs whose targets are not pods of the render (other teams' monitors, the cluster's own
 * components: the API server, etcd, CoreDNS…) are noted, not failed.
 */
import type { InstantSample } from "./client.ts";
import { type CheckContext, type CheckResult, runCheck } from "./check.ts";

export const ID = "scrape-jobs";

export function checkScrapeJobs(ctx: CheckContext): Promise<CheckResult> {
  return runCheck(ID, "every Prometheus replica scrapes every expected job", ctx, async (run) => {
    const { replicaLabel, replicas, jobs, namespace } = ctx.target;
    const counted = await run.query<InstantSample>(
      `count by (job, ${replicaLabel}) (up == 1)`,
      false,
    );
    const actual = new Map<string, number>();
    for (const s of counted.result) {
      actual.set(`${s.metric.job}\u0000${s.metric[replicaLabel]}`, Number(s.value[1]));
    }
    let desired = new Map<string, number>();
    if (jobs.some((j) => j.daemonsets.length > 0)) {
      const r = await run.query<InstantSample>(
        `kube_daemonset_status_desired_number_scheduled{namespace=${JSON.stringify(namespace)}}`,
        true,
      );
      desired = new Map(r.result.map((s) => [s.metric.daemonset ?? "", Number(s.value[1])]));
    }
    for (const j of jobs) {
      const expected = j.fixed + j.daemonsets.reduce((n, d) => n + (desired.get(d) ?? NaN), 0);
      const cells = replicas.map((replica) => {
        const got = actual.get(`${j.job}\u0000${replica}`) ?? 0;
        if (got !== expected) {
          run.fail(`${replica} has ${got} ${j.job} targets up, expected ${expected}`);
        }
        return `${replica}: ${got}/${expected}`;
      });
      const cannot = j.notRunnable.length > 0
        ? ` (not expected up: ${j.notRunnable.join(", ")} cannot run here)`
        : "";
      run.note(`${j.job.padEnd(24)} ${cells.join("  ")}${cannot}`);
    }
    const expectedJobs = new Set(jobs.map((j) => j.job));
    const extra = [...new Set(counted.result.map((s) => s.metric.job ?? ""))]
      .filter((j) => !expectedJobs.has(j)).sort();
    if (extra.length > 0) {
      run.note(`also scraped (targets that are not the render's pods): ${extra.join(", ")}`);
    }
  });
}
