import assert from "node:assert/strict";
import { startScratchControlPlane } from "../controlplane/scratch.ts";
import { localJudge } from "../controlplane/judge.ts";
import type { Deployment, K8sObject } from "../render/objects.ts";
import { applyInWaves, syncWaves } from "./apply.ts";

const obj = (kind: string, name: string, wave?: string, apiVersion = "v1"): K8sObject => ({
  apiVersion,
  kind,
  metadata: {
    name,
    namespace: "demo",
    ...(wave !== undefined ? { annotations: { "argocd.argoproj.io/sync-wave": wave } } : {}),
  },
});

Deno.test("syncWaves() orders waves, then Argo CD's kind order, then names", () => {
  const waves = syncWaves([
    obj("Deployment", "b"),
    obj("Prometheus", "k8s", "1", "monitoring.coreos.com/v1"),
    obj("ConfigMap", "z"),
    obj("Namespace", "demo", "-1"),
    obj("ServiceAccount", "a"),
    obj("Deployment", "a"),
  ]);
  assert.deepEqual(
    waves.map(([w, objs]) => [w, objs.map((o) => `${o.kind}/${o.metadata.name}`)]),
    [
      [-1, ["Namespace/demo"]],
      [0, ["ServiceAccount/a", "ConfigMap/z", "Deployment/a", "Deployment/b"]],
      [1, ["Prometheus/k8s"]],
    ],
  );
});

Deno.test("applyInWaves() applies wave by wave on a real API server, reporting what cannot become healthy here", async () => {
  const cp = await startScratchControlPlane([]);
  try {
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "demo" } };
    const deployment: Deployment = {
      ...obj("Deployment", "web", "0", "apps/v1"),
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "example/web:1" }] },
        },
      },
    };
    const config = { ...obj("ConfigMap", "after", "1"), data: { a: "b" } };
    const lines: string[] = [];
    const reports = await applyInWaves(cp.admin, [ns, deployment, config], {
      fieldManager: "test",
      judge: localJudge(cp.admin),
      onProgress: (l) => lines.push(l),
    });
    assert.deepEqual(reports.map((r) => [r.wave, r.applied]), [[0, 2], [1, 1]]);
    assert.deepEqual(reports[0]?.notHealthy.map((o) => [o.id, o.blockedBy]), [[
      "Deployment/demo/web",
      "no Ready node runs pods on this cluster",
    ]]);
    const live = await cp.admin.get("v1", "ConfigMap", "demo", "after");
    assert.deepEqual(live?.data, { a: "b" });
    assert.ok(lines.some((l) => /^wave 1: healthy/.test(l)), lines.join("\n"));
  } finally {
    await cp.stop();
  }
});
