/**
 * `deno task test-queries`: the seed's test plan against a stack, through Thanos Query.
 *
 *   deno task test-queries --local [--format text|json]
 *   deno task test-queries --url URL --alertmanager URL --cluster NAME [--format text|json]
 *
 * With --expressions, only the check of every alert, rule and dashboard expression runs (and
 * --alertmanager may be left out): each one that returns no series is listed with why.
 *
 * Exits 0 when every check passes, 1 when one fails, 2 on a usage error.
 */
import { join } from "node:path";
import { type ClusterState, readState } from "../controlplane/state.ts";
import { OVERLAYS_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import type { K8sObject } from "../render/objects.ts";
import { AlertmanagerApi, fetchHttp, type Http, SinkApi, ThanosQuery } from "./client.ts";
import type { Check } from "./check.ts";
import { checkExpressions } from "./check_expressions.ts";
import { CHECKS, runChecks } from "./checks.ts";
import { loadExpectedEmpty } from "./expected_empty.ts";
import { formatJson, formatText, type Report } from "./report.ts";
import { clusterTarget, localTarget, type TestTarget } from "./target.ts";

export const USAGE = "usage: deno task test-queries [--local | --url URL " +
  "--alertmanager URL --cluster NAME] [--expressions] [--format text|json]";

export interface TestQueriesArgs {
  local: boolean;
  url: string | undefined;
  alertmanager: string | undefined;
  cluster: string | undefined;
  format: "text" | "json";
  /** Only check 5: every expression, and why each empty one is empty. */
  expressions: boolean;
}

export function parseTestQueriesArgs(args: readonly string[]): TestQueriesArgs {
  const out: TestQueriesArgs = {
    local: false,
    url: undefined,
    alertmanager: undefined,
    cluster: undefined,
    format: "text",
    expressions: false,
  };
  const valued = ["--url", "--alertmanager", "--cluster", "--format"];
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === "--local") {
      out.local = true;
      continue;
    }
    if (a === "--expressions") {
      out.expressions = true;
      continue;
    }
    const [flag, inline] = a.includes("=") ? a.split(/=(.*)/s) as [string, string] : [a, undefined];
    if (!valued.includes(flag)) throw new Error(`unknown argument ${a}`);
    const value = inline ?? args[++i];
    if (value === undefined || value === "") throw new Error(`${flag} needs a value`);
    if (flag === "--format") {
      if (value !== "text" && value !== "json") {
        throw new Error(`--format is text or json, got ${value}`);
      }
      out.format = value;
    } else if (flag === "--url") out.url = value.replace(/\/+$/, "");
    else if (flag === "--alertmanager") out.alertmanager = value.replace(/\/+$/, "");
    else out.cluster = value;
  }
  if (out.local && (out.url || out.alertmanager || out.cluster)) {
    throw new Error(
      "--local tests the running local cluster; --url, --alertmanager and --cluster are for " +
        "a deployed one",
    );
  }
  if (!out.local && !(out.url && (out.alertmanager || out.expressions) && out.cluster)) {
    throw new Error("give --local, or all of --url, --alertmanager and --cluster");
  }
  return out;
}

/** The running local cluster's state, or a one-line error saying how to start one. */
export function runningLocalCluster(): ClusterState {
  const state = readState();
  if (!state) throw new Error("no local cluster is running; start one with `deno task up`");
  return state;
}

/** Runs the checks against a target and times them. */
export async function runTestQueries(
  target: TestTarget,
  http: Http = fetchHttp(),
  only: readonly Check[] = CHECKS,
): Promise<Report> {
  const t0 = performance.now();
  const checks = await runChecks({
    target,
    thanos: new ThanosQuery(http, target.urls.thanosQuery),
    alertmanagers: target.urls.alertmanagers.map((u) => new AlertmanagerApi(http, u)),
    sink: target.urls.sink ? new SinkApi(http, target.urls.sink) : undefined,
  }, only);
  return {
    cluster: target.cluster,
    mode: target.mode,
    thanosQuery: target.urls.thanosQuery,
    ok: checks.every((c) => c.ok),
    durationMs: performance.now() - t0,
    checks,
  };
}

/** The target of the running local cluster: its state, and the render of its cluster. */
export async function localTargetOf(
  state: Pick<ClusterState, "cluster" | "urls">,
  objects?: K8sObject[],
): Promise<TestTarget> {
  const render = objects ?? (await kustomizeBuild(join(OVERLAYS_DIR, state.cluster))).objects;
  return localTarget(render, loadVersions(), state, loadExpectedEmpty());
}

async function main(): Promise<number> {
  let args: TestQueriesArgs;
  try {
    args = parseTestQueriesArgs(Deno.args);
  } catch (e) {
    console.error(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  let target: TestTarget;
  try {
    if (args.local) {
      target = await localTargetOf(runningLocalCluster());
    } else {
      const cluster = args.cluster as string;
      const render = await kustomizeBuild(join(OVERLAYS_DIR, cluster));
      target = clusterTarget(render.objects, {
        cluster,
        thanosQueryUrl: args.url as string,
        alertmanagerUrl: args.alertmanager,
        expectedEmpty: loadExpectedEmpty(),
      });
    }
  } catch (e) {
    console.error(`error: ${(e as Error).message}`);
    return 2;
  }
  const report = await runTestQueries(
    target,
    fetchHttp(),
    args.expressions ? [checkExpressions] : CHECKS,
  );
  console.log(args.format === "json" ? formatJson(report) : formatText(report));
  return report.ok ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main());
