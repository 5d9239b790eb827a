/**
 * An API server to judge renders with (validate's dry-run family): the running local cluster's,
 * when `deno task up` runs, else a throwaway etcd and kube-apiserver with the operator's CRDs,
 * started for the call and gone after it.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KubeClient } from "../kube/client.ts";
import { Supervisor } from "../stack/process.ts";
import { localNetwork, startControlPlane } from "./controlplane.ts";
import { installCrds } from "./crds.ts";
import { adminClient, readState } from "./state.ts";

export interface CheckServer {
  client: KubeClient;
  /** "the running local cluster" or "a throwaway API server". */
  origin: string;
  /** Milliseconds to get it ready (0 when reused). */
  startMs: number;
  close(): Promise<void>;
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
