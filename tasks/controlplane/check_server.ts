/**
 * An API server to judge renders with (validate's dry-run family): the running local cluster's,
 * when `deno task up` runs, else a throwaway etcd and kube-apiserver with the operator's CRDs,
 * started for the call and gone after it.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadVersions } from "../model/versions.ts";
import { type KubeClient, KubeError } from "../kube/client.ts";
import { healthOf } from "../kube/health.ts";
import { Supervisor } from "../stack/process.ts";
import { localNetwork, startControlPlane } from "./controlplane.ts";
import { operatorCrds } from "./crds.ts";
import { adminClient, readState } from "./state.ts";

export interface CheckServer {
  client: KubeClient;
  /** "the running local cluster" or "a throwaway API server". */
  origin: string;
  /** Milliseconds to get it ready (0 when reused). */
  startMs: number;
  close(): Promise<void>;
}

/** Creates the CRDs (a plain create: cheaper than an apply of these large objects) and waits
 * until each is established. */
async function installCrds(client: KubeClient): Promise<void> {
  const crds = await operatorCrds(loadVersions());
  await Promise.all(crds.map(async (crd) => {
    try {
      await client.create(crd);
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 409)) throw e;
    }
  }));
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    while (true) {
      const live = await client.get(crd.apiVersion, crd.kind, undefined, crd.metadata.name);
      if (live && healthOf(live).status === "Healthy") break;
      if (Date.now() > deadline) throw new Error(`CRD ${crd.metadata.name} is not established`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.forgetDiscovery();
}

export async function openCheckServer(): Promise<CheckServer> {
  const state = readState();
  if (state) {
    const client = adminClient(state);
    return {
      client,
      origin: `the running local cluster (${state.server})`,
      startMs: 0,
      close: () => Promise.resolve(client.close()),
    };
  }
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), "check-apiserver-"));
  mkdirSync(join(dir, "logs"));
  const supervisor = new Supervisor({ logDir: join(dir, "logs") });
  supervisor.addCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const cp = await startControlPlane({
      dir,
      supervisor,
      network: localNetwork(),
      nodeName: "check",
      components: [],
    });
    await installCrds(cp.admin);
    return {
      client: cp.admin,
      origin: "a throwaway API server",
      startMs: performance.now() - t0,
      close: () => supervisor.stopAll(),
    };
  } catch (e) {
    await supervisor.stopAll();
    throw e;
  }
}
