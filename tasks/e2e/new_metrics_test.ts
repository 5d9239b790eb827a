/**
 * Scraping a new application's metrics, the way docs/operations.md says: the objects of
 * examples/workload-servicemonitor.yaml (namespace `shop`, a Deployment, its Service, and the
 * ServiceMonitor labelled `monitoring.dev/stack: platform`) applied to the local cluster, with the
 * application's image swapped for one the local cluster runs (the pinned node-exporter, serving
 * its metrics on the example's port). The operator turns the ServiceMonitor into scrape
 * configuration, both Prometheus replicas find the pods through Kubernetes service discovery, and
 * Thanos Query returns each target once.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OVERLAYS_DIR, ROOT } from "../model/paths.ts";
import { imageRef, loadVersions } from "../model/versions.ts";
import { kustomizeBuild, parseManifests } from "../render/kustomize.ts";
import { isKind, type K8sObject, objectsOf } from "../render/objects.ts";
import { startLocalCluster } from "../stack/local_cluster.ts";
import { fetchHttp, ThanosQuery } from "../testqueries/client.ts";
import { type ScrapeTarget, scrapeTargets } from "../testqueries/scrape_targets.ts";
import { stackFacts } from "../testqueries/stack_facts.ts";
import { keepLogs, seconds, thanosOf, waitFor } from "./helpers.ts";

const EXAMPLE = "examples/workload-servicemonitor.yaml";
const MONITOR = "ServiceMonitor/shop/checkout";

/** The scrape targets the Prometheus CR of `objects` gets from the example's ServiceMonitor. */
function exampleTargets(objects: readonly K8sObject[]): ScrapeTarget[] {
  const prometheus = objectsOf(objects, "Prometheus")[0];
  assert.ok(prometheus, "the render has a Prometheus");
  return scrapeTargets(objects, prometheus).filter((t) => t.monitor === MONITOR);
}

/** The example with its application's image replaced by the pinned node-exporter. */
function runnableExample(example: readonly K8sObject[]): K8sObject[] {
  const versions = loadVersions();
  return example.map((o) => {
    if (!isKind(o, "Deployment")) return o;
    const spec = structuredClone(o.spec);
    const c = spec.template.spec.containers[0];
    const port = c?.ports?.find((p) => p.name === "http")?.containerPort;
    if (!c || port === undefined) throw new Error(`${EXAMPLE}: no container port named http`);
    c.image = imageRef(versions, "node-exporter");
    c.args = [`--web.listen-address=:${port}`, "--collector.disable-defaults"];
    return { ...o, spec };
  });
}

Deno.test("the example ServiceMonitor is selected only through its label", async () => {
  const render = (await kustomizeBuild(join(OVERLAYS_DIR, "local"))).objects;
  const example = parseManifests(readFileSync(join(ROOT, EXAMPLE), "utf8"));
  const targets = exampleTargets([...render, ...example]);
  assert.deepEqual(
    targets.map((t) => [t.job, t.service, t.endpoint, t.path, t.pods.workload, t.pods.replicas]),
    [["checkout", "checkout", "http", "/metrics", "Deployment/checkout", 2]],
  );
  const unlabelled = example.map((o) =>
    o.kind === "ServiceMonitor" ? { ...o, metadata: { ...o.metadata, labels: {} } } : o
  );
  assert.deepEqual(exampleTargets([...render, ...unlabelled]), []);
});

Deno.test("both replicas scrape a new application in a new namespace, Thanos Query returns it once", async () => {
  const t0 = performance.now();
  const render = (await kustomizeBuild(join(OVERLAYS_DIR, "local"))).objects;
  const facts = stackFacts(render);
  const R = facts.prometheus.replicaLabel;
  const app = runnableExample(parseManifests(readFileSync(join(ROOT, EXAMPLE), "utf8")));
  const cluster = await startLocalCluster({ cluster: "local", lifetimeMs: 900_000 });
  let ok = false;
  try {
    for (const o of app) await cluster.admin.apply(o, { fieldManager: "e2e" });
    const pods = await waitFor("the application's 2 pods Ready", 120_000, async () => {
      const list = await cluster.admin.list("v1", "Pod", { namespace: "shop" });
      const ready = list.items.filter((p) =>
        (p.status?.conditions ?? []).some((c: { type: string; status: string }) =>
          c.type === "Ready" && c.status === "True"
        )
      );
      return ready.length === 2 ? ready.map((p) => p.metadata.name as string).sort() : undefined;
    });
    const selector = `up{namespace="shop",service="checkout"}`;
    const thanos = thanosOf(cluster);

    // dedup=false: one series per replica and pod, each with its replica label.
    const raw = await waitFor(`four series of ${selector} (dedup=false)`, 180_000, async () => {
      const r = await thanos.query(selector, { dedup: false });
      return r.result.length === 4 ? r.result : undefined;
    });
    console.log(`scraped by both replicas ${seconds(performance.now() - t0)} after the start`);
    for (const replica of facts.prometheus.replicaNames) {
      const mine = raw.filter((s) => s.metric[R] === replica);
      assert.deepEqual(mine.map((s) => s.metric.pod).sort(), pods, replica);
      for (const s of mine) {
        assert.equal(s.value[1], "1");
        assert.equal(s.metric.job, "checkout");
        assert.equal(s.metric.endpoint, "http");
      }
    }

    // Each replica scrapes the targets itself: its own API says up == 1 for both pods.
    for (const url of cluster.urls.prometheus) {
      const up = await new ThanosQuery(fetchHttp(10_000), url).query(
        `up{job="checkout",namespace="shop"}`,
        { dedup: false },
      );
      assert.deepEqual(up.result.map((s) => s.value[1]), ["1", "1"], url);
    }

    // dedup=true: one series per pod, without the replica label.
    const merged = await thanos.query(selector, { dedup: true });
    assert.deepEqual(merged.warnings, []);
    assert.deepEqual(merged.result.map((s) => s.metric.pod).sort(), pods);
    for (const s of merged.result) assert.equal(s.metric[R], undefined);
    ok = true;
  } finally {
    if (!ok) console.error(`logs kept in ${keepLogs(cluster, "new-metrics")}`);
    await cluster.close();
    console.log(`e2e new_metrics_test.ts: ${seconds(performance.now() - t0)}`);
  }
});
