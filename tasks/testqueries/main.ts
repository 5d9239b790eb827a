/**
 * `deno task test-queries`: the seed's test plan against a stack, through Thanos Query.
 *
 *   deno task test-queries --local [--format text|json]
 *   deno task test-queries --url URL --alertmanager URL --cluster NAME [--format text|json]
 *
 * With --expressions, only the check of every alert, rule and dashboard expression runs (and
 * --alertmanager may be left out): each one that returns no series is listed with why.
 *
 * Exits 0 when every check passes, 1 when one fails, 2 on a usage or input error, 3 on a bug.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { command, exitWith, UsageError } from "../cli/command.ts";
import { type ClusterState, runningLocalCluster } from "../controlplane/state.ts";
import { OVERLAYS_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { kustomizeBuild, KustomizeError } from "../render/kustomize.ts";
import type { K8sObject } from "../render/objects.ts";
import { AlertmanagerApi, fetchHttp, type Http, SinkApi, ThanosQuery } from "./client.ts";
import type { Check } from "./check.ts";
import { checkExpressions } from "./check_expressions.ts";
import { CHECKS, runChecks } from "./checks.ts";
import { loadExpectedEmpty } from "./expected_empty.ts";
import { formatJson, formatText, type Report } from "./report.ts";
import { StackFactsError } from "./stack_facts.ts";
import { clusterTarget, localTarget, type TestTarget } from "./target.ts";

export interface TestQueriesArgs {
  local: boolean;
  url: string | undefined;
  alertmanager: string | undefined;
  cluster: string | undefined;
  format: "text" | "json";
  /** Only check 5: every expression, and why each empty one is empty. */
  expressions: boolean;
}

/** The options as parseArgs read them. */
export interface TestQueriesOptions {
  local: boolean;
  url?: string | undefined;
  alertmanager?: string | undefined;
  cluster?: string | undefined;
  format: string;
  expressions: boolean;
}

/** The options checked together (the local or the deployed form); a UsageError otherwise. */
export function testQueriesArgs(values: TestQueriesOptions): TestQueriesArgs {
  for (const flag of ["url", "alertmanager", "cluster"] as const) {
    if (values[flag] === "") throw new UsageError(`--${flag} needs a value`);
  }
  if (values.format !== "text" && values.format !== "json") {
    throw new UsageError(`--format is text or json, got ${values.format}`);
  }
  const out: TestQueriesArgs = {
    local: values.local,
    url: values.url?.replace(/\/+$/, ""),
    alertmanager: values.alertmanager?.replace(/\/+$/, ""),
    cluster: values.cluster,
    format: values.format,
    expressions: values.expressions,
  };
  if (out.local && (out.url || out.alertmanager || out.cluster)) {
    throw new UsageError(
      "--local tests the running local cluster; --url, --alertmanager and --cluster are for " +
        "a deployed one",
    );
  }
  if (!out.local && !(out.url && (out.alertmanager || out.expressions) && out.cluster)) {
    throw new UsageError("give --local, or all of --url, --alertmanager and --cluster");
  }
  return out;
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

/** The target of a deployed cluster: its committed overlay's render and the given URLs. */
async function deployedTarget(args: TestQueriesArgs): Promise<TestTarget> {
  const cluster = args.cluster as string;
  const dir = join(OVERLAYS_DIR, cluster);
  if (!existsSync(dir)) {
    throw new UsageError(`no overlay ${dir}; run \`deno task generate ${cluster}\` first`);
  }
  const render = await kustomizeBuild(dir);
  return clusterTarget(render.objects, {
    cluster,
    thanosQueryUrl: args.url as string,
    alertmanagerUrl: args.alertmanager,
    expectedEmpty: loadExpectedEmpty(),
  });
}

/** The target to test; a render kustomize refuses or that lacks a part is an input error. */
async function targetOf(args: TestQueriesArgs): Promise<TestTarget> {
  try {
    return args.local ? await localTargetOf(runningLocalCluster()) : await deployedTarget(args);
  } catch (e) {
    if (e instanceof KustomizeError || e instanceof StackFactsError) {
      throw new UsageError(e.message);
    }
    throw e;
  }
}

export const testQueriesCommand = command({
  name: "test-queries",
  summary: "Runs the test plan against the running local cluster (--local) or a deployed one " +
    "(--url, --alertmanager, --cluster): targets up in every replica, deduplication, the " +
    "replicas' external labels, alerts delivered, every alert, rule and dashboard expression " +
    "answering, and the rest of the plan; prints each check with what it asked.",
  options: {
    local: { type: "boolean", default: false, help: "test the running local cluster" },
    url: { type: "string", value: "url", help: "Thanos Query of a deployed cluster" },
    alertmanager: { type: "string", value: "url", help: "its Alertmanager" },
    cluster: {
      type: "string",
      value: "name",
      help: "its cluster folder (clusters/<name>/), whose committed render says what to expect",
    },
    expressions: {
      type: "boolean",
      default: false,
      help: "only check that every alert, rule and dashboard expression returns series, and " +
        "say why each empty one is empty (needs no --alertmanager)",
    },
    format: { type: "string", default: "text", value: "text|json", help: "the report's format" },
  },
  findings: "a check failed",
  async run({ values }, io) {
    const args = testQueriesArgs(values);
    const target = await targetOf(args);
    const report = await runTestQueries(
      target,
      fetchHttp(),
      args.expressions ? [checkExpressions] : CHECKS,
    );
    io.out(args.format === "json" ? formatJson(report) : formatText(report));
    return report.ok ? 0 : 1;
  },
});

if (import.meta.main) await exitWith(testQueriesCommand);
