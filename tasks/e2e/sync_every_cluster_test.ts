/**
 * Every cluster's render syncs the way Argo CD would sync it, against a real control plane: the
 * operator's CRDs, then the waves in order, each waiting for health. Nothing runs pods here (no
 * node), so a wave never waits for what cannot become healthy: the judge names why for each such
 * object, and the sync completes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startScratchControlPlane } from "../controlplane/scratch.ts";
import { operatorCrds } from "../controlplane/crds.ts";
import { localJudge } from "../controlplane/judge.ts";
import { applyInWaves } from "../kube/apply.ts";
import { NOT_CLUSTERS } from "../model/load.ts";
import { CLUSTERS_DIR, OVERLAYS_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { kustomizeBuild } from "../render/kustomize.ts";

Deno.test("the sync-wave apply of every cluster's render completes, naming what cannot become healthy here", async () => {
  const cp = await startScratchControlPlane(["controller-manager", "scheduler"]);
  try {
    const sync = { fieldManager: "argocd-controller", judge: localJudge(cp.admin) };
    const t0 = performance.now();
    await applyInWaves(cp.admin, await operatorCrds(loadVersions()), sync);
    console.log(`  CRDs synced in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const clusters = [...Deno.readDirSync(CLUSTERS_DIR)]
      .filter((e) => e.isDirectory && !(NOT_CLUSTERS as readonly string[]).includes(e.name))
      .map((e) => e.name).sort();
    assert.ok(clusters.length >= 4, clusters.join());
    for (const cluster of clusters) {
      const t1 = performance.now();
      const { objects } = await kustomizeBuild(join(OVERLAYS_DIR, cluster));
      const reports = await applyInWaves(cp.admin, objects, {
        ...sync,
        judge: localJudge(cp.admin, objects),
        waveTimeoutMs: 60_000,
      });
      const applied = reports.reduce((n, r) => n + r.applied, 0);
      assert.equal(applied, objects.length, cluster);
      const blocked = reports.flatMap((r) => r.notHealthy);
      // Every object that did not end healthy has its reason; none is merely waited out.
      for (const o of blocked) assert.ok(o.blockedBy, `${cluster}: ${o.id} ${o.health.message}`);
      // Without a node nothing runs: the stack's workloads are among them, and nothing else is
      // unhealthy but Ingresses (no ingress controller here).
      assert.ok(blocked.some((o) => o.id.startsWith("Prometheus/")), cluster);
      for (const o of blocked) {
        assert.match(
          o.blockedBy ?? "",
          /^(no Ready node runs pods on this cluster|no ingress controller runs on the local cluster to give it an address)$/,
          `${cluster}: ${o.id}`,
        );
      }
      console.log(
        `  ${cluster}: ${applied} objects in ${reports.length} waves, ${
          ((performance.now() - t1) / 1000).toFixed(1)
        } s; cannot become healthy here: ${
          [...new Set(blocked.map((o) => o.blockedBy))].map((why) =>
            `${blocked.filter((o) => o.blockedBy === why).length} (${why})`
          ).join(", ")
        }`,
      );
    }
  } finally {
    await cp.stop();
  }
});
