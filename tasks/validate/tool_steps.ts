/**
 * The steps that run tools, over every cluster at once: each item is keyed by the hash of its
 * inputs and the tool's identity, so identical work (the same default rules in every cluster) is
 * done once and unchanged work not at all (a warm run); what is left runs batched, one process
 * per core at most.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileFinding, type Finding } from "../model/finding.ts";
import { toolPath } from "../model/paths.ts";
import type { Render } from "../render/kustomize.ts";
import type { K8sObject } from "../render/objects.ts";
import { parseTestOutput } from "../rules/promtool.ts";
import { hashOf, type ResultCache } from "./cache.ts";
import { type KubeconformError, kubeconformErrorsOfRenders } from "./kubeconform.ts";
import type { Pool } from "./pool.ts";
import { amtoolRoute, checkConfigFailures, parseCheckConfig, type RouteCase } from "./routing.ts";
import { balance, promtoolCheckBatch, promtoolTestBatch, ruleCheckFindings } from "./rules.ts";
import { run } from "../proc/run.ts";

type Exec = (
  cmd: string,
  args: string[],
) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface ToolEnv {
  cache: ResultCache;
  pool: Pool;
  /** A temporary folder for the files tools read. */
  tmp: string;
  /** Identity of each tool binary (size and mtime), part of every key. */
  ids: Record<string, string>;
  kubernetesVersion: string;
  schemaDir?: string;
}

function exec(env: ToolEnv): Exec {
  return (cmd, args) => env.pool.run(() => run(cmd, args));
}

/** Writes `text` to `<tmp>/<kind>/<hash>/<name>` and returns the path. */
async function stage(env: ToolEnv, kind: string, key: string, name: string, text: string) {
  const dir = join(env.tmp, kind, key.slice(0, 16));
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

// ---------------------------------------------------------------------------------------------
// promtool check rules

export interface RuleFileInput {
  text: string;
  locate: (rule: string | undefined) => { file: string; line: number; column: number };
}

type Problems = Array<{ rule?: string; message: string }>;

export async function checkRuleFiles(
  env: ToolEnv,
  files: readonly RuleFileInput[],
): Promise<Finding[][]> {
  const problems = await env.cache.many<RuleFileInput, Problems>(
    "promtool-check",
    files,
    (f) => hashOf(env.ids.promtool ?? "", f.text),
    async (missing) => {
      const paths = await Promise.all(
        missing.map((f) => stage(env, "check", hashOf(f.text), "rules.yaml", f.text)),
      );
      const groups = balance(paths.map((p, i) => ({ p, i })), env.pool.size, () => 1);
      const results = await Promise.all(
        groups.map((g) => promtoolCheckBatch(toolPath("promtool"), g.map((x) => x.p), exec(env))),
      );
      const merged = new Map(results.flatMap((m) => [...m]));
      return paths.map((p) => merged.get(p) ?? []);
    },
  );
  return files.map((f, i) => ruleCheckFindings(problems[i] ?? [], f.locate));
}

// ---------------------------------------------------------------------------------------------
// promtool test rules

export interface RuleTestInput {
  /** The test file in the repository (for findings). */
  file: string;
  text: string;
  /** The rule files its `rule_files` load, by file name. */
  rules: ReadonlyMap<string, string>;
}

export async function runRuleTests(
  env: ToolEnv,
  tests: readonly RuleTestInput[],
): Promise<Finding[][]> {
  const keyOf = (t: RuleTestInput) =>
    hashOf(env.ids.promtool ?? "", t.text, ...[...t.rules].flat());
  const failures = await env.cache.many<RuleTestInput, string | null>(
    "promtool-test",
    tests,
    keyOf,
    async (missing) => {
      const staged = await Promise.all(missing.map(async (t) => {
        const key = keyOf(t);
        for (const [name, text] of t.rules) await stage(env, "test", key, name, text);
        return { path: await stage(env, "test", key, "test.yaml", t.text), weight: t.text.length };
      }));
      // Split across the cores, by size (a proxy of how long the tests run).
      const groups = balance(staged, env.pool.size, (s) => s.weight);
      const results = await Promise.all(
        groups.map((g) => promtoolTestBatch(toolPath("promtool"), g.map((s) => s.path), exec(env))),
      );
      const merged = new Map(results.flatMap((m) => [...m]));
      return staged.map((s) => merged.get(s.path) ?? null);
    },
  );
  return tests.map((t, i) => {
    const failure = failures[i];
    if (failure === null || failure === undefined) return [];
    const found = parseTestOutput(`  FAILED:\n${failure}\n`, t.text, t.file);
    return found.length > 0 ? found : [
      fileFinding(t.file, `expected the rule unit tests to pass, found: ${failure}`, "promtool"),
    ];
  });
}

// ---------------------------------------------------------------------------------------------
// amtool check-config and route tests

export interface AmConfigInput {
  text: string;
  /** Where a failure is reported: by default `report`; `locate` may place it by its text. */
  report: { file: string; line: number; column: number };
  locate?: (failure: string) => { file: string; line: number; column: number } | null;
}

export async function checkAmConfigs(
  env: ToolEnv,
  configs: readonly AmConfigInput[],
): Promise<Finding[][]> {
  const failures = await env.cache.many<AmConfigInput, string | null>(
    // Named for what is kept: amtool's whole reason, over several lines.
    "amtool-check-config",
    configs,
    (c) => hashOf(env.ids.amtool ?? "", c.text),
    async (missing) => {
      const paths = await Promise.all(
        missing.map((c) => stage(env, "am", hashOf(c.text), "alertmanager.yaml", c.text)),
      );
      const r = await exec(env)(toolPath("amtool"), ["check-config", ...paths]);
      const failures = checkConfigFailures(`${r.stdout}\n${r.stderr}`);
      if (r.code !== 0 && failures.size === 0) {
        throw new Error(`amtool check-config exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
      }
      return paths.map((p) => failures.get(p) ?? null);
    },
  );
  return configs.map((c, i) => {
    const failure = failures[i];
    if (failure === null || failure === undefined) return [];
    const report = c.locate?.(failure) ?? c.report;
    return parseCheckConfig(`Checking 'x'  FAILED: ${failure}\n\n`, [{ path: "x", report }]);
  });
}

export interface RouteCaseInput {
  /** The routes-test.yaml in the repository. */
  file: string;
  config: string;
  c: RouteCase;
}

/** Alert labels routed through an Alertmanager configuration. */
export interface RouteQuery {
  config: string;
  labels: Readonly<Record<string, string>>;
}

/**
 * The receivers amtool routes each query's labels to, cached by configuration and labels: the
 * one runner of `amtool config routes test`, for validate's route tests and for diff.
 */
export async function routeReceivers(
  env: ToolEnv,
  queries: readonly RouteQuery[],
): Promise<Array<{ receivers: string[]; error?: string }>> {
  const keyOf = (x: RouteQuery) =>
    hashOf(env.ids.amtool ?? "", x.config, JSON.stringify(Object.entries(x.labels).sort()));
  return await env.cache.many<RouteQuery, { receivers: string[]; error?: string }>(
    "amtool-route",
    queries,
    keyOf,
    async (missing) =>
      await Promise.all(missing.map(async (x) => {
        const path = await stage(env, "route", hashOf(x.config), "alertmanager.yaml", x.config);
        return await env.pool.run(() => amtoolRoute(path, { ...x.labels }));
      })),
  );
}

/** Each case run with amtool (cached by configuration and labels); a finding when it differs. */
export async function runRouteCases(
  env: ToolEnv,
  cases: readonly RouteCaseInput[],
): Promise<Finding[][]> {
  const routed = await routeReceivers(
    env,
    cases.map((x) => ({ config: x.config, labels: x.c.labels })),
  );
  return cases.map((x, i) => {
    const got = routed[i] ?? { receivers: [] };
    const base = {
      severity: "error" as const,
      file: x.file,
      line: x.c.line,
      column: x.c.column,
      field: `cases[${x.c.name}]`,
      check: "amtool-routes",
    };
    if (got.error) return [{ ...base, message: `case "${x.c.name}": amtool failed: ${got.error}` }];
    const want = [...x.c.receivers].sort().join(",");
    if ([...got.receivers].sort().join(",") === want) return [];
    return [{
      ...base,
      message: `case "${x.c.name}": expected labels {${
        Object.entries(x.c.labels).map(([k, v]) => `${k}=${v}`).join(", ")
      }} to reach ${x.c.receivers.join(", ")}, found ${got.receivers.join(", ") || "no receiver"}`,
    }];
  });
}

// ---------------------------------------------------------------------------------------------
// kubeconform

/** An error of a render, with its object by index (objects do not survive the cache). */
interface StoredError {
  index: number;
  resource: string;
  field: string;
  message: string;
}

/**
 * kubeconform over every render: the renders not cached are split into at most one process per
 * core, each of which compiles the schemas once for its renders; every error comes back with
 * its own render and object (see kubeconformErrorsOfRenders).
 */
export async function kubeconformRenders(
  env: ToolEnv,
  renders: readonly Render[],
): Promise<Array<Array<KubeconformError & { object?: K8sObject }>>> {
  const stored = await env.cache.many<Render, StoredError[]>(
    // Named for how errors are told to objects (one file per object): results of the former
    // stream-per-group runs, which could name another render's object, are not read back.
    "kubeconform-per-object",
    renders,
    (r) => hashOf(env.ids.kubeconform ?? "", env.ids.schemas ?? "", r.yaml),
    async (missing) => {
      const groups = balance(
        missing.map((r, i) => ({ r, i })),
        env.pool.size,
        (x) => x.r.yaml.length,
      );
      const out: StoredError[][] = missing.map(() => []);
      await Promise.all(groups.map(async (g) => {
        const errors = await env.pool.run(() =>
          kubeconformErrorsOfRenders(g.map((x) => x.r), {
            kubernetesVersion: env.kubernetesVersion,
            ...(env.schemaDir ? { schemaDir: env.schemaDir } : {}),
          })
        );
        g.forEach((x, k) => {
          out[x.i] = (errors[k] ?? []).map((e) => ({
            index: e.index ?? -1,
            resource: e.resource,
            field: e.field,
            message: e.message,
          }));
        });
      }));
      return out;
    },
  );
  return renders.map((r, i) =>
    (stored[i] ?? []).map((e) => {
      const object = e.index >= 0 ? r.objects[e.index] : undefined;
      return {
        resource: e.resource,
        field: e.field,
        message: e.message,
        ...(object ? { object } : {}),
      };
    })
  );
}
