/**
 * `validateRepo()`: every check of every family over the clusters of a repository and its shared
 * base, collecting every finding. Each overlay is rendered once (cached by the hash of its
 * inputs) and shared by all checks; tool processes are batched (one promtool check and one
 * promtool test over all clusters, one amtool check-config over all configurations) and run at
 * most `concurrency` at a time.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../cli/command.ts";
import { DATASOURCES } from "../dashboards/grafana.ts";
import { ClusterSpec, PrometheusSpec } from "../model/cluster.ts";
import type { Cluster } from "../model/merged_cluster.ts";
import { parseDuration } from "../model/units.ts";
import { fileFinding, type Finding } from "../model/finding.ts";
import { loadClusterFromSources } from "../model/load.ts";
import { SCHEMA_CACHE_DIR } from "../model/paths.ts";
import { ruleParamValues } from "../model/rule_params.ts";
import { parseVersions, type Versions } from "../model/versions.ts";
import type { Render } from "../render/kustomize.ts";
import { loadOverlayInputs, type OverlayInputs, renderOverlay } from "../generate/overlay.ts";
import { ruleSetSlug } from "../generate/rules.ts";
import { renderRuleSets, ruleFileText, TEMPLATE_SUFFIX } from "../rules/templates.ts";
import { folderIdentity, hashOf, ResultCache } from "./cache.ts";
import {
  clusterFieldFindings,
  crossClusterFindings,
  unexpectedEntries,
  unexpectedRuleTests,
} from "./cluster_folder.ts";
import { iniCredentialFindings, yamlCredentialFindings } from "../model/credentials.ts";
import { type DashboardFile, lintDashboards } from "./dashboards.ts";
import { scrapeIntervalFindings } from "./dashboard_intervals.ts";
import { docsFreshness } from "../docs/generate.ts";
import { orphanOverlays, overlayFreshness } from "./freshness.ts";
import { KUBERNETES_VERSION } from "./kubeconform.ts";
import { dedupe, type Family, type Reported, summarize, type Summary } from "./summary.ts";
import { kubeconformFindings } from "./kubeconform_findings.ts";
import { locateObjectFindings, objectFinding } from "./object_finding.ts";
import { openCheckServer } from "../controlplane/check_server.ts";
import { dryRun, type Rejection } from "./dry_run.ts";
import { policyFindings } from "./policies.ts";
import { haContextOf } from "./policies_ha.ts";
import { Pool } from "./pool.ts";
import { hashFiles, renderOverlayDir, toolIdentity } from "./render_cache.ts";
import { clusterFolders, entriesOf, readRepoFiles, under } from "./repo.ts";
import { amtoolFailureAt, clusterRouting, type RouteCase } from "./routing.ts";
import { ClusterValues } from "./cluster_values.ts";
import { generatedLineSource } from "./generated_lines.ts";
import { RuleIndex } from "./rule_index.ts";
import { clusterRules } from "./rules.ts";
import { SourceIndex } from "./source_index.ts";
import {
  checkAmConfigs,
  checkRuleFiles,
  kubeconformRenders,
  type RuleFileInput,
  type RuleTestInput,
  runRouteCases,
  runRuleTests,
  type ToolEnv,
} from "./tool_steps.ts";

/** The uids of the provisioned datasources (base/grafana/datasources.yaml). */
const DATASOURCE_UIDS: readonly string[] = Object.values(DATASOURCES);
/** A cluster's scrape interval when cluster.yaml sets none: what every dashboard must hold. */
const DEFAULT_SCRAPE_MS = parseDuration(ClusterSpec.parse({}).scrapeInterval);

export interface ValidateResult {
  findings: Reported[];
  summary: Summary;
}

export interface ProgressEvent {
  cluster: string;
  done: number;
  total: number;
  errors: number;
}

export interface ValidateOptions {
  /** Cluster names to validate; default every cluster. */
  clusters?: readonly string[];
  /** Where renders are cached; null disables the cache. Default `<root>/.cache/validate`. */
  cacheDir?: string | null;
  /** Tool processes at once (default: the machine's cores). */
  concurrency?: number;
  onProgress?: (e: ProgressEvent) => void;
  /** kubeconform's schema folder (default `.cache/schemas` of this checkout). */
  schemaDir?: string;
  /**
   * Dry-runs every render against a real kube-apiserver (default true): the running local
   * cluster's, or one started for the run. False skips the family.
   */
  apiServer?: boolean;
}

interface ClusterWork {
  name: string;
  /** The cluster folder's files, for the place of each value generate takes from them. */
  values: ClusterValues;
  cluster?: Cluster;
  render?: Render;
  index?: SourceIndex;
  findings: Array<Finding & { family: Family }>;
  ruleFiles: RuleFileInput[];
  ruleTests: RuleTestInput[];
  amConfig?: string;
  routeCases: RouteCase[];
}

function tag(family: Family, findings: readonly Finding[]): Array<Finding & { family: Family }> {
  return findings.map((f) => ({ ...f, family }));
}

/** Runs every check over the repository at `root`. */
export async function validateRepo(
  root: string,
  opts: ValidateOptions = {},
): Promise<ValidateResult> {
  const t0 = performance.now();
  const pool = new Pool(opts.concurrency ?? Math.max(1, navigator.hardwareConcurrency || 2));
  const timings: Record<string, number> = {};
  /** Adds the time `fn` takes to `timings[label]` (summed over clusters: busy time, not wall). */
  const timed = async <T>(label: string, fn: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      timings[label] = (timings[label] ?? 0) + (performance.now() - t) / 1000;
    }
  };
  const files = await timed("read", () => readRepoFiles(root));
  const shared: Array<Finding & { family: Family }> = [];

  let versions: Versions | undefined;
  let versionsText: string | undefined;
  try {
    versionsText = await Deno.readTextFile(join(root, "versions.json"));
    versions = parseVersions(versionsText);
  } catch (e) {
    shared.push({
      severity: "error",
      file: "versions.json",
      line: 1,
      column: 1,
      field: "",
      message: `expected a valid versions.json, found: ${(e as Error).message.split("\n")[0]}`,
      check: "versions",
      family: "cluster folder",
    });
  }

  const all = clusterFolders(files);
  const names = opts.clusters?.length ? [...opts.clusters] : all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `no cluster ${unknown.join(", ")} in clusters/ (clusters: ${all.join(", ") || "none"})`,
    );
  }

  const baseFiles = under(files, "base");
  const baseIndex = new SourceIndex();
  for (const [path, text] of baseFiles) {
    baseIndex.add({ path: `base/${path}`, text }, false, (p) => files.get(p));
  }
  const baseRules = new RuleIndex();
  for (const [path, text] of baseFiles) {
    if (path.startsWith("rules/") && /\.ya?ml$/.test(path)) {
      baseRules.add({ path: `base/${path}`, text });
    }
  }
  // The default rule templates by the PrometheusRule generate renders from each.
  const ruleTemplates = new Map(
    [...baseFiles].filter(([p]) => p.startsWith("rules/") && p.endsWith(TEMPLATE_SUFFIX)).map((
      [p, text],
    ) => [`${ruleSetSlug(p.slice("rules/".length, -TEMPLATE_SUFFIX.length))}-rules`, text]),
  );
  const kustomizeId = await toolIdentity("kustomize");
  const baseHash = hashFiles(baseFiles, kustomizeId);
  const cacheRoot = opts.cacheDir === null
    ? null
    : (opts.cacheDir ?? join(root, ".cache", "validate"));
  const cacheDir = cacheRoot === null ? null : join(cacheRoot, "renders");
  const cache = new ResultCache(cacheRoot);
  const tmp = await mkdtemp(join(tmpdir(), "validate-"));
  const env: ToolEnv = {
    cache,
    pool,
    tmp,
    ids: {
      promtool: await toolIdentity("promtool"),
      amtool: await toolIdentity("amtool"),
      kubeconform: await toolIdentity("kubeconform"),
      schemas: await folderIdentity(opts.schemaDir ?? SCHEMA_CACHE_DIR),
    },
    kubernetesVersion: KUBERNETES_VERSION,
    ...(opts.schemaDir ? { schemaDir: opts.schemaDir } : {}),
  };
  let cachedRenders = 0;
  let done = 0;
  let inputs: Promise<OverlayInputs> | undefined;
  const overlayInputsOnce = () => (inputs ??= loadOverlayInputs(join(root, "base")));
  let generateId: Promise<string> | undefined;
  /** Everything generate reads besides the cluster's files, and its own code. */
  const generateInputsId = () =>
    generateId ??= codeIdentity().then((code) =>
      hashOf(
        code,
        versionsText ?? "",
        ...[...baseFiles].filter(([p]) => p === "grafana/grafana.ini" || p.startsWith("rules/"))
          .flat(),
      )
    );

  try {
    // Phase 1, per cluster: load, freshness, render, the checks that need no tool but the render.
    const checkCluster = async (name: string): Promise<ClusterWork> => {
      const dir = `clusters/${name}`;
      const own = under(files, dir);
      const w: ClusterWork = {
        name,
        values: new ClusterValues(dir, own, ruleTemplates),
        findings: [],
        ruleFiles: [],
        ruleTests: [],
        routeCases: [],
      };
      const loaded = await timed(
        "load",
        () => loadClusterFromSources(name, Object.fromEntries(own), dir),
      );
      w.findings.push(...tag("cluster folder", loaded.findings));
      w.findings.push(...tag("cluster folder", unexpectedEntries(dir, entriesOf(files, dir))));
      w.findings.push(
        ...tag(
          "cluster folder",
          unexpectedRuleTests(dir, entriesOf(files, `${dir}/rules-tests`)),
        ),
      );
      if (loaded.cluster) {
        w.cluster = loaded.cluster;
        w.findings.push(...tag("cluster folder", clusterFieldFindings(loaded.cluster)));
      }

      const overlayDir = `overlays/${name}`;
      const overlay = under(files, overlayDir);
      if (loaded.cluster && versions) {
        try {
          const cluster = loaded.cluster;
          const v = versions;
          const generate = async () => renderOverlay(cluster, v, await overlayInputsOnce());
          // What generate writes is a pure function of the cluster's files, the base's inputs,
          // versions.json and generate's code: its files' hashes are cached under that key, and
          // the files are rendered again only to describe a difference.
          const key = hashOf(await generateInputsId(), ...[...own].flat());
          const expected = await timed(
            "generate",
            () => cache.get("generate", key, async () => fileHashes(await generate())),
          );
          if (!sameFiles(expected, fileHashes(overlay))) {
            const files = await timed("generate", generate);
            const source = (path: string, line: number) =>
              generatedLineSource(files, path, line, w.values);
            w.findings.push(...tag("freshness", overlayFreshness(name, files, overlay, source)));
          }
        } catch (e) {
          w.findings.push({
            ...fileFinding(
              `${dir}/cluster.yaml`,
              `expected generate to render this cluster, found: ${(e as Error).message}`,
              "freshness",
            ),
            family: "freshness",
          });
        }
      }
      if (!overlay.has("kustomization.yaml")) {
        if (!loaded.cluster) {
          w.findings.push({
            ...fileFinding(
              `${overlayDir}/kustomization.yaml`,
              `expected the generated overlay, found none; fix clusters/${name}/ and run ` +
                `\`deno task generate ${name}\``,
              "render",
            ),
            family: "render",
          });
        }
        return w;
      }

      const key = hashFiles(overlay, baseHash);
      const outcome = await timed(
        "render",
        () => renderOverlayDir(root, name, key, cacheDir, (fn) => pool.run(fn), files),
      );
      if (outcome.cached) cachedRenders++;
      w.findings.push(...tag("render", outcome.findings));
      if (!outcome.render) return w;
      w.render = outcome.render;
      const objects = outcome.render.objects;

      const index = baseIndex.fork();
      for (const [path, text] of overlay) {
        index.add({ path: `${overlayDir}/${path}`, text }, true, (p) => files.get(p));
      }
      w.index = index;
      const fallback = `${overlayDir}/kustomization.yaml`;

      if (versions) {
        const ctx = { versions, ...haContextOf(loaded.cluster) };
        const found = await timed(
          "policies",
          () => policyFindings(objects, ctx, index, fallback, w.values),
        );
        w.findings.push(...tag("policies", found));
      }

      const rules = await timed(
        "rules",
        () => clusterRules(objects, { dir, own, baseRules, fallback, cache }),
      );
      w.findings.push(...tag("rules", rules.findings));
      w.ruleFiles = rules.ruleFiles;
      w.ruleTests = rules.ruleTests;

      const routing = clusterRouting(objects, { dir, own, overlayDir, fallback });
      w.findings.push(...tag("routing", routing.findings));
      if (routing.amConfig !== undefined) w.amConfig = routing.amConfig;
      w.routeCases = routing.routeCases;
      return w;
    };

    /** Runs a tool step; a tool that cannot run at all is an error of its family. */
    const tool = (family: Family, what: string, file: string, fn: () => Promise<void>) =>
      timed(what, async () => {
        const failed = await guard(what, file, async () => {
          await fn();
          return [];
        });
        collect(family, failed.map((f) => ({ f, name: "" })));
      });
    const tagged: Array<{ f: Finding; name: string; family: Family }> = [];
    const collect = (family: Family, items: Array<{ f: Finding; name: string }>) => {
      for (const x of items) tagged.push({ ...x, family });
    };
    // The base's rule unit tests need no render: they run while the clusters are rendered.
    const baseTestsDone = tool("rules", "promtool test rules (base)", "base/rules", async () => {
      const tests = baseRuleTests(
        [...baseFiles.keys()].filter((p) => /^rules\/.*\.test\.ya?ml$/.test(p)),
      );
      const res = await runRuleTests(env, tests);
      collect("rules", res.flat().map((f) => ({ f, name: "" })));
    });

    const phase1 = performance.now();
    const works = await Promise.all(names.map(async (name): Promise<ClusterWork> => {
      const w = await checkCluster(name);
      done++;
      opts.onProgress?.({
        cluster: name,
        done,
        total: names.length,
        errors: w.findings.filter((f) => f.severity === "error").length,
      });
      return w;
    }));

    timings["phase 1 (wall)"] = (performance.now() - phase1) / 1000;
    const phase2 = performance.now();
    // Phase 2: the tools, batched over every cluster.
    const amAt = (w: ClusterWork) => {
      const own = files.has(`clusters/${w.name}/alertmanager.yaml`);
      return own
        ? { file: `clusters/${w.name}/alertmanager.yaml`, line: 1, column: 1 }
        : { file: `overlays/${w.name}/config/alertmanager.yaml`, line: 1, column: 1 };
    };
    const perCluster = (list: ClusterWork[], results: Finding[][][]) =>
      list.flatMap((w, i) => (results[i] ?? []).flat().map((f) => ({ f, name: w.name })));
    const withConfig = works.filter((w) => w.amConfig !== undefined);
    const rendered = works.filter((w) => w.render);
    await Promise.all([
      tool("rules", "promtool check rules", "base/rules", async () => {
        const all = works.flatMap((w) => w.ruleFiles.map((r) => ({ r, name: w.name })));
        const res = await checkRuleFiles(env, all.map((x) => x.r));
        collect("rules", all.flatMap((x, i) => (res[i] ?? []).map((f) => ({ f, name: x.name }))));
      }),
      tool("rules", "promtool test rules", "base/rules", async () => {
        const all = works.flatMap((w) => w.ruleTests.map((t) => ({ t, name: w.name })));
        const res = await runRuleTests(env, all.map((x) => x.t));
        collect("rules", all.flatMap((x, i) => (res[i] ?? []).map((f) => ({ f, name: x.name }))));
      }),
      tool("routing", "amtool check-config", "clusters", async () => {
        const res = await checkAmConfigs(
          env,
          withConfig.map((w) => ({
            text: w.amConfig as string,
            report: amAt(w),
            locate: (failure: string) => amtoolFailureAt(failure, w.amConfig as string, w.values),
          })),
        );
        collect("routing", perCluster(withConfig, res.map((r) => [r])));
      }),
      tool("routing", "amtool config routes test", "clusters", async () => {
        const all = withConfig.flatMap((w) =>
          w.routeCases.map((c) => ({
            x: { file: `clusters/${w.name}/routes-test.yaml`, config: w.amConfig as string, c },
            name: w.name,
          }))
        );
        const res = await runRouteCases(env, all.map((a) => a.x));
        collect("routing", all.flatMap((a, i) => (res[i] ?? []).map((f) => ({ f, name: a.name }))));
      }),
      tool("schemas", "kubeconform", "overlays", async () => {
        const res = await kubeconformRenders(env, rendered.map((w) => w.render as Render));
        rendered.forEach((w, i) => {
          const fallback = `overlays/${w.name}/kustomization.yaml`;
          const fs = kubeconformFindings(res[i] ?? [], w.index as SourceIndex, fallback, w.values);
          collect("schemas", fs.map((f) => ({ f, name: w.name })));
        });
      }),
      opts.apiServer === false
        ? Promise.resolve()
        : tool("api server", "server-side dry-run", "overlays", async () => {
          const res = await apiServerRejections(rendered.map((w) => w.render as Render));
          rendered.forEach((w, i) => {
            const located = (res[i] ?? []).map((r) =>
              objectFinding("error", r.object, r.field, r.message, "api server")
            );
            const fallback = `overlays/${w.name}/kustomization.yaml`;
            const fs = locateObjectFindings(located, w.index as SourceIndex, fallback, w.values);
            collect("api server", fs.map((f) => ({ f, name: w.name })));
          });
        }),
      tool("dashboards", "the dashboard linter", "base/dashboards", async () => {
        collect("dashboards", (await dashboardFindings()).map((f) => ({ f, name: "" })));
        // A range too short only at a cluster's slower scrape interval is that cluster's.
        const intervals = works.flatMap((w) => {
          const ms = w.cluster ? parseDuration(w.cluster.spec.scrapeInterval) : NaN;
          const spot = w.values.at("cluster.yaml", ["spec", "scrapeInterval"]);
          return ms > 0 ? [{ name: w.name, ms, spot }] : [];
        });
        collect(
          "dashboards",
          scrapeIntervalFindings(
            dashboardFiles(),
            DATASOURCE_UIDS,
            DEFAULT_SCRAPE_MS,
            intervals,
          ),
        );
      }),
      // The generated docs (default alerts, configuration reference) are part of the gate too.
      tool("freshness", "deno task docs --check", "docs", async () => {
        collect("freshness", (await docsFreshness(root)).map((f) => ({ f, name: "" })));
      }),
      baseTestsDone,
    ]);

    const reported: Reported[] = [];
    const push = (f: Finding & { family: Family }, clusters: string[]) =>
      reported.push({ ...f, clusters });
    for (const f of shared) push(f, []);
    for (const w of works) for (const f of w.findings) push(f, [w.name]);
    for (const t of tagged) push({ ...t.f, family: t.family }, t.name ? [t.name] : []);

    // Shared: orphan overlays, rules across clusters, credentials in the base.
    const overlayNames = entriesOf(files, "overlays").filter((e) => e.endsWith("/")).map((e) =>
      e.slice(0, -1)
    );
    for (const f of orphanOverlays(overlayNames, all)) push({ ...f, family: "freshness" }, []);
    const loadedClusters = works.flatMap((w) => (w.cluster ? [w.cluster] : []));
    for (const f of crossClusterFindings(loadedClusters)) {
      push({ ...f, family: "cluster folder" }, clusterOf(f.file, works));
    }
    // A cluster's own files are checked by the loader (family "cluster folder").
    for (const [path, text] of files) {
      if (!/^base\/(alertmanager|grafana)\/[^/]+$/.test(path)) continue;
      const found = /\.ini$/.test(path)
        ? iniCredentialFindings({ path, text })
        : /\.ya?ml$/.test(path)
        ? yamlCredentialFindings(
          { path, text },
          path.includes("grafana") ? "grafana" : "alertmanager",
        )
        : [];
      for (const f of found) push({ ...f, family: "routing" }, []);
    }

    timings["phase 2 (wall)"] = (performance.now() - phase2) / 1000;
    const findings = dedupe(reported);
    return {
      findings,
      summary: {
        ...summarize(findings, names, (performance.now() - t0) / 1000, cachedRenders),
        timings,
      },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }

  /** The base's rule unit tests, each with the default rules rendered with default values. */
  function baseRuleTests(tests: readonly string[]): RuleTestInput[] {
    if (tests.length === 0) return [];
    const templates = [...baseFiles].filter(([p]) =>
      p.startsWith("rules/") && p.endsWith(TEMPLATE_SUFFIX)
    ).map(([p, text]) => ({
      name: p.slice("rules/".length, -TEMPLATE_SUFFIX.length),
      text,
      file: `base/${p}`,
    }));
    const sets = renderRuleSets(templates, ruleParamValues(PrometheusSpec.parse({}).rules));
    const rules = new Map(sets.map((set) => [`${set.name}${TEMPLATE_SUFFIX}`, ruleFileText(set)]));
    return tests.map((t) => ({ file: `base/${t}`, text: baseFiles.get(t) as string, rules }));
  }

  /**
   * The API server's rejections of each render, cached by the render's text and the versions of
   * Kubernetes and the operator's CRDs; an API server is started only when a render is not cached.
   */
  async function apiServerRejections(renders: readonly Render[]): Promise<Rejection[][]> {
    return await cache.many(
      "dry-run",
      renders,
      (r) => hashOf("dry-run", KUBERNETES_VERSION, versionsText ?? "", r.yaml),
      async (missing) => {
        const server = await timed("api server start", () => openCheckServer());
        try {
          const targets = missing.map((r, i) => ({ cluster: String(i), objects: r.objects }));
          const rejections = await dryRun(server.client, targets);
          return missing.map((_, i) =>
            rejections.filter((r) => r.cluster === String(i)).map((r) => ({
              ...r,
              // Only what a finding names: the cache keeps no copy of the object.
              object: {
                apiVersion: r.object.apiVersion,
                kind: r.object.kind,
                metadata: r.object.metadata,
              },
            }))
          );
        } finally {
          await server.close();
        }
      },
    );
  }

  function dashboardFiles(): DashboardFile[] {
    return [...baseFiles].filter(([p]) => /^dashboards\/[^/]+\.json$/.test(p)).map((
      [p, text],
    ) => ({ file: `base/${p}`, text }));
  }

  /**
   * The dashboard linter over base/dashboards at the default scrape interval (what a dashboard
   * must hold for any cluster), cached by the dashboards' text.
   */
  async function dashboardFindings(): Promise<Finding[]> {
    const ctx = { datasourceUids: DATASOURCE_UIDS, scrapeIntervalMs: DEFAULT_SCRAPE_MS };
    const dashboards = dashboardFiles();
    if (dashboards.length === 0) return [];
    const key = hashOf(
      env.ids.promtool ?? "",
      JSON.stringify(ctx),
      ...dashboards.flatMap((d) => [d.file, d.text]),
    );
    return await cache.get(
      "dashboards",
      key,
      () => pool.run(() => lintDashboards(dashboards, ctx)),
    );
  }
}

/** Path → sha256 of the text, for comparing a generated overlay with the one on disk. */
function fileHashes(files: ReadonlyMap<string, string>): Record<string, string> {
  return Object.fromEntries([...files].map(([p, text]) => [p, hashOf(text)]));
}

function sameFiles(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** The source of the modules generate runs (a change of generate's code changes its output). */
async function codeIdentity(): Promise<string> {
  const tasks = fileURLToPath(new URL("../", import.meta.url));
  const parts: string[] = [];
  for (const dir of ["generate", "model", "rules"]) {
    const names = (await readdir(join(tasks, dir))).filter((n) =>
      n.endsWith(".ts") && !n.endsWith("_test.ts")
    ).sort();
    for (const n of names) parts.push(n, await readFile(join(tasks, dir, n), "utf8"));
  }
  return hashOf(...parts);
}

/** A tool that cannot run (not installed, crashed) is an error of the gate, not a crash. */
async function guard(
  what: string,
  file: string,
  fn: () => Promise<Finding[]>,
): Promise<Finding[]> {
  try {
    return await fn();
  } catch (e) {
    return [
      fileFinding(
        file,
        `expected ${what} to run, found: ${(e as Error).message.split("\n")[0]}`,
        "tools",
      ),
    ];
  }
}

function clusterOf(file: string, works: readonly ClusterWork[]): string[] {
  const m = /^(?:clusters|overlays)\/([^/]+)\//.exec(file);
  return m && works.some((w) => w.name === m[1]) ? [m[1] as string] : [];
}
