import assert from "node:assert/strict";
import { PrometheusSpec } from "../model/cluster.ts";
import type { Cluster } from "../model/merged_cluster.ts";
import { prometheusRule, ruleObjects, ruleSetSlug } from "./rules.ts";

const group = { name: "g", rules: [{ alert: "A", expr: "up == 0", labels: { z: "1", a: "2" } }] };

function clusterWith(extra: unknown[]): Cluster {
  return {
    prometheus: PrometheusSpec.parse({ extraRules: { groups: extra } }),
  } as unknown as Cluster;
}

Deno.test("prometheusRule() labels the object for the stack's rule selector", () => {
  const obj = prometheusRule("x-rules", [group]) as { metadata: unknown; spec: unknown };
  assert.deepEqual(obj.metadata, {
    name: "x-rules",
    labels: { "monitoring.dev/stack": "platform" },
    annotations: {
      "argocd.argoproj.io/sync-options": "SkipDryRunOnMissingResource=true",
      "argocd.argoproj.io/sync-wave": "1",
    },
  });
  assert.deepEqual(obj.spec, {
    groups: [{ name: "g", rules: [{ alert: "A", expr: "up == 0", labels: { a: "2", z: "1" } }] }],
  });
});

Deno.test("ruleObjects() puts the defaults by name, then the extra rules", () => {
  const objects = ruleObjects(clusterWith([group]), [
    { name: "node-exporter", groups: [group] },
    { name: "general", groups: [group] },
  ]);
  assert.deepEqual([...objects.keys()], [
    "rules/general.yaml",
    "rules/node-exporter.yaml",
    "rules/extra.yaml",
  ]);
  assert.deepEqual(
    [...ruleObjects(clusterWith([]), []).keys()],
    [],
    "no extra rules, no rules/extra.yaml",
  );
  assert.throws(() => ruleObjects(clusterWith([]), [{ name: "extra", groups: [] }]), {
    message: 'a default rule set may not be named "extra"',
  });
});

Deno.test("ruleSetSlug() makes a file name of a component name", () => {
  assert.equal(ruleSetSlug("node_exporter"), "node-exporter");
  assert.equal(ruleSetSlug("Kubernetes Apps"), "kubernetes-apps");
});
