/**
 * `deno task snapshot --local [--out DIR]` (the running local cluster) or
 * `deno task snapshot --cluster NAME --context K [--out DIR] [--print]`: a TSDB snapshot of each
 * Prometheus replica, copied to DIR/<replica> (default `snapshots/<timestamp>/`) and verified.
 */
import { join, relative } from "node:path";
import { command, exitWith, UsageError } from "../cli/command.ts";
import { OVERLAYS_DIR } from "../model/paths.ts";
import { kustomizeBuild, KustomizeError } from "../render/kustomize.ts";
import { stackFacts, StackFactsError } from "../testqueries/stack_facts.ts";
import { clusterTarget, gitSteps, planText, snapshotCluster } from "./cluster.ts";
import { snapshotLocal } from "./local.ts";
import type { ReplicaSnapshot } from "./replica.ts";

export interface SnapshotArgs {
  local: boolean;
  cluster: string | undefined;
  context: string | undefined;
  out: string | undefined;
  print: boolean;
}

/** The options as parseArgs read them. */
export interface SnapshotOptions {
  local: boolean;
  cluster?: string | undefined;
  context?: string | undefined;
  out?: string | undefined;
  print: boolean;
}

/** The options checked together (the local or the deployed form); a UsageError otherwise. */
export function snapshotArgs(values: SnapshotOptions): SnapshotArgs {
  for (const flag of ["cluster", "context", "out"] as const) {
    if (values[flag] === "") throw new UsageError(`--${flag} needs a value`);
  }
  const out: SnapshotArgs = {
    local: values.local,
    cluster: values.cluster,
    context: values.context,
    out: values.out,
    print: values.print,
  };
  if (out.local) {
    if (out.cluster !== undefined || out.context !== undefined || out.print) {
      throw new UsageError(
        "--local snapshots the running local cluster; --cluster, --context and --print are " +
          "for a deployed one",
      );
    }
  } else if (out.cluster === undefined || out.context === undefined) {
    throw new UsageError("give --local, or --cluster NAME and --context CONTEXT");
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

export const snapshotCommand = command({
  name: "snapshot",
  summary: "A TSDB snapshot of each Prometheus replica, copied to <out>/<replica> and verified " +
    "(promtool tsdb list, and a Prometheus started on the copy answers the replica's series). " +
    "--local: the running local cluster, its admin API turned on through the Prometheus CR for " +
    "the snapshot and off again. --cluster and --context: a deployed cluster through kubectl; " +
    "its admin API is turned on through git, and --print prints the steps and runs nothing.",
  options: {
    local: { type: "boolean", default: false, help: "snapshot the running local cluster" },
    cluster: { type: "string", value: "name", help: "a deployed cluster's folder" },
    context: { type: "string", value: "context", help: "its kubectl context" },
    out: {
      type: "string",
      value: "dir",
      help: "where the snapshots go (default snapshots/<time>/)",
    },
    print: { type: "boolean", default: false, help: "print the kubectl steps, run nothing" },
  },
  findings: "a snapshot failed (the reason on stderr)",
  async run({ values }, io) {
    const args = snapshotArgs(values);
    const out = args.out ?? defaultOutDir(new Date());
    const progress = (line: string) => io.err(`  … ${line}`);
    try {
      if (args.local) {
        const r = await snapshotLocal({ out, onProgress: progress });
        io.out(
          `Snapshots of the local cluster ${r.cluster}:\n` +
            `${formatSnapshots(r.snapshots, Deno.cwd())}\n${r.adminApiOff}`,
        );
        return 0;
      }
      const cluster = args.cluster as string;
      const rendered = stackFacts((await kustomizeBuild(join(OVERLAYS_DIR, cluster))).objects);
      const target = clusterTarget(cluster, args.context as string, rendered);
      if (args.print) {
        io.out(planText(target, out));
        return 0;
      }
      const snapshots = await snapshotCluster(target, out, progress);
      io.out(
        `Snapshots of cluster ${cluster}:\n${formatSnapshots(snapshots, Deno.cwd())}\n` +
          "Turn the admin API off again when you no longer need it:\n" +
          gitSteps(target, false).map((s) => `  - ${s}`).join("\n"),
      );
      return 0;
    } catch (e) {
      if (e instanceof UsageError) throw e;
      // A cluster without a render to read is an input error, like an unknown option.
      if (e instanceof KustomizeError || e instanceof StackFactsError) {
        throw new UsageError(e.message);
      }
      io.err(`error: ${(e as Error).message}`);
      return 1;
    }
  },
});

if (import.meta.main) await exitWith(snapshotCommand);
