/**
 * Scraping a new application's metrics, the way docs/operations.md says: the ServiceMonitor of
 * examples/workload-servicemonitor.yaml (namespace `shop`, label `monitoring.dev/stack: platform`)
 * is resolved against the render like the operator would (`scrapeTargets()`), turned into a
 * scrape job of the local replicas' configuration (`prometheusConfig()`), and served by a small
 * HTTP server standing for the application's pod. Both replicas scrape it, and Thanos Query
 * returns it once.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { OVERLAYS_DIR, ROOT } from "../model/paths.ts";
import { type K8sObject, kustomizeBuild, parseManifests } from "../render/kustomize.ts";
import { type LocalTarget, prometheusConfig } from "../stack/config.ts";
import { type ScrapeTarget, scrapeTargets } from "../stack/jobs.ts";
import { freePort, hostPort } from "../stack/ports.ts";
import { type Stack, startStack } from "../stack/up.ts";
import { fetchHttp, ThanosQuery } from "../testqueries/client.ts";
import { keepLogs, thanosOf, waitFor } from "./helpers.ts";

const EXAMPLE = "examples/workload-servicemonitor.yaml";
const METRIC = "checkout_orders_in_flight";

/** The application: one gauge on /metrics, as its pod would serve it. */
function serveGauge(port: number): Deno.HttpServer {
  return Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (req) => {
    if (new URL(req.url).pathname !== "/metrics") return new Response("not found", { status: 404 });
    return new Response(
      `# HELP ${METRIC} Orders being processed.\n# TYPE ${METRIC} gauge\n${METRIC} 3\n`,
      { headers: { "content-type": "text/plain; version=0.0.4" } },
    );
  });
}

/** The scrape targets the Prometheus CR of `objects` gets from the example's ServiceMonitor. */
function exampleTargets(objects: readonly K8sObject[]): ScrapeTarget[] {
  const prometheus = objects.find((o) => o.kind === "Prometheus");
  assert.ok(prometheus, "the render has a Prometheus");
  return scrapeTargets(objects, prometheus).filter((t) => t.serviceMonitor === "shop/checkout");
}

/** A target as the local stack lists it: the operator's labels, the local server's address. */
function localTarget(t: ScrapeTarget, port: number): LocalTarget {
  return {
    job: t.job,
    instance: hostPort(port),
    labels: {
      namespace: t.pods.namespace,
      pod: `${t.pods.name}-local`,
      service: t.service,
      endpoint: t.endpoint,
    },
    path: t.path,
  };
}

/** Rewrites each replica's configuration with `extra` targets and makes it reload. */
function addTargets(stack: Stack, extra: readonly LocalTarget[]): void {
  const replicas = stack.plan.processes.filter((p) => p.binary === "prometheus");
  const alertmanagerWeb = stack.plan.urls.alertmanagers.map((u) => Number(new URL(u).port));
  replicas.forEach((p, i) => {
    const file = stack.plan.files.find((f) =>
      f.path.endsWith(join(`prometheus-${i}`, "prometheus.yaml"))
    );
    assert.ok(file, `no configuration file for ${p.name}`);
    const text = prometheusConfig(
      stack.rendered,
      stack.plan.replicas[i] as string,
      stack.plan.rulesDir,
      { alertmanagerWeb },
      [...stack.plan.targets, ...extra],
    );
    writeFileSync(file.path, text);
    stack.supervisor.signal(p.name, "SIGHUP");
  });
}

Deno.test("the example ServiceMonitor is selected only through its label", async () => {
  const render = (await kustomizeBuild(join(OVERLAYS_DIR, "local"))).objects;
  const example = parseManifests(readFileSync(join(ROOT, EXAMPLE), "utf8"));
  const targets = exampleTargets([...render, ...example]);
  assert.deepEqual(
    targets.map((
      t,
    ) => [t.job, t.service, t.endpoint, t.path, t.pods.workload, t.containerPort.port]),
    [["checkout", "checkout", "http", "/metrics", "Deployment/checkout", 8080]],
  );
  const unlabelled = example.map((o) =>
    o.kind === "ServiceMonitor" ? { ...o, metadata: { ...o.metadata, labels: {} } } : o
  );
  assert.deepEqual(exampleTargets([...render, ...unlabelled]), []);
});

Deno.test("both replicas scrape a new application and Thanos Query returns it once", async () => {
  const render = (await kustomizeBuild(join(OVERLAYS_DIR, "local"))).objects;
  const objects = [...render, ...parseManifests(readFileSync(join(ROOT, EXAMPLE), "utf8"))];
  const port = freePort();
  const app = serveGauge(port);
  const stack = await startStack({ cluster: "local", objects, lifetimeMs: 300_000 });
  let ok = false;
  try {
    const targets = exampleTargets(objects).map((t) => localTarget(t, port));
    addTargets(stack, targets);
    const R = stack.plan.replicaLabel;
    const selector = `${METRIC}{namespace="shop",service="checkout"}`;
    const thanos = thanosOf(stack);

    // dedup=false: one series per replica, each with its replica label.
    const raw = await waitFor(`two series of ${selector} (dedup=false)`, 60_000, async () => {
      const r = await thanos.query(selector, { dedup: false });
      return r.result.length === 2 ? r.result : undefined;
    });
    assert.deepEqual(raw.map((s) => s.metric[R]).sort(), [...stack.plan.replicas].sort());
    for (const s of raw) {
      assert.equal(s.value[1], "3");
      assert.equal(s.metric.job, "checkout");
      assert.equal(s.metric.pod, "checkout-local");
      assert.equal(s.metric.endpoint, "http");
    }

    // Each replica scrapes the target itself: its own API says up == 1.
    for (const url of stack.plan.urls.prometheus) {
      const up = await new ThanosQuery(fetchHttp(10_000), url).query(
        `up{job="checkout",namespace="shop"}`,
        { dedup: false },
      );
      assert.deepEqual(up.result.map((s) => s.value[1]), ["1"], url);
    }

    // dedup=true: one series, without the replica label.
    const merged = await thanos.query(selector, { dedup: true });
    assert.equal(merged.result.length, 1);
    assert.equal(merged.result[0]?.metric[R], undefined);
    assert.equal(merged.result[0]?.value[1], "3");
    assert.deepEqual(merged.warnings, []);
    ok = true;
  } finally {
    if (!ok) console.error(`logs kept in ${keepLogs(stack, "new-metrics")}`);
    await stack.close();
    await app.shutdown();
  }
});
