/**
 * The local stack of the `local` cluster, on real processes: deduplication fills the gap of a
 * stopped Prometheus replica, test-queries passes, an Alertmanager peer down still notifies
 * exactly once, and a sidecar down makes test-queries fail. One stack for the whole file.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../model/paths.ts";
import { parseDuration } from "../model/cluster.ts";
import { run } from "../proc/run.ts";
import { seconds, type Stack, startStack } from "../stack/up.ts";
import type { RangeSeries } from "../testqueries/client.ts";
import type { Report } from "../testqueries/report.ts";
import { routesFor } from "../testqueries/routes.ts";
import {
  failures,
  keepLogs,
  longestGap,
  sleep,
  testQueries,
  thanosOf,
  timestamps,
  waitFor,
} from "./helpers.ts";

/** Alertmanager's default `--cluster.peer-timeout`, when the CR does not set one. */
const DEFAULT_PEER_TIMEOUT = "15s";

/** The test-queries CLI, as a person runs it, against this stack's state file. */
async function testQueriesCli(stateFile: string): Promise<{ code: number; report: Report }> {
  const r = await run(Deno.execPath(), [
    "run",
    "-A",
    "tasks/testqueries/main.ts",
    "--local",
    "--state",
    stateFile,
    "--format",
    "json",
  ], { cwd: ROOT, timeoutMs: 120_000 });
  return { code: r.code, report: JSON.parse(r.stdout) as Report };
}

Deno.test("the local stack survives a replica, a peer and a sidecar going down", async (t) => {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "e2e-stack-"));
  const stateFile = join(dir, "state.json");
  const stack: Stack = await startStack({ cluster: "local", lifetimeMs: 600_000, stateFile });
  console.log(`stack ready in ${seconds(stack.readyMs)}`);
  const thanos = thanosOf(stack);
  const interval = stack.plan.scrapeIntervalMs;
  const R = stack.plan.replicaLabel;
  let ok = true;
  const step = async (name: string, fn: () => Promise<void>) => {
    const s0 = performance.now();
    ok = await t.step(name, fn) && ok;
    console.log(`  ${name}: ${seconds(performance.now() - s0)}`);
  };
  try {
    await step("deduplication leaves no gap while one Prometheus replica is down", async () => {
      const selector = `up{job="${stack.rendered.jobs.nodeExporter.job}"}`;
      const recent = `${selector}[${(6 * interval) / 1000}s]`;
      // Enough history on both replicas to see which one deduplication follows.
      const [raw, dedup] = await waitFor("three samples from each replica", 30_000, async () => {
        const raw = await thanos.query<RangeSeries>(recent, { dedup: false });
        const dedup = await thanos.query<RangeSeries>(recent, { dedup: true });
        const enough = raw.result.length === 2 && raw.result.every((s) => s.values.length >= 3);
        return enough && dedup.result.length === 1 ? [raw, dedup] as const : undefined;
      });
      const last = timestamps(dedup.result[0] as RangeSeries).at(-1);
      const followed = raw.result.find((s) => timestamps(s).includes(last as number))?.metric[R] ??
        stack.plan.replicas[0] as string;
      const name = `prometheus-${stack.plan.replicas.indexOf(followed)}`;

      const own = `${selector.slice(0, -1)}, ${R}="${followed}"}`;
      const stoppedAt = Date.now();
      await stack.stopProcess(name);
      await sleep(6 * interval);
      await stack.startProcess(name);
      const restartedAt = Date.now();
      // Until the restarted replica has scraped again, which ends the gap in its own series.
      await waitFor(`a scrape by the restarted ${followed}`, 10 * interval, async () => {
        const r = await thanos.query<RangeSeries>(`${own}[${(4 * interval) / 1000}s]`, {
          dedup: false,
        });
        const last = timestamps(r.result[0] ?? { metric: {}, values: [] }).at(-1) ?? 0;
        return last > restartedAt ? true : undefined;
      }, interval / 4);
      const end = Date.now();
      const window = `[${Math.ceil((end - stoppedAt + 5 * interval) / 1000)}s]`;

      const merged = await thanos.query<RangeSeries>(`${selector}${window}`, {
        dedup: true,
        time: end / 1000,
      });
      assert.deepEqual(merged.warnings, []);
      assert.equal(merged.result.length, 1);
      assert.equal(R in (merged.result[0]?.metric ?? {}), false);
      const single = await thanos.query<RangeSeries>(`${own}${window}`, {
        dedup: false,
        time: end / 1000,
      });
      assert.equal(single.result.length, 1);
      const mergedGap = longestGap(timestamps(merged.result[0] as RangeSeries));
      const ownGap = longestGap(timestamps(single.result[0] as RangeSeries));
      console.log(
        `    ${name} (${followed}, the replica deduplication followed) stopped ${
          seconds(restartedAt - stoppedAt)
        }: longest gap ${ownGap} ms in its own series, ${mergedGap} ms deduplicated (interval ${interval} ms)`,
      );
      assert.ok(ownGap >= 6 * interval, `own series' longest gap ${ownGap} ms < 6 intervals`);
      // Scrapes of a loaded machine start a little late: a tenth of an interval of slack.
      assert.ok(
        mergedGap <= 3 * interval + interval / 10,
        `deduplicated series' longest gap ${mergedGap} ms > 3 intervals`,
      );
    });

    await step("test-queries --local passes", async () => {
      let last: Report | undefined;
      await waitFor("every check to pass", 90_000, async () => {
        last = await testQueries(stack);
        return last.ok ? true : undefined;
      }, 2_000).catch((e) => {
        throw new Error(`${e.message}\n${last ? failures(last).join("\n") : ""}`);
      });
      const cli = await testQueriesCli(stateFile);
      assert.deepEqual(failures(cli.report), []);
      assert.equal(cli.code, 0);
      assert.deepEqual(cli.report.checks.map((c) => [c.id, c.ok]), [
        ["components-up", true],
        ["scrape-jobs", true],
        ["thanos-query", true],
        ["alerts", true],
        ["expressions", true],
      ]);
      console.log(`    test-queries took ${seconds(cli.report.durationMs)}`);
    });

    await step("with one Alertmanager peer down a new alert is notified exactly once", async () => {
      const positions = await Promise.all(stack.plan.urls.alertmanagers.map(async (u) => {
        const text = await (await fetch(`${u}/metrics`)).text();
        return Number(/^alertmanager_peer_position (\d+)/m.exec(text)?.[1]);
      }));
      // The peer in position 0 notifies first; the others only if it has not, a timeout later.
      const first = positions.indexOf(0);
      assert.ok(first >= 0, `no peer in position 0: ${positions.join(", ")}`);
      await stack.stopProcess(`alertmanager-${first}`);

      const alertname = "E2eAlertmanagerPeerDown";
      const labels = { severity: "none" };
      await stack.addRules("e2e-peer-down.yaml", [{
        name: "e2e",
        rules: [{ alert: alertname, expr: "vector(1)", labels }],
      }]);
      const alertLabels = { alertname, ...labels, ...stack.rendered.prometheus.externalLabels };
      const [route] = routesFor(stack.rendered.alertmanager.config.route, alertLabels);
      const mine = () =>
        stack.sink.notifications().filter((n) =>
          n.payload.alerts.some((a) => a.labels.alertname === alertname)
        );
      const firstAt = await waitFor(
        `${alertname} at the sink`,
        (route?.groupWaitMs ?? 30_000) + 30_000,
        () => Promise.resolve(mine()[0]?.receivedAt),
      );
      // A second peer that did not see the first notification would send one timeout later.
      const peerTimeout = parseDuration(
        stack.rendered.alertmanager.peerTimeout ?? DEFAULT_PEER_TIMEOUT,
      );
      await sleep(Math.max(0, firstAt + peerTimeout + 3_000 - Date.now()));
      const got = mine();
      assert.equal(got.length, 1, `notifications: ${JSON.stringify(got)}`);
      assert.equal(got[0]?.receiver, route?.receiver);
      assert.equal(got[0]?.payload.alerts.length, 1);
      assert.equal(R in (got[0]?.payload.alerts[0]?.labels ?? {}), false);
      const firing = await thanos.query(`ALERTS{alertname="${alertname}"}`, { dedup: false });
      assert.equal(firing.result.length, stack.plan.replicas.length, "every replica sent it");
    });

    await step("with a sidecar down test-queries fails and names the missing store", async () => {
      const sidecar = stack.plan.replicas.length - 1;
      await stack.stopProcess(`sidecar-${sidecar}`);
      const cli = await testQueriesCli(stateFile);
      assert.equal(cli.code, 1);
      const thanosCheck = cli.report.checks.find((c) => c.id === "thanos-query");
      assert.equal(thanosCheck?.ok, false);
      const address = stack.plan.urls.sidecarGrpc[sidecar] as string;
      const replica = stack.plan.replicas[sidecar] as string;
      const lines = thanosCheck?.details.filter((d) => d.startsWith("FAIL")) ?? [];
      assert.ok(
        lines.some((l) => l.includes(address) || l.includes(`${R}="${replica}"`)),
        lines.join("\n"),
      );
      console.log(`    ${lines.join("\n    ")}`);
    });
  } finally {
    if (!ok) console.log(`logs kept in ${keepLogs(stack, "stack_test")}`);
    await stack.close();
    rmSync(dir, { recursive: true, force: true });
    console.log(`e2e stack_test.ts: ${seconds(performance.now() - t0)}`);
  }
});
