/**
 * Check 1: every expected component is up: every pod of the stack's namespace is Running and
 * Ready according to kube-state-metrics, and every workload has its pods. On the local cluster
 * the pods of an image it cannot run (no pinned binary) must wait with the reason
 * ImageNotRunnable instead, and are noted.
 */
import { IMAGE_NOT_RUNNABLE } from "../node/container_run.ts";
import type { InstantSample } from "./client.ts";
import { type CheckContext, type CheckResult, type CheckRun, runCheck } from "./check.ts";

export const ID = "components-up";

export function checkComponents(ctx: CheckContext): Promise<CheckResult> {
  return runCheck(ID, "every expected component is up", ctx, (run) => components(ctx, run));
}

async function components(ctx: CheckContext, run: CheckRun): Promise<void> {
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
  const notRunnable = ctx.target.workloads.filter((w) => w.notRunnable !== undefined);
  const waitingNotRunnable = new Set<string>();
  if (notRunnable.length > 0) {
    const r = await run.query<InstantSample>(
      `kube_pod_container_status_waiting_reason{namespace=${ns}, reason="${IMAGE_NOT_RUNNABLE}"}`,
      true,
    );
    for (const s of r.result) waitingNotRunnable.add(s.metric.pod ?? "");
  }
  const cannotRun = (pod: string) =>
    notRunnable.find((w) => new RegExp(`^${w.podPattern}$`).test(pod));
  const phaseOf = new Map(phases.result.map((s) => [s.metric.pod ?? "", s.metric.phase ?? ""]));
  const readyOf = new Map(ready.result.map((s) => [s.metric.pod ?? "", s.value[1] === "1"]));
  const pods = [...phaseOf.keys()].sort();
  if (pods.length === 0) run.fail(`kube-state-metrics reports no pod in namespace ${ns}`);
  for (const pod of pods) {
    const phase = phaseOf.get(pod);
    const w = cannotRun(pod);
    if (w && phase !== "Running") {
      if (waitingNotRunnable.has(pod)) {
        run.note(`pod ${pod} waits (${IMAGE_NOT_RUNNABLE}): ${w.notRunnable} cannot run here`);
      } else run.fail(`pod ${pod} is ${phase}, expected it to wait with ${IMAGE_NOT_RUNNABLE}`);
      continue;
    }
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
