import assert from "node:assert/strict";
import type { K8sObject, Prometheus } from "../render/objects.ts";
import { compareCluster, type RenderedCluster } from "./cluster_report.ts";

function prometheus(retention: string): Prometheus {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: { name: "k8s", namespace: "monitoring" },
    spec: { replicas: 2, retention },
  };
}

function side(objects: K8sObject[]): RenderedCluster {
  return { objects, ruleParams: {}, paramUsers: new Map() };
}

Deno.test("compareCluster() puts settings in the summary and the object in the manifest diff", () => {
  const r = compareCluster("production", side([prometheus("30d")]), side([prometheus("60d")]));
  assert.equal(r.status, "changed");
  assert.deepEqual(r.sections, [{
    title: "Settings",
    changes: [{ op: "~", subject: "Prometheus `k8s`: retention time", from: "30d", to: "60d" }],
  }]);
  assert.deepEqual(r.objects, [{ op: "~", id: "Prometheus monitoring/k8s", added: 1, removed: 1 }]);
  assert.ok(r.manifest.includes("-  retention: 30d") && r.manifest.includes("+  retention: 60d"));
});

Deno.test("compareCluster() finds equal renders unchanged", () => {
  const r = compareCluster("edge", side([prometheus("15d")]), side([prometheus("15d")]));
  assert.deepEqual(r, {
    name: "edge",
    status: "unchanged",
    sections: [],
    objects: [],
    manifest: [],
  });
});

Deno.test("compareCluster() sums up a new cluster with its settings and a removed one in a sentence", () => {
  const added = compareCluster("lab", undefined, side([prometheus("1d")]));
  assert.equal(added.status, "added");
  assert.equal(added.note, "new cluster: 1 object, 0 alerts, 0 recording rules, 0 dashboards");
  assert.ok(
    added.sections[0]?.changes.some((c) =>
      c.op === "+" && c.subject === "Prometheus `k8s`: retention time" && c.to === "1d"
    ),
  );
  const removed = compareCluster("old", side([prometheus("1d")]), undefined);
  assert.equal(removed.status, "removed");
  assert.equal(
    removed.note,
    "cluster removed: its 1 object, 0 alerts, 0 recording rules, 0 dashboards are no longer rendered",
  );
  assert.deepEqual(removed.sections, []);
});
