/**
 * `deno task bench controlplane`: the real control plane's cost. Start to ready (etcd and the API
 * server; then with the controller manager and scheduler), the operator's CRDs synced, the
 * sync-wave apply of `overlays/local` (no node: workloads are judged unable to run), and the PR
 * gate's extra cost: the API server's dry-run of each cluster's render, per cluster.
 */
import { command } from "../cli/command.ts";
import { join } from "node:path";
import { startScratchControlPlane } from "../controlplane/scratch.ts";
import { installCrds, operatorCrds } from "../controlplane/crds.ts";
import { localJudge } from "../controlplane/judge.ts";
import { applyInWaves } from "../kube/apply.ts";
import { NOT_CLUSTERS } from "../model/load.ts";
import { CLUSTERS_DIR, OVERLAYS_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { dryRun } from "../validate/dry_run.ts";

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export const benchCommand = command({
  name: "bench controlplane",
  summary: "The real control plane's cost: start to ready, the operator's CRDs, the sync-wave " +
    "apply of overlays/local, and the API server's dry-run of each cluster's render.",
  options: {},
  run: async () => {
    await bench();
    return 0;
  },
});

async function bench(): Promise<void> {
  const cp = await startScratchControlPlane(["controller-manager", "scheduler"]);
  try {
    console.log(`etcd + kube-apiserver start to /readyz ok: ${s(cp.readyMs)}`);
    const t0 = performance.now();
    const crds = await operatorCrds(loadVersions());
    const judge = localJudge(cp.admin);
    await applyInWaves(cp.admin, crds, { fieldManager: "argocd-controller", judge });
    console.log(
      `operator CRDs (${crds.length}) by server-side apply, established: ${
        s(performance.now() - t0)
      }`,
    );
    await Promise.all(
      crds.map((c) => cp.admin.delete(c.apiVersion, c.kind, undefined, c.metadata.name)),
    );
    while (
      (await cp.admin.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")).items.length
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    console.log(`the same by create (the local cluster's way): ${s(await installCrds(cp.admin))}`);
    await applyInWaves(cp.admin, crds, { fieldManager: "argocd-controller", judge });
    const t1 = performance.now();
    const { objects } = await kustomizeBuild(join(OVERLAYS_DIR, "local"));
    await applyInWaves(cp.admin, objects, { fieldManager: "argocd-controller", judge });
    console.log(
      `sync-wave apply of overlays/local (${objects.length} objects, no node): ${
        s(performance.now() - t1)
      }`,
    );
    const clusters = [...Deno.readDirSync(CLUSTERS_DIR)]
      .filter((e) => e.isDirectory && !(NOT_CLUSTERS as readonly string[]).includes(e.name))
      .map((e) => e.name).sort();
    console.log("the gate's dry-run per cluster (server running, CRDs installed):");
    for (const cluster of clusters) {
      const { objects } = await kustomizeBuild(join(OVERLAYS_DIR, cluster));
      const t = performance.now();
      const rejected = await dryRun(cp.admin, [{ cluster, objects }]);
      console.log(
        `  ${cluster.padEnd(12)} ${objects.length} objects  ${
          s(performance.now() - t)
        }  ${rejected.length} rejected`,
      );
    }
  } finally {
    await cp.stop();
  }
}
