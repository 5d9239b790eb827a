/**
 * `deno task up [cluster] [--for DURATION] [--json]`: the local cluster of a cluster folder
 * (default `local`): the real control plane, the node agent running the stack's pods, the render
 * applied as Argo CD does; until Ctrl-C or for DURATION. Prints one table of URLs (loopback
 * forwards) and the kubeconfig once every pod is ready.
 */
import { parseArgs } from "node:util";
import { parseDuration } from "../model/cluster.ts";
import { type LocalCluster, startLocalCluster } from "./local_cluster.ts";

export interface UpArgs {
  cluster: string;
  forMs: number | undefined;
  json: boolean;
}

export const USAGE = "usage: deno task up [cluster] [--for DURATION] [--json]";

/** Parses the command line; throws a one-line message on a mistake. */
export function parseUpArgs(args: readonly string[]): UpArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { for: { type: "string" }, json: { type: "boolean", default: false } },
    });
  } catch (e) {
    const option = /'(--?[^']+)'/.exec((e as Error).message)?.[1];
    throw new Error(
      option && /Unknown option/.test((e as Error).message)
        ? `unknown option ${option}`
        : `--for needs a duration such as 90s or 10m, got nothing`,
    );
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new Error(`one cluster only, got ${positionals[0]} and ${positionals[1]}`);
  }
  let forMs: number | undefined;
  if (values.for !== undefined) {
    forMs = parseDuration(values.for);
    if (!(forMs > 0)) {
      throw new Error(`--for needs a duration such as 90s or 10m, got ${values.for || "nothing"}`);
    }
  }
  return { cluster: positionals[0] ?? "local", forMs, json: values.json };
}

/** The URL table: the UIs and APIs through their loopback forwards, and the kubeconfig. */
export function urlRows(c: Pick<LocalCluster, "urls" | "kubeconfig" | "dir">): [string, string][] {
  return [
    ["Thanos Query UI", `${c.urls.thanosQuery}/graph`],
    ...c.urls.prometheus.map((u, i): [string, string] => [`Prometheus ${i}`, `${u}/targets`]),
    ...c.urls.alertmanagers.map((u, i): [string, string] => [`Alertmanager ${i}`, u]),
    ["Notifications received", `${c.urls.sink}/notifications`],
    ["Cluster", `KUBECONFIG=${c.kubeconfig}`],
    ["Logs and data", c.dir],
  ];
}

export function formatTable(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  let args: UpArgs;
  try {
    args = parseUpArgs(Deno.args);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const done = Promise.withResolvers<number>();
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({
      cluster: args.cluster,
      handleSignals: true,
      onProgress: (line) => console.error(`  … ${line}`),
      ...(args.forMs !== undefined
        ? { lifetimeMs: args.forMs, onLifetimeEnd: () => done.resolve(0) }
        : {}),
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
  const rows = urlRows(cluster);
  const t = cluster.timings;
  if (args.json) {
    console.log(JSON.stringify({
      cluster: cluster.cluster,
      readyMs: Math.round(t.readyMs),
      kubeconfig: cluster.kubeconfig,
      urls: Object.fromEntries(rows),
    }));
  } else {
    const until = args.forMs !== undefined ? `for ${seconds(args.forMs)}` : "until Ctrl-C";
    console.log(
      `Local cluster "${cluster.cluster}" ready in ${seconds(t.readyMs)} (control plane ${
        seconds(t.controlPlaneMs)
      }, sync ${seconds(t.applyMs)}); running ${until}.\n${formatTable(rows)}\n` +
        `Try: KUBECONFIG=${cluster.kubeconfig} kubectl get pods -A\n` +
        "     deno task test-queries --local",
    );
  }
  return await done.promise;
}

if (import.meta.main) Deno.exit(await main());
