/**
 * Check 4: alerts are raised. The Watchdog fires on every Prometheus replica, both replicas send
 * alerts, Alertmanager holds it as one active alert without the replica label, and it reaches its
 * receiver: locally the sink got it exactly once (no second notification of the group sooner than
 * its route's repeat interval); on a cluster no notification failed in the last hour.
 */
import type { InstantSample } from "./client.ts";
import { type CheckContext, type CheckResult, type CheckRun, runCheck } from "./check.ts";
import { routesFor } from "./routes.ts";

export const ID = "alerts";
export const WATCHDOG = "Watchdog";

export function checkAlerts(ctx: CheckContext): Promise<CheckResult> {
  return runCheck(ID, "alerts are raised and notified once", ctx, async (run) => {
    const { replicaLabel, replicas } = ctx.target;
    if (!ctx.target.expressions.some((e) => e.kind === "alert" && e.name === WATCHDOG)) {
      run.fail(`the cluster's rules have no ${WATCHDOG} alert`);
      return;
    }
    const firing = await run.query<InstantSample>(
      `ALERTS{alertname="${WATCHDOG}", alertstate="firing"}`,
      false,
    );
    for (const r of replicas) {
      if (!firing.result.some((s) => s.metric[replicaLabel] === r)) {
        run.fail(`${WATCHDOG} is not firing on ${r}`);
      }
    }
    run.note(`${WATCHDOG} firing on ${firing.result.length} of ${replicas.length} replicas`);
    const sent = await run.query<InstantSample>(
      `sum by (${replicaLabel}) (prometheus_notifications_sent_total)`,
      false,
    );
    for (const r of replicas) {
      const n = Number(sent.result.find((s) => s.metric[replicaLabel] === r)?.value[1] ?? 0);
      if (!(n > 0)) run.fail(`${r} has sent no alert to Alertmanager`);
    }

    let labels: Record<string, string> | undefined;
    for (const am of ctx.alertmanagers) {
      run.call(`GET ${am.url}/api/v2/alerts?filter=alertname="${WATCHDOG}"`);
      const alerts = await am.alerts(`alertname="${WATCHDOG}"`);
      if (alerts.length !== 1) {
        run.fail(`${am.url} has ${alerts.length} active ${WATCHDOG} alerts, expected 1`);
      }
      for (const a of alerts) {
        if (replicaLabel in a.labels) {
          run.fail(`${am.url}: ${WATCHDOG} carries ${replicaLabel}; replicas would notify twice`);
        }
        labels ??= a.labels;
      }
    }
    run.note(`${WATCHDOG} active in ${ctx.alertmanagers.length} Alertmanager(s)`);
    if (ctx.sink) await delivered(ctx, run, labels ?? { alertname: WATCHDOG });
    else await noFailures(run);
  });
}

async function delivered(ctx: CheckContext, run: CheckRun, labels: Record<string, string>) {
  const sink = ctx.sink as NonNullable<CheckContext["sink"]>;
  const routes = routesFor(ctx.target.alertmanagerConfig.route, labels);
  run.call(`GET ${sink.url}/notifications`);
  const all = await sink.notifications();
  const mine = all.filter((n) =>
    n.payload.status === "firing" &&
    n.payload.alerts.some((a) => a.labels.alertname === WATCHDOG)
  );
  for (const route of routes) {
    const got = mine.filter((n) => n.receiver === route.receiver);
    if (got.length === 0) {
      run.fail(
        `receiver ${route.receiver} got no ${WATCHDOG} notification yet (its route waits ${
          route.groupWaitMs / 1000
        } s before the first)`,
      );
      continue;
    }
    for (const n of got) {
      const copies = n.payload.alerts.filter((a) => a.labels.alertname === WATCHDOG).length;
      if (copies !== 1) {
        run.fail(`a notification to ${route.receiver} holds ${copies} ${WATCHDOG} alerts`);
      }
    }
    const times = got.map((n) => n.receivedAt).sort((a, b) => a - b);
    const gaps = times.slice(1).map((t, i) => t - (times[i] as number));
    const early = gaps.filter((g) => g < route.repeatIntervalMs);
    if (early.length > 0) {
      run.fail(
        `receiver ${route.receiver} got ${WATCHDOG} ${got.length} times, ${
          Math.min(...early) / 1000
        } s apart, within its repeat interval of ${route.repeatIntervalMs / 1000} s`,
      );
    } else {
      run.note(
        `receiver ${route.receiver} got ${WATCHDOG} exactly once per repeat interval (${got.length} notification${
          got.length > 1 ? "s" : ""
        })`,
      );
    }
  }
  const wrong = mine.filter((n) => !routes.some((r) => r.receiver === n.receiver));
  for (const n of wrong) run.fail(`${WATCHDOG} reached receiver ${n.receiver}, not its route's`);
}

async function noFailures(run: CheckRun) {
  const failed = await run.query<InstantSample>(
    "sum(increase(alertmanager_notifications_failed_total[1h]))",
    true,
  );
  const n = Number(failed.result[0]?.value[1] ?? 0);
  if (n > 0) {
    run.fail(`Alertmanager failed to deliver ${n.toFixed(0)} notifications in the last hour`);
  } else run.note("no notification failed in the last hour");
}
