/**
 * `deno task up [cluster] [--for DURATION] [--json]`: the local cluster of a cluster folder
 * (default `local`): the real control plane, the node agent running the stack's pods, the render
 * applied as Argo CD does; until Ctrl-C or for DURATION. Prints one table of URLs (loopback
 * forwards) and the kubeconfig once every pod is ready.
 */
import { command, exitWith, UsageError } from "../cli/command.ts";
import { parseDuration } from "../model/units.ts";
import { type LocalCluster, startLocalCluster } from "./local_cluster.ts";

export interface UpArgs {
  cluster: string;
  forMs: number | undefined;
  json: boolean;
}

/** The cluster and the options, checked; a UsageError names what is wrong. */
export function upArgs(
  values: { for?: string | undefined; json: boolean },
  positionals: readonly string[],
): UpArgs {
  let forMs: number | undefined;
  if (values.for !== undefined) {
    forMs = parseDuration(values.for);
    if (!(forMs > 0)) {
      throw new UsageError(
        `--for needs a duration such as 90s or 10m, got ${values.for || "nothing"}`,
      );
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

export const upCommand = command({
  name: "up",
  summary: "Starts the local cluster of a cluster folder (default local): the real control " +
    "plane, the node agent running the stack's pods as processes, the committed render " +
    "applied wave by wave as Argo CD does. Once every pod is Ready it prints the URLs (loopback " +
    "forwards) and the kubeconfig, and runs until Ctrl-C or for --for.",
  options: {
    for: { type: "string", value: "duration", help: "stop after this long (90s, 10m)" },
    json: { type: "boolean", default: false, help: "print the URLs as one JSON object" },
  },
  positionals: { usage: "[cluster]", max: 1 },
  findings: "the local cluster did not start (the reason on stderr)",
  async run({ values, positionals }, io) {
    const args = upArgs(values, positionals);
    const done = Promise.withResolvers<number>();
    let cluster: LocalCluster;
    try {
      cluster = await startLocalCluster({
        cluster: args.cluster,
        handleSignals: true,
        onProgress: (line) => io.err(`  … ${line}`),
        ...(args.forMs !== undefined
          ? { lifetimeMs: args.forMs, onLifetimeEnd: () => done.resolve(0) }
          : {}),
      });
    } catch (e) {
      io.err(`error: ${(e as Error).message}`);
      return 1;
    }
    const rows = urlRows(cluster);
    const t = cluster.timings;
    if (args.json) {
      io.out(JSON.stringify({
        cluster: cluster.cluster,
        readyMs: Math.round(t.readyMs),
        kubeconfig: cluster.kubeconfig,
        urls: Object.fromEntries(rows),
      }));
    } else {
      const until = args.forMs !== undefined ? `for ${seconds(args.forMs)}` : "until Ctrl-C";
      io.out(
        `Local cluster "${cluster.cluster}" ready in ${seconds(t.readyMs)} (control plane ${
          seconds(t.controlPlaneMs)
        }, sync ${seconds(t.applyMs)}); running ${until}.\n${formatTable(rows)}\n` +
          `Try: KUBECONFIG=${cluster.kubeconfig} kubectl get pods -A\n` +
          "     deno task test-queries --local",
      );
    }
    return await done.promise;
  },
});

if (import.meta.main) await exitWith(upCommand);
