/**
 * Check 1: every expected component is up. On a cluster, every pod of the namespace is Running
 * and Ready according to kube-state-metrics, and every workload has its pods; locally, every
 * process's target is up on every replica.
 */
import type { InstantSample } from "./client.ts";
import { type CheckContext, type CheckResult, type CheckRun, runCheck } from "./check.ts";

export const ID = "components-up";

export function checkComponents(ctx: CheckContext): Promise<CheckResult> {
  return runCheck(
    ID,
    "every expected component is up",
    ctx,
    (run) => ctx.target.mode === "local" ? local(ctx, run) : cluster(ctx, run),
  );
}

async function local(ctx: CheckContext, run: CheckRun): Promise<void> {
  const { replicaLabel, replicas, localTargets } = ctx.target;
  const up = await run.query<InstantSample>("up", false);
  let ok = 0;
  for (const replica of replicas) {
    for (const t of localTargets) {
      const s = up.result.find((x) =>
        x.metric.job === t.job && x.metric.instance === t.instance &&
        x.metric[replicaLabel] === replica
      );
      if (!s) run.fail(`${replica} does not scrape ${t.job} at ${t.instance}`);
      else if (s.value[1] !== "1") run.fail(`${replica}: ${t.job} at ${t.instance} is down`);
      else ok++;
    }
  }
  run.note(
    `${ok} of ${
      replicas.length * localTargets.length
    } targets up (${localTargets.length} processes × ${replicas.length} replicas)`,
  );
}

async function cluster(ctx: CheckContext, run: CheckRun): Promise<void> {
  const ns = JSON.stringify(ctx.target.namespace);
  const phases = await run.query<InstantSample>(
    `kube_pod_status_phase{namespace=${ns}} == 1`,
    true,
  );
  const ready = await run.query<InstantSample>(
    `kube_pod_status_ready{namespace=${ns}, condition="true"}`,
    true,
  );
  const desired = await run.query<InstantSample>(
    `kube_daemonset_status_desired_number_scheduled{namespace=${ns}}`,
    true,
  );
  const phaseOf = new Map(phases.result.map((s) => [s.metric.pod ?? "", s.metric.phase ?? ""]));
  const readyOf = new Map(ready.result.map((s) => [s.metric.pod ?? "", s.value[1] === "1"]));
  const pods = [...phaseOf.keys()].sort();
  if (pods.length === 0) run.fail(`kube-state-metrics reports no pod in namespace ${ns}`);
  for (const pod of pods) {
    const phase = phaseOf.get(pod);
    if (phase !== "Running") run.fail(`pod ${pod} is ${phase}, expected Running`);
    else if (!readyOf.get(pod)) run.fail(`pod ${pod} is Running but not Ready`);
  }
  for (const w of ctx.target.workloads) {
    const re = new RegExp(`^${w.podPattern}$`);
    const mine = pods.filter((p) => re.test(p));
    const expected = w.daemonset === undefined
      ? w.replicas ?? 0
      : Number(desired.result.find((s) => s.metric.daemonset === w.daemonset)?.value[1] ?? NaN);
    if (Number.isNaN(expected)) run.fail(`${w.workload}: kube-state-metrics does not report it`);
    else if (mine.length < expected) {
      run.fail(`${w.workload}: ${mine.length} pods, expected ${expected}`);
    } else run.note(`${w.workload}: ${mine.length}/${expected} pods`);
  }
  run.note(`${pods.length} pods in namespace ${ns}`);
}
