/**
 * The running local cluster, as `deno task up` describes it for other tasks (validate's dry-run
 * reuses its API server; `logs` and the tests find its pods): where its API server is and the
 * administrator's credentials. Written when the cluster is up, removed when it stops.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError } from "../cli/command.ts";
import { CACHE_DIR } from "../model/paths.ts";
import { KubeClient } from "../kube/client.ts";

export interface ClusterState {
  cluster: string;
  /** The process of `deno task up`; the state is stale once it is gone. */
  pid: number;
  server: string;
  kubeconfig: string;
  /** PEM files of the administrator. */
  ca: string;
  cert: string;
  key: string;
  /** The run's folder (logs, data). */
  dir: string;
  /** Forwards on 127.0.0.1 to the stack's UIs and APIs. */
  urls: { thanosQuery: string; prometheus: string[]; alertmanagers: string[]; sink: string };
}

export const STATE_FILE = join(CACHE_DIR, "cluster", "state.json");

export function writeState(state: ClusterState, path = STATE_FILE): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
}

export function removeState(path = STATE_FILE): void {
  rmSync(path, { force: true });
}

/** Whether a process of that pid exists (a signal that does nothing is sent to find out). */
export function alive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

/** The running cluster's state, or undefined when none runs (a stale file is ignored). */
export function readState(path = STATE_FILE): ClusterState | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const state = JSON.parse(readFileSync(path, "utf8")) as ClusterState;
    return alive(state.pid) && existsSync(state.cert) ? state : undefined;
  } catch {
    return undefined;
  }
}

/** The running cluster's state, or the input error that says how to start one (exit 2). */
export function runningLocalCluster(path = STATE_FILE): ClusterState {
  const state = readState(path);
  if (!state) throw new UsageError("no local cluster is running; start one with `deno task up`");
  return state;
}

/** An administrator's client of the running cluster. */
export function adminClient(state: ClusterState): KubeClient {
  return KubeClient.fromFiles(state.server, state.ca, state.cert, state.key);
}
