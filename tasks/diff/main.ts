/**
 * `deno task diff [--base <git ref>] [--format text|markdown|github] [cluster…]`: what a change
 * does to each cluster. Renders every cluster at the base revision (default: the merge base of
 * HEAD with main) and in the working tree, and prints per cluster what changes: alerts and rules,
 * settings, Alertmanager, route tests, dashboards, then the manifest diff.
 *
 * Exit codes: 0 it ran (whatever it found), 2 usage or input error, 3 internal error.
 */
import { parseArgs as parseNodeArgs } from "node:util";
import { ROOT } from "../model/paths.ts";
import { diffRepo, type DiffResult, UnknownClusterError } from "./diff.ts";
import { type Format, formatResult, FORMATS, formatSideFinding } from "./format.ts";
import { GitRefError } from "./git.ts";

export const USAGE =
  `usage: deno task diff [--base <git ref>] [--format text|markdown|github] [cluster…]

Renders every cluster (or the named ones) at the base git ref and in the working tree, in
memory, and prints per cluster what changes: alerts and recording rules (with the tuned
parameters), settings (retention, replicas, resources, storage, images, labels, intervals),
Alertmanager routes, receivers and inhibit rules, the route tests that reach other receivers,
dashboards; then the manifest diff. Clusters that do not change are named on one line.

options:
  --base <ref>      git ref to compare with (default: the merge base of HEAD with main,
                    or with origin/main when there is no local main)
  --format <f>      text (default, for terminals), markdown (for a pull request),
                    github (workflow annotations)
  -h, --help        this help

exit codes: 0 compared (whatever changed), 2 usage error or broken input on either side
(file:line:col messages on stderr), 3 internal error`;

export interface CliOptions {
  base?: string;
  format: Format;
  clusters: string[];
  help: boolean;
}

/** Parses the command line; a string is the usage error to print. */
export function parseArgs(args: readonly string[]): CliOptions | string {
  let parsed;
  try {
    parsed = parseNodeArgs({
      args: [...args],
      options: {
        base: { type: "string" },
        format: { type: "string", default: "text" },
        help: { type: "boolean", short: "h", default: false },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    return (e as Error).message;
  }
  const { values, positionals } = parsed;
  const format = values.format as string;
  if (!(FORMATS as readonly string[]).includes(format)) {
    return `--format expects ${FORMATS.join(", ")}, found ${JSON.stringify(format)}`;
  }
  if (values.base !== undefined && values.base.trim() === "") {
    return "--base expects a git ref, found an empty string";
  }
  return {
    ...(values.base !== undefined ? { base: values.base } : {}),
    format: format as Format,
    clusters: positionals,
    help: values.help === true,
  };
}

export interface MainIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const consoleIo: MainIo = { out: (t) => console.log(t), err: (t) => console.error(t) };

/** Runs the task; returns the exit code. */
export async function main(
  args: readonly string[],
  root = ROOT,
  io: MainIo = consoleIo,
  cacheDir?: string | null,
): Promise<number> {
  const opts = parseArgs(args);
  if (typeof opts === "string") {
    io.err(`${opts}\n${USAGE.split("\n")[0]}\n(deno task diff --help says more)`);
    return 2;
  }
  if (opts.help) {
    io.out(USAGE);
    return 0;
  }
  let result: DiffResult;
  try {
    result = await diffRepo(root, {
      ...(opts.base !== undefined ? { base: opts.base } : {}),
      clusters: opts.clusters,
      ...(cacheDir !== undefined ? { cacheDir } : {}),
    });
  } catch (e) {
    if (e instanceof GitRefError || e instanceof UnknownClusterError) {
      io.err(`deno task diff: ${e.message}`);
      return 2;
    }
    io.err(`deno task diff: internal error: ${(e as Error).stack ?? String(e)}`);
    return 3;
  }
  io.out(formatResult(result, opts.format));
  if (result.findings.length > 0) {
    for (const f of result.findings) io.err(formatSideFinding(f, result));
    io.err(`deno task diff: ${result.findings.length} error(s) in the input; fix them above`);
    return 2;
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (e) {
    console.error(`deno task diff: internal error: ${(e as Error).stack ?? String(e)}`);
    Deno.exit(3);
  }
}
