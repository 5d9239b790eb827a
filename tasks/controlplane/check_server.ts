/**
 * An API server to judge renders with (validate's dry-run family): the running local cluster's,
 * when `deno task up` runs, else a throwaway etcd and kube-apiserver with the operator's CRDs,
 * started for the call and gone after it.
 */
import type { KubeClient } from "../kube/client.ts";
import { startScratchControlPlane } from "./scratch.ts";
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
  const cp = await startScratchControlPlane([]);
  try {
    await installCrds(cp.admin);
  } catch (e) {
    await cp.stop();
    throw e;
  }
  return {
    client: cp.admin,
    origin: "a throwaway API server",
    startMs: performance.now() - t0,
    close: () => cp.stop(),
  };
}
