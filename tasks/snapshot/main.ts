/**
 * `deno task snapshot --local [--out DIR]` (the running local cluster) or
 * `deno task snapshot --cluster NAME --context K [--out DIR] [--print]`: a TSDB snapshot of each
 * Prometheus replica, copied to DIR/<replica> (default `snapshots/<timestamp>/`) and verified.
 */
import { join, relative } from "node:path";
import { OVERLAYS_DIR } from "../model/paths.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { stackFacts } from "../testqueries/stack_facts.ts";
import { clusterTarget, gitSteps, planText, snapshotCluster } from "./cluster.ts";
import { snapshotLocal } from "./local.ts";
import type { ReplicaSnapshot } from "./replica.ts";

export const USAGE = "usage: deno task snapshot --local [--out DIR]\n" +
  "       deno task snapshot --cluster NAME --context CONTEXT [--out DIR] [--print]";

export interface SnapshotArgs {
  local: boolean;
  cluster: string | undefined;
  context: string | undefined;
  out: string | undefined;
  print: boolean;
}

/** Parses the command line; throws a one-line message on a mistake. */
export function parseSnapshotArgs(args: readonly string[]): SnapshotArgs {
  const out: SnapshotArgs = {
    local: false,
    cluster: undefined,
    context: undefined,
    out: undefined,
    print: false,
  };
  const valued = ["--cluster", "--context", "--out"] as const;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--local") out.local = true;
    else if (a === "--print") out.print = true;
    else {
      const flag = valued.find((f) => a === f || a.startsWith(`${f}=`));
      if (!flag) throw new Error(`unknown argument ${a}`);
      const value = a === flag ? args[++i] : a.slice(flag.length + 1);
      if (value === undefined || value === "" || value.startsWith("--")) {
        throw new Error(`${flag} needs a value`);
      }
      out[flag.slice(2) as "cluster" | "context" | "out"] = value;
    }
  }
  if (out.local) {
    if (out.cluster !== undefined || out.context !== undefined || out.print) {
      throw new Error(
        "--local snapshots the running local cluster; --cluster, --context and --print are " +
          "for a deployed one",
      );
    }
  } else if (out.cluster === undefined || out.context === undefined) {
    throw new Error("give --local, or --cluster NAME and --context CONTEXT");
  }
  return out;
}

/** `snapshots/2025-11-25T04-30-00Z`: one folder per run. */
export function defaultOutDir(now: Date): string {
  return join("snapshots", `${now.toISOString().slice(0, 19).replace(/:/g, "-")}Z`);
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** One line per replica: what was copied where, and how it was verified. */
export function formatSnapshots(snapshots: readonly ReplicaSnapshot[], cwd: string): string {
  return snapshots.map((s) => {
    const series = s.blocks.reduce((n, b) => n + b.series, 0);
    const size = s.blocks.reduce((n, b) => n + b.sizeBytes, 0);
    const rel = relative(cwd, s.dir);
    const where = rel === "" ? "." : rel.startsWith("..") ? s.dir : rel;
    return `  ${s.replica}: snapshot ${s.name} → ${where}\n` +
      `    ${s.blocks.length} block${s.blocks.length === 1 ? "" : "s"}, ${series} series, ` +
      `${mib(size)} (promtool tsdb list); a Prometheus on a copy answers up with the ` +
      `${s.series.length} series the replica answered`;
  }).join("\n");
}

async function main(): Promise<number> {
  let args: SnapshotArgs;
  try {
    args = parseSnapshotArgs(Deno.args);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const out = args.out ?? defaultOutDir(new Date());
  const progress = (line: string) => console.error(`  … ${line}`);
  try {
    if (args.local) {
      const r = await snapshotLocal({ out, onProgress: progress });
      console.log(
        `Snapshots of the local cluster ${r.cluster}:\n` +
          `${formatSnapshots(r.snapshots, Deno.cwd())}\n${r.adminApiOff}`,
      );
      return 0;
    }
    const cluster = args.cluster as string;
    const rendered = stackFacts((await kustomizeBuild(join(OVERLAYS_DIR, cluster))).objects);
    const target = clusterTarget(cluster, args.context as string, rendered);
    if (args.print) {
      console.log(planText(target, out));
      return 0;
    }
    const snapshots = await snapshotCluster(target, out, progress);
    console.log(
      `Snapshots of cluster ${cluster}:\n${formatSnapshots(snapshots, Deno.cwd())}\n` +
        "Turn the admin API off again when you no longer need it:\n" +
        gitSteps(target, false).map((s) => `  - ${s}`).join("\n"),
    );
    return 0;
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
}

if (import.meta.main) Deno.exit(await main());
