import { deepEqual as assertEquals } from "node:assert/strict";
import { loadClusterFromSources } from "../model/load.ts";
import type { Cluster } from "../model/merged_cluster.ts";
import {
  clusterFieldFindings,
  crossClusterFindings,
  unexpectedEntries,
  unexpectedRuleTests,
} from "./cluster_folder.ts";

function cluster(name: string, spec: string, extra: Record<string, string> = {}): Cluster {
  const r = loadClusterFromSources(name, {
    "cluster.yaml":
      `apiVersion: monitoring.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: ${name}\n` +
      `spec:\n${spec}`,
    ...extra,
  });
  if (!r.cluster) throw new Error(JSON.stringify(r.findings));
  return r.cluster;
}

Deno.test("unexpectedEntries() names a misspelt CSC file with a did-you-mean", () => {
  assertEquals(
    unexpectedEntries("clusters/a", ["cluster.yaml", "prometheus.yml", "rules-tests/", "notes.md"])
      .map((f) => [f.file, f.message]),
    [[
      "clusters/a/prometheus.yml",
      "unexpected file in a cluster folder; did you mean `prometheus.yaml`? (expected " +
      "cluster.yaml, prometheus.yaml, alertmanager.yaml, grafana.yaml, routes-test.yaml, " +
      "rules-tests, README.md)",
    ]],
  );
});

Deno.test("unexpectedRuleTests() names files promtool would never run", () => {
  assertEquals(unexpectedRuleTests("clusters/a", ["a.yaml", "b.yml", "c.txt"]).map((f) => f.file), [
    "clusters/a/rules-tests/c.txt",
  ]);
});

Deno.test("clusterFieldFindings() warns when rules are evaluated faster than scraped", () => {
  const c = cluster("a", "  scrapeInterval: 1m\n  evaluationInterval: 30s\n");
  assertEquals(clusterFieldFindings(c).map((f) => [f.severity, f.line, f.message]), [[
    "warning",
    7,
    "expected an evaluation interval at least the scrape interval (1m), found 30s: rules " +
    "would be evaluated on the same samples twice",
  ]]);
});

Deno.test("crossClusterFindings() refuses two Argo CD clusters on one destination or host", () => {
  const spec = (host: string) =>
    "  destination:\n    server: https://k.example.com\n  ingress:\n    className: nginx\n" +
    `    grafanaHost: ${host}\n    thanosHost: t-${host}\n` +
    "    thanosAuth:\n      basicAuthSecret: thanos-users\n";
  const found = crossClusterFindings([
    cluster("a", spec("g.example.com")),
    cluster("b", spec("g.example.com")),
  ]);
  assertEquals(found.map((f) => [f.file, f.field]), [
    ["clusters/b/cluster.yaml", "spec.destination"],
    ["clusters/b/cluster.yaml", "spec.ingress.grafanaHost"],
    ["clusters/b/cluster.yaml", "spec.ingress.thanosHost"],
  ]);
  // Flux runs in each cluster: the same in-cluster destination is no conflict.
  assertEquals(
    crossClusterFindings([
      cluster("a", "  reconciler: flux\n"),
      cluster("b", "  reconciler: flux\n"),
    ]),
    [],
  );
});
