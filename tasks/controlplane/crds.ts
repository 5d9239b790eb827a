/**
 * The prometheus-operator CRDs at the pinned operator version: the same files the reconcilers
 * apply before the stack (clusters/argocd/crds.yaml, clusters/flux/sources.yaml) and the schemas
 * are built from, read from the operator's Go module.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type KubeClient, KubeError } from "../kube/client.ts";
import { healthOf } from "../kube/health.ts";
import { loadVersions, type Versions } from "../model/versions.ts";
import { parseManifests } from "../render/kustomize.ts";
import type { K8sObject } from "../render/objects.ts";
import { goModDownload } from "../schemas/gomod.ts";
import { schemaSources } from "../schemas/sources.ts";

export async function operatorCrds(versions: Versions): Promise<K8sObject[]> {
  const source = schemaSources(versions).find((s) => s.name === "prometheus-operator");
  if (!source) throw new Error("no prometheus-operator schema source");
  const { dir } = await goModDownload(source.module, source.version);
  return source.files.flatMap((f) => parseManifests(readFileSync(join(dir, f), "utf8")));
}

/**
 * Creates the CRDs on a new cluster and waits until each is established. A plain create: on a
 * fresh API server, a server-side apply of these large objects costs several times as much (the
 * field manager's bookkeeping over their schemas), and nothing else manages them there.
 */
export async function installCrds(client: KubeClient, timeoutMs = 120_000): Promise<number> {
  const t0 = performance.now();
  const crds = await operatorCrds(loadVersions());
  await Promise.all(crds.map(async (crd) => {
    try {
      await client.create(crd);
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 409)) throw e;
    }
  }));
  const deadline = Date.now() + timeoutMs;
  for (const crd of crds) {
    while (true) {
      const live = await client.get(crd.apiVersion, crd.kind, undefined, crd.metadata.name);
      if (live && healthOf(live).status === "Healthy") break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} is not established`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.forgetDiscovery();
  return performance.now() - t0;
}
