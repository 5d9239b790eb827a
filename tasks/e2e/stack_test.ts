/**
 * The stack on the local cluster, through Kubernetes: deduplication fills the gap of a Prometheus
 * replica whose pod is deleted (the StatefulSet makes it again) and of one whose process is killed
 * (the node agent restarts it), test-queries passes, an Alertmanager peer frozen still lets a new
 * alert be notified exactly once, and a frozen sidecar makes test-queries fail and name it. One
 * local cluster for the whole file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseDuration } from "../model/cluster.ts";
import { OVERLAYS_DIR } from "../model/paths.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { objectsOf, type Pod, type Prometheus, type PrometheusRule } from "../render/objects.ts";
import { startLocalCluster } from "../stack/local_cluster.ts";
import type { RangeSeries } from "../testqueries/client.ts";
import type { Report } from "../testqueries/report.ts";
import { routesFor } from "../testqueries/routes.ts";
import { stackFacts } from "../testqueries/stack_facts.ts";
import {
  failures,
  keepLogs,
  kubectl,
  longestGap,
  nodeExporterJob,
  seconds,
  sleep,
  testQueries,
  testQueriesCli,
  thanosOf,
  timestamps,
  waitFor,
} from "./helpers.ts";

/** Alertmanager's default `--cluster.peer-timeout`, when the CR does not set one. */
const DEFAULT_PEER_TIMEOUT = "15s";

Deno.test("the local cluster survives a replica, a peer and a sidecar going down", async (t) => {
  const t0 = performance.now();
  const objects = (await kustomizeBuild(join(OVERLAYS_DIR, "local"))).objects;
  const facts = stackFacts(objects);
  const cluster = await startLocalCluster({ cluster: "local", objects, lifetimeMs: 1_800_000 });
  console.log(`every pod ready in ${seconds(cluster.timings.readyMs)}`);
  const thanos = thanosOf(cluster);
  const interval = parseDuration(facts.prometheus.scrapeInterval);
  const R = facts.prometheus.replicaLabel;
  const ns = facts.namespace;
  const prometheusCr = objectsOf(objects, "Prometheus")[0] as Prometheus;
  const nodeJob = nodeExporterJob(objects);
  const pod = async (name: string) => {
    const p = await cluster.admin.get("v1", "Pod", ns, name);
    assert.ok(p, `pod ${ns}/${name}`);
    return p;
  };
  const ready = (p: Pod) =>
    (p.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  let ok = true;
  const step = async (name: string, fn: () => Promise<void>) => {
    const s0 = performance.now();
    ok = await t.step(name, fn) && ok;
    console.log(`  ${name}: ${seconds(performance.now() - s0)}`);
  };

  /**
   * Takes down the replica deduplication follows (`down` returns once it is back and Ready),
   * then compares the longest gap of its own series with that of the deduplicated series.
   */
  const gapTest = async (how: string, down: (replica: string) => Promise<void>) => {
    const selector = `up{job="${nodeJob}"}`;
    const recent = `${selector}[${(6 * interval) / 1000}s]`;
    // Enough history on both replicas to see which one deduplication follows.
    let seen = "no answer yet";
    const [raw, dedup] = await waitFor("three samples from each replica", 120_000, async () => {
      const raw = await thanos.query<RangeSeries>(recent, { dedup: false });
      const dedup = await thanos.query<RangeSeries>(recent, { dedup: true });
      seen = `${raw.result.map((s) => `${s.metric[R]}: ${s.values.length}`).join(", ") || "none"}` +
        ` (dedup: ${dedup.result.length} series; warnings: ${raw.warnings.join("; ") || "none"})`;
      const enough = raw.result.length === 2 && raw.result.every((s) => s.values.length >= 3);
      return enough && dedup.result.length === 1 ? [raw, dedup] as const : undefined;
    }).catch((e) => {
      throw new Error(`${e.message}; last seen: ${seen}`);
    });
    const last = timestamps(dedup.result[0] as RangeSeries).at(-1);
    const followed = raw.result.find((s) => timestamps(s).includes(last as number))?.metric[R] ??
      facts.prometheus.replicaNames[0] as string;
    const own = `${selector.slice(0, -1)}, ${R}="${followed}"}`;

    const stoppedAt = Date.now();
    await down(followed);
    const restartedAt = Date.now();
    // Until the replica is back in Thanos Query and has scraped again, which ends its gap.
    await waitFor(`a scrape by the restarted ${followed}`, 180_000, async () => {
      const r = await thanos.query<RangeSeries>(`${own}[${(4 * interval) / 1000}s]`, {
        dedup: false,
      });
      const last = timestamps(r.result[0] ?? { metric: {}, values: [] }).at(-1) ?? 0;
      return last > restartedAt ? true : undefined;
    }, interval / 2);
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
      `    ${followed} (the replica deduplication followed) ${how}, back and Ready after ${
        seconds(restartedAt - stoppedAt)
      }: longest gap ${ownGap} ms in its own series, ${mergedGap} ms deduplicated (interval ${interval} ms)`,
    );
    // Scrapes of a loaded machine start a little late: a tenth of an interval of slack.
    const slack = interval / 10;
    assert.ok(
      ownGap > 2 * interval + slack,
      `own series' longest gap ${ownGap} ms: the replica missed no two scrapes in a row`,
    );
    assert.ok(
      mergedGap <= 3 * interval + slack,
      `deduplicated series' longest gap ${mergedGap} ms > 3 intervals`,
    );
    assert.ok(mergedGap < ownGap, `deduplication did not fill the gap of ${ownGap} ms`);
  };

  try {
    await step("deduplication leaves no gap when a Prometheus pod is deleted", async () => {
      await gapTest("deleted with kubectl delete pod", async (replica) => {
        const before = (await pod(replica)).metadata.uid;
        const r = await kubectl(cluster, "--namespace", ns, "delete", "pod", replica);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`pod "${replica}" deleted`));
        // The StatefulSet makes the pod again, under the same name.
        await waitFor(`${replica} made again and Ready`, 180_000, async () => {
          const p = await cluster.admin.get("v1", "Pod", ns, replica);
          return p && p.metadata.uid !== before && ready(p) ? true : undefined;
        });
      });
    });

    await step("deduplication leaves no gap when a Prometheus process is killed", async () => {
      await gapTest("killed (SIGKILL)", async (replica) => {
        const restarts = (p: Pod) =>
          p.status?.containerStatuses?.find((c) => c.name === "prometheus")?.restartCount ?? 0;
        const before = restarts(await pod(replica));
        const pid = await cluster.signal(ns, replica, "prometheus", "SIGKILL");
        console.log(`    killed pid ${pid}, the prometheus container of ${replica}`);
        // The node agent restarts it, as restartPolicy Always says, after its back-off.
        await waitFor(`${replica}'s prometheus restarted and Ready`, 180_000, async () => {
          const p = await pod(replica);
          return restarts(p) > before && ready(p) ? true : undefined;
        });
      });
    });

    await step("test-queries --local passes", async () => {
      let last: Report | undefined;
      await waitFor("every check to pass", 180_000, async () => {
        last = await testQueries(cluster, objects);
        return last.ok ? true : undefined;
      }, 2_000).catch((e) => {
        throw new Error(`${e.message}\n${last ? failures(last).join("\n") : ""}`);
      });
      const cli = await testQueriesCli();
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
      const peers = (await cluster.admin.list("v1", "Pod", {
        namespace: ns,
        labelSelector: "app.kubernetes.io/name=alertmanager",
      })).items;
      const positions = await Promise.all(peers.map(async (p) => {
        const text = await (await fetch(`http://${p.status?.podIP}:9093/metrics`)).text();
        return Number(/^alertmanager_peer_position (\d+)/m.exec(text)?.[1]);
      }));
      // The peer in position 0 notifies first; the others only if it has not, a timeout later.
      const first = peers[positions.indexOf(0)]?.metadata.name;
      assert.ok(first, `no peer in position 0: ${positions.join(", ")}`);
      const pid = await cluster.signal(ns, first, "alertmanager", "SIGSTOP");
      console.log(`    froze ${first} (pid ${pid}), the peer in position 0`);
      const alertname = "E2eAlertmanagerPeerDown";
      const labels = { severity: "none" };
      const rule: PrometheusRule = {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: {
          name: "e2e-peer-down",
          namespace: ns,
          // The label the Prometheus CR selects rules by, as any team would set it.
          labels: prometheusCr.spec.ruleSelector?.matchLabels ?? {},
        },
        spec: {
          groups: [{ name: "e2e", rules: [{ alert: alertname, expr: "vector(1)", labels }] }],
        },
      };
      try {
        await cluster.admin.apply(rule, { fieldManager: "e2e" });
        const alertLabels = { alertname, ...labels, ...facts.prometheus.externalLabels };
        const [route] = routesFor(facts.alertmanager.config.route, alertLabels);
        const mine = () =>
          cluster.sink.notifications().filter((n) =>
            n.payload.alerts.some((a) => a.labels.alertname === alertname)
          );
        // The operator writes the rule into the rules ConfigMap, the agent updates the volume,
        // the config reloader makes Prometheus reload; then evaluation, group_wait, peer timeout.
        const firstAt = await waitFor(
          `${alertname} at the sink`,
          240_000,
          () => Promise.resolve(mine()[0]?.receivedAt),
        );
        // A second peer that did not see the first notification would send one timeout later.
        const peerTimeout = parseDuration(facts.alertmanager.peerTimeout ?? DEFAULT_PEER_TIMEOUT);
        await sleep(Math.max(0, firstAt + peerTimeout + 3_000 - Date.now()));
        const got = mine();
        assert.equal(got.length, 1, `notifications: ${JSON.stringify(got)}`);
        assert.equal(got[0]?.receiver, route?.receiver);
        assert.equal(got[0]?.payload.alerts.length, 1);
        assert.equal(R in (got[0]?.payload.alerts[0]?.labels ?? {}), false);
        const firing = await thanos.query(`ALERTS{alertname="${alertname}"}`, { dedup: false });
        assert.equal(firing.result.length, facts.prometheus.replicas, "every replica fires it");
      } finally {
        await cluster.signal(ns, first, "alertmanager", "SIGCONT");
        await cluster.admin.delete(rule.apiVersion, rule.kind, ns, rule.metadata.name);
      }
    });

    await step("with a sidecar down test-queries fails and names the missing store", async () => {
      const replica = facts.prometheus.replicaNames.at(-1) as string;
      const address = `${(await pod(replica)).status?.podIP}:10901`;
      const pid = await cluster.signal(ns, replica, "thanos-sidecar", "SIGSTOP");
      console.log(`    froze the thanos-sidecar of ${replica} (pid ${pid}), store ${address}`);
      try {
        // Thanos Query marks the store unhealthy once its health check times out.
        await waitFor(`Thanos Query to mark ${address} unhealthy`, 120_000, async () => {
          const stores = await thanos.stores();
          const mine = (stores.sidecar ?? []).find((s) => s.name === address);
          return mine === undefined || mine.lastError ? true : undefined;
        }, 1_000);
        const cli = await testQueriesCli();
        assert.equal(cli.code, 1);
        const thanosCheck = cli.report.checks.find((c) => c.id === "thanos-query");
        assert.equal(thanosCheck?.ok, false);
        const lines = thanosCheck?.details.filter((d) => d.startsWith("FAIL")) ?? [];
        assert.ok(
          lines.some((l) => l.includes(address) || l.includes(`${R}="${replica}"`)),
          lines.join("\n"),
        );
        console.log(`    ${lines.join("\n    ")}`);
      } finally {
        await cluster.signal(ns, replica, "thanos-sidecar", "SIGCONT");
      }
    });
  } finally {
    if (!ok) console.log(`logs kept in ${keepLogs(cluster, "stack_test")}`);
    await cluster.close();
    console.log(`e2e stack_test.ts: ${seconds(performance.now() - t0)}`);
  }
});
