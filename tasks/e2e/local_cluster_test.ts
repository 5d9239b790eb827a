/**
 * The local cluster through Kubernetes: the real control plane, the node agent running every pod
 * of the `local` cluster's render as processes, kube-proxy and CoreDNS. The operator reconciles
 * the stack; Thanos Query finds both sidecars through real cluster DNS; everything is gone after.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { startLocalCluster } from "../stack/local_cluster.ts";
import { fetchHttp, type InstantSample, ThanosQuery } from "../testqueries/client.ts";
import { waitFor } from "./helpers.ts";

Deno.test("the local cluster runs the stack through Kubernetes and leaves nothing behind", async (t) => {
  const cluster = await startLocalCluster({ cluster: "local", lifetimeMs: 900_000 });
  const timings = cluster.timings;
  console.log(
    `control plane ${(timings.controlPlaneMs / 1000).toFixed(1)} s, apply ${
      (timings.applyMs / 1000).toFixed(1)
    } s, every pod ready ${(timings.readyMs / 1000).toFixed(1)} s`,
  );
  const kubectl = (...args: string[]) =>
    run(toolPath("kubectl"), ["--kubeconfig", cluster.kubeconfig, ...args]);
  const dir = cluster.dir;
  try {
    await t.step("kubectl get --raw /readyz says ok", async () => {
      assert.equal((await kubectl("get", "--raw", "/readyz")).stdout.trim(), "ok");
    });

    await t.step("every pod runs and is ready, Grafana waits as ImageNotRunnable", async () => {
      const pods = await cluster.admin.list("v1", "Pod");
      const byName = (p: { metadata: { namespace?: string; name: string } }) =>
        `${p.metadata.namespace}/${p.metadata.name}`;
      for (const p of pods.items) {
        const waiting = p.status?.containerStatuses?.[0]?.state?.waiting;
        if (p.metadata.name.startsWith("grafana-")) {
          assert.equal(waiting?.reason, "ImageNotRunnable", byName(p));
          continue;
        }
        const ready = p.status?.conditions?.find((c: { type: string }) => c.type === "Ready");
        assert.equal(p.status?.phase, "Running", byName(p));
        assert.equal(ready?.status, "True", byName(p));
      }
      const names = pods.items.map((p) => p.metadata.name);
      for (
        const prefix of [
          "prometheus-k8s-0",
          "prometheus-k8s-1",
          "alertmanager-main-0",
          "coredns-",
          "node-exporter-",
          "kube-state-metrics-",
          "prometheus-operator-",
          "thanos-query-",
        ]
      ) {
        assert.ok(names.some((n) => n.startsWith(prefix)), `a pod ${prefix}…`);
      }
    });

    await t.step("the operator made the StatefulSets and the generated configuration", async () => {
      for (const name of ["prometheus-k8s", "alertmanager-main"]) {
        assert.ok(await cluster.admin.get("apps/v1", "StatefulSet", "monitoring", name), name);
      }
      const config = await cluster.admin.get("v1", "Secret", "monitoring", "prometheus-k8s");
      assert.ok(config?.data?.["prometheus.yaml.gz"], "the operator's prometheus.yaml.gz");
      const got = await kubectl(
        "-n",
        "monitoring",
        "get",
        "prometheus,alertmanager",
        "-o",
        'jsonpath={range .items[*]}{.kind} {.status.conditions[?(@.type=="Reconciled")].status}{"\\n"}{end}',
      );
      assert.deepEqual(got.stdout.trim().split("\n").sort(), [
        "Alertmanager True",
        "Prometheus True",
      ]);
    });

    await t.step(
      "Thanos Query finds both sidecars through cluster DNS and deduplicates",
      async () => {
        const thanos = new ThanosQuery(fetchHttp(10_000), cluster.urls.thanosQuery);
        const replicas = await waitFor("both replicas in Thanos Query", 120_000, async () => {
          const r = await thanos.query<InstantSample>("count by (prometheus_replica) (up)", {
            dedup: false,
          });
          return r.result.length === 2 ? r.result : undefined;
        });
        assert.deepEqual(
          replicas.map((s) => s.metric.prometheus_replica).sort(),
          ["prometheus-k8s-0", "prometheus-k8s-1"],
        );
        const dedup = await thanos.query<InstantSample>("count by (prometheus_replica) (up)", {
          dedup: true,
        });
        assert.equal(dedup.result.length, 1);
      },
    );
  } finally {
    await cluster.close();
  }
  const netns = await run("ip", ["netns", "list"]);
  assert.doesNotMatch(netns.stdout, /hamon/);
  assert.equal((await run("ip", ["link", "show", "hamon0"])).code !== 0, true);
  assert.equal(existsSync(dir), false);
});
