/**
 * `deno task up [cluster] [--for DURATION] [--json]`: the local HA stack of a cluster (default
 * `local`) until Ctrl-C or for DURATION; prints one table of URLs once every process is ready.
 */
import { parseDuration } from "../model/cluster.ts";
import { defaultStateFile, seconds, type Stack, startStack } from "./up.ts";

export interface UpArgs {
  cluster: string;
  forMs: number | undefined;
  json: boolean;
}

export const USAGE = "usage: deno task up [cluster] [--for DURATION] [--json]";

/** Parses the command line; throws a one-line message on a mistake. */
export function parseUpArgs(args: readonly string[]): UpArgs {
  const out: UpArgs = { cluster: "local", forMs: undefined, json: false };
  let cluster: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--json") out.json = true;
    else if (a === "--for" || a.startsWith("--for=")) {
      const value = a === "--for" ? args[++i] : a.slice("--for=".length);
      const ms = value === undefined ? NaN : parseDuration(value);
      if (!(ms > 0)) {
        throw new Error(`--for needs a duration such as 90s or 10m, got ${value ?? "nothing"}`);
      }
      out.forMs = ms;
    } else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else if (cluster !== undefined) throw new Error(`one cluster only, got ${cluster} and ${a}`);
    else cluster = a;
  }
  if (cluster !== undefined) out.cluster = cluster;
  return out;
}

/** The URL table, Thanos Query's UI first. */
export function urlRows(stack: Pick<Stack, "plan" | "rendered">): [string, string][] {
  const { urls, replicas } = stack.plan;
  return [
    ["Thanos Query UI", `${urls.thanosQuery}/graph`],
    ...urls.prometheus.map((u, i): [string, string] => [
      `Prometheus ${replicas[i]} (API only)`,
      `${u}/api/v1/targets`,
    ]),
    ...urls.sidecars.map((u, i): [string, string] => [`Thanos sidecar ${i}`, `${u}/metrics`]),
    ...urls.alertmanagers.map((u, i): [string, string] => [`Alertmanager ${i}`, u]),
    ["node-exporter", `${urls.nodeExporter}/metrics`],
    ["Notifications received", `${urls.sink}/notifications`],
    ["Logs and data", stack.plan.dir],
  ];
}

export function formatTable(rows: readonly [string, string][]): string {
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join("\n");
}

async function main(): Promise<number> {
  let args: UpArgs;
  try {
    args = parseUpArgs(Deno.args);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const log = (line: string) => console.error(`  … ${line}`);
  let stack: Stack;
  const done = Promise.withResolvers<number>();
  try {
    stack = await startStack({
      cluster: args.cluster,
      handleSignals: true,
      onProgress: log,
      stateFile: defaultStateFile(args.cluster),
      ...(args.forMs !== undefined
        ? { lifetimeMs: args.forMs, onLifetimeEnd: () => done.resolve(0) }
        : {}),
      onUnexpectedExit: (name, code) =>
        console.error(`warning: ${name} exited with code ${code}; see its log in the logs folder`),
    });
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 1;
  }
  const rows = urlRows(stack);
  if (args.json) {
    console.log(
      JSON.stringify({
        cluster: stack.cluster,
        readyMs: Math.round(stack.readyMs),
        urls: Object.fromEntries(rows),
      }),
    );
  } else {
    const until = args.forMs !== undefined ? `for ${seconds(args.forMs)}` : "until Ctrl-C";
    console.log(
      `Local HA stack of cluster "${stack.cluster}" ready in ${
        seconds(stack.readyMs)
      }; running ${until}.\n${formatTable(rows)}\nTry: deno task test-queries --local`,
    );
  }
  return await done.promise;
}

if (import.meta.main) Deno.exit(await main());
