/**
 * `deno task validate [cluster…] [--format text|github|json]`: the pull-request gate. Runs every
 * check over every cluster (or the named ones) and the shared base; exits 1 when any error.
 */
import { ROOT } from "../model/paths.ts";
import { type Format, formatGithub, formatJson, formatProgress, formatText } from "./format.ts";
import { UsageError, validateRepo } from "./validate.ts";

const USAGE =
  "usage: deno task validate [cluster…] [--format text|github|json] [--no-cache] [--no-api-server]";

export interface CliOptions {
  clusters: string[];
  format: Format;
  cache: boolean;
  /** Dry-run every render against a real API server (about 10 s more when no render is cached). */
  apiServer: boolean;
}

/** Parses the command line; a string is the usage error to print. */
export function parseArgs(args: readonly string[]): CliOptions | string {
  const out: CliOptions = { clusters: [], format: "text", cache: true, apiServer: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    let value: string | undefined;
    if (a === "--format") value = args[++i];
    else if (a.startsWith("--format=")) value = a.slice("--format=".length);
    else if (a === "--no-cache") {
      out.cache = false;
      continue;
    } else if (a === "--no-api-server") {
      out.apiServer = false;
      continue;
    } else if (a.startsWith("-")) return `unknown option ${a}\n${USAGE}`;
    else {
      out.clusters.push(a);
      continue;
    }
    if (value !== "text" && value !== "github" && value !== "json") {
      return `--format expects text, github or json, found ${value ?? "nothing"}\n${USAGE}`;
    }
    out.format = value;
  }
  return out;
}

/** Runs the task; returns the exit code (0 ok, 1 errors found, 2 bad usage). */
export async function main(args: readonly string[], root = ROOT): Promise<number> {
  const opts = parseArgs(args);
  if (typeof opts === "string") {
    console.error(opts);
    return 2;
  }
  const terminal = Deno.stdout.isTerminal() && opts.format === "text";
  try {
    const { findings, summary } = await validateRepo(root, {
      clusters: opts.clusters,
      ...(opts.cache ? {} : { cacheDir: null }),
      apiServer: opts.apiServer,
      ...(terminal ? { onProgress: (e) => console.log(formatProgress(e)) } : {}),
    });
    const print = { text: formatText, github: formatGithub, json: formatJson }[opts.format];
    console.log(print(findings, summary));
    return summary.errors > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
