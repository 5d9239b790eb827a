/**
 * `diffRepo()`: every cluster rendered at the base revision (read from git into memory) and at
 * the working tree, with the one loader (`loadClusterFromSources`), the one overlay renderer
 * (`renderOverlay`) and the one kustomize runner of validate (`renderOverlayDir`, whose renders
 * are cached by the hash of their inputs and shared with validate), then compared.
 *
 * A cluster whose overlay and base are the same on both sides is unchanged without rendering.
 */
import { UsageError } from "../cli/command.ts";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Finding } from "../model/finding.ts";
import { loadClusterFromSources } from "../model/load.ts";
import { ruleParamValues } from "../model/rule_params.ts";
import { parseVersions, type Versions } from "../model/versions.ts";
import type { K8sObject } from "../render/objects.ts";
import { type OverlayInputs, overlayInputsFromFiles, renderOverlay } from "../generate/overlay.ts";
import { placeholderAlerts, RuleTemplateError } from "../rules/templates.ts";
import { ResultCache } from "../validate/cache.ts";
import { KUBERNETES_VERSION } from "../validate/kubeconform.ts";
import { Pool } from "../validate/pool.ts";
import { hashFiles, renderOverlayDir, toolIdentity } from "../validate/render_cache.ts";
import { clusterFolders, readRepoFiles, type RepoFiles, under } from "../validate/repo.ts";
import { alertmanagerConfigOf, parseRouteTests, type RouteCase } from "../validate/routing.ts";
import { routeReceivers, type ToolEnv } from "../validate/tool_steps.ts";
import type { Change } from "./change.ts";
import { type ClusterReport, compareCluster, type RenderedCluster } from "./cluster_report.ts";
import { type BaseRef, baseRef, readFilesAt } from "./git.ts";
import { routeTestChanges, type RouteTestOutcome } from "./route_tests.ts";

export type SideName = "base" | "head";

/** A finding on one side: `base` is the base revision, `head` the working tree. */
export interface SideFinding extends Finding {
  side: SideName;
}

export interface DiffOptions {
  /** A git ref; default the merge base of HEAD with main. */
  base?: string;
  /** Cluster names; default every cluster of either side. */
  clusters?: readonly string[];
  /** Cache of renders and tool results; null: none. Default `<root>/.cache/validate`. */
  cacheDir?: string | null;
  /** Tool processes at once (default: the machine's cores). */
  concurrency?: number;
}

export interface DiffResult {
  base: BaseRef;
  /** How the head side is named. */
  head: string;
  reports: ClusterReport[];
  findings: SideFinding[];
  /** Seconds per phase. */
  timings: Record<string, number>;
  /** Renders read from the cache, and built. */
  renders: { cached: number; built: number };
}

/** Cluster names that exist on neither side. */
export class UnknownClusterError extends UsageError {}

/** One side of the comparison: its files and what every cluster's render depends on. */
interface Side {
  name: SideName;
  files: RepoFiles;
  versions?: Versions;
  inputs?: OverlayInputs;
  /** hashFiles() of base/ and the kustomize binary, as validate keys renders. */
  baseHash: string;
  paramUsers: Map<string, Set<string>>;
  /** Findings that make every cluster of this side unrenderable (versions.json, base/). */
  findings: Finding[];
  /** Where the side's tree is written for kustomize, once, on the first render not cached. */
  dir: string;
  written?: Promise<void>;
}

interface ClusterSide {
  present: boolean;
  findings: Finding[];
  overlay?: Map<string, string>;
  key?: string;
  ruleParams?: Record<string, number | string>;
  routesTest?: string;
}

function inputFinding(file: string, message: string, line = 1, check = "diff"): Finding {
  return { severity: "error", file, line, column: line ? 1 : 0, field: "", message, check };
}

function prepareSide(
  name: SideName,
  files: RepoFiles,
  kustomizeId: string,
  tmp: string,
): Side {
  const baseFiles = under(files, "base");
  const side: Side = {
    name,
    files,
    baseHash: hashFiles(baseFiles, kustomizeId),
    paramUsers: new Map(),
    findings: [],
    dir: join(tmp, name),
  };
  const versionsText = files.get("versions.json");
  try {
    if (versionsText === undefined) throw new Error("missing");
    side.versions = parseVersions(versionsText);
  } catch (e) {
    side.findings.push(
      inputFinding(
        "versions.json",
        `expected a valid versions.json, found: ${(e as Error).message.split("\n")[0]}`,
      ),
    );
  }
  try {
    side.inputs = overlayInputsFromFiles(baseFiles);
  } catch (e) {
    side.findings.push(templateFinding(e, "base/grafana/grafana.ini"));
    return side;
  }
  for (const t of side.inputs.ruleTemplates) {
    try {
      for (const [key, alerts] of placeholderAlerts(t)) {
        side.paramUsers.set(key, new Set([...(side.paramUsers.get(key) ?? []), ...alerts]));
      }
    } catch {
      // A template that does not parse: renderOverlay() reports it at its line.
    }
  }
  return side;
}

function templateFinding(e: unknown, fallback: string): Finding {
  if (e instanceof RuleTemplateError) {
    return inputFinding(e.file, e.detail, e.line, "rules");
  }
  return inputFinding(fallback, (e as Error).message.split("\n")[0] ?? String(e), 0);
}

/** Loads one cluster of one side and renders its overlay in memory. */
function prepareCluster(side: Side, name: string): ClusterSide {
  const dir = `clusters/${name}`;
  const own = under(side.files, dir);
  if (own.size === 0) return { present: false, findings: [] };
  const loaded = loadClusterFromSources(name, Object.fromEntries(own), dir);
  const out: ClusterSide = {
    present: true,
    findings: loaded.findings.filter((f) => f.severity === "error"),
    ...(own.has("routes-test.yaml") ? { routesTest: own.get("routes-test.yaml") as string } : {}),
  };
  if (!loaded.cluster || !side.versions || !side.inputs) return out;
  try {
    out.overlay = renderOverlay(loaded.cluster, side.versions, side.inputs);
  } catch (e) {
    out.findings.push(templateFinding(e, `${dir}/cluster.yaml`));
    return out;
  }
  out.key = hashFiles(out.overlay, side.baseHash);
  out.ruleParams = ruleParamValues(loaded.cluster.prometheus.rules);
  return out;
}

/** Writes a side's base/ (once) and one overlay where kustomize can build them. */
async function writeTree(side: Side, name: string, overlay: ReadonlyMap<string, string>) {
  const put = async (path: string, text: string) => {
    await mkdir(dirname(join(side.dir, path)), { recursive: true });
    await writeFile(join(side.dir, path), text);
  };
  side.written ??= (async () => {
    for (const [path, text] of under(side.files, "base")) await put(`base/${path}`, text);
  })();
  await side.written;
  for (const [path, text] of overlay) await put(`overlays/${name}/${path}`, text);
}

/** The working tree's files diff reads (as the base side's, from git). */
async function readWorkingTree(root: string): Promise<RepoFiles> {
  const files = await readRepoFiles(root, ["base", "clusters"]);
  try {
    files.set("versions.json", await readFile(join(root, "versions.json"), "utf8"));
  } catch (e) {
    if ((e as { code?: string }).code !== "ENOENT") throw e;
  }
  return files;
}

/**
 * The route tests (every case of either side's routes-test.yaml) that reach other receivers
 * through the new Alertmanager configuration than through the old; none when it did not change.
 */
async function changedRouteTests(
  env: ToolEnv,
  name: string,
  sides: Record<SideName, { objects: K8sObject[] | undefined; routesTest: string | undefined }>,
  findings: SideFinding[],
): Promise<Change[]> {
  const configs = {
    base: sides.base.objects ? alertmanagerConfigOf(sides.base.objects) : null,
    head: sides.head.objects ? alertmanagerConfigOf(sides.head.objects) : null,
  };
  if (configs.base === null || configs.head === null || configs.base === configs.head) return [];
  const cases: Record<SideName, RouteCase[]> = { base: [], head: [] };
  for (const s of ["base", "head"] as const) {
    const text = sides[s].routesTest;
    if (text === undefined) continue;
    const parsed = parseRouteTests({ path: `clusters/${name}/routes-test.yaml`, text });
    cases[s] = parsed.cases;
    findings.push(...parsed.findings.map((f) => ({ ...f, side: s })));
  }
  const all = [...cases.head];
  for (const c of cases.base) if (!all.some((x) => x.name === c.name)) all.push(c);
  const routed = await routeReceivers(
    env,
    all.flatMap((c) => [
      { config: configs.base as string, labels: c.labels },
      { config: configs.head as string, labels: c.labels },
    ]),
  );
  const receivers = (r: { receivers: string[]; error?: string } | undefined) =>
    r?.error ? [`(amtool failed: ${r.error.split("\n")[0]})`] : r?.receivers ?? [];
  return routeTestChanges(all.map((c, i): RouteTestOutcome => ({
    name: c.name,
    labels: c.labels,
    expected: c.receivers,
    before: receivers(routed[2 * i]),
    after: receivers(routed[2 * i + 1]),
  })));
}

/** Compares every cluster at the base revision and in the working tree of `root`. */
export async function diffRepo(root: string, opts: DiffOptions = {}): Promise<DiffResult> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const lap = (label: string) => {
    const now = performance.now();
    timings[label] = (now - t) / 1000;
    t = now;
  };
  const base = await baseRef(root, opts.base);
  const [baseFiles, headFiles, kustomizeId, amtoolId] = await Promise.all([
    readFilesAt(root, base.sha),
    readWorkingTree(root),
    toolIdentity("kustomize"),
    toolIdentity("amtool"),
  ]);
  lap("read both sides");

  const all = [...new Set([...clusterFolders(baseFiles), ...clusterFolders(headFiles)])].sort();
  const names = opts.clusters?.length ? [...new Set(opts.clusters)] : all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new UnknownClusterError(
      `no cluster ${unknown.join(", ")} in clusters/ at either side (clusters: ${
        all.join(", ") || "none"
      })`,
    );
  }

  const tmp = await mkdtemp(join(tmpdir(), "diff-"));
  const pool = new Pool(opts.concurrency ?? Math.max(1, navigator.hardwareConcurrency || 2));
  const cacheRoot = opts.cacheDir === null
    ? null
    : (opts.cacheDir ?? join(root, ".cache", "validate"));
  const env: ToolEnv = {
    cache: new ResultCache(cacheRoot),
    pool,
    tmp: join(tmp, "tools"),
    ids: { amtool: amtoolId },
    kubernetesVersion: KUBERNETES_VERSION,
  };
  const findings: SideFinding[] = [];
  const renders = { cached: 0, built: 0 };
  try {
    const sides = {
      base: prepareSide("base", baseFiles, kustomizeId, tmp),
      head: prepareSide("head", headFiles, kustomizeId, tmp),
    };
    for (const s of [sides.base, sides.head]) {
      findings.push(...s.findings.map((f) => ({ ...f, side: s.name })));
    }
    const prepared = names.map((name) => ({
      name,
      base: prepareCluster(sides.base, name),
      head: prepareCluster(sides.head, name),
    }));
    lap("load and generate");

    const render = async (side: Side, name: string, c: ClusterSide) => {
      const overlay = c.overlay as Map<string, string>;
      const files = new Map(side.files);
      for (const [p, text] of overlay) files.set(`overlays/${name}/${p}`, text);
      const outcome = await renderOverlayDir(
        side.dir,
        name,
        c.key as string,
        cacheRoot === null ? null : join(cacheRoot, "renders"),
        // Only a render missing from the cache needs the tree on disk and a kustomize process.
        (fn) =>
          pool.run(async () => {
            await writeTree(side, name, overlay);
            return await fn();
          }),
        files,
      );
      if (outcome.cached) renders.cached++;
      else renders.built++;
      c.findings.push(...outcome.findings);
      return outcome.render?.objects;
    };

    const reports = await Promise.all(prepared.map(async (p): Promise<ClusterReport> => {
      const { name } = p;
      const sideList = [["base", p.base], ["head", p.head]] as const;
      const broken = sideList.filter(([s, c]) =>
        c.present && (c.key === undefined || sides[s].findings.length > 0)
      );
      if (broken.length === 0 && p.base.present && p.head.present && p.base.key === p.head.key) {
        return { name, status: "unchanged", sections: [], objects: [], manifest: [] };
      }
      const objects: Partial<Record<SideName, K8sObject[]>> = {};
      if (broken.length === 0) {
        await Promise.all(sideList.map(async ([s, c]) => {
          if (!c.present) return;
          const rendered = await render(sides[s], name, c);
          if (rendered) objects[s] = rendered;
        }));
      }
      for (const [s, c] of sideList) {
        findings.push(...c.findings.map((f) => ({ ...f, side: s })));
      }
      const failed = broken.length > 0
        ? broken.map(([s]) => s)
        : sideList.filter(([s, c]) => c.present && !objects[s]).map(([s]) => s);
      if (failed.length > 0) {
        const where = failed.map((s) => (s === "base" ? `at ${base.label}` : "in the working tree"))
          .join(" and ");
        return {
          name,
          status: "broken",
          note: `not compared: the cluster does not render ${where}; see the errors`,
          sections: [],
          objects: [],
          manifest: [],
        };
      }
      const rendered = (s: SideName): RenderedCluster | undefined =>
        objects[s]
          ? {
            objects: objects[s],
            ruleParams: (s === "base" ? p.base : p.head).ruleParams ?? {},
            paramUsers: sides[s].paramUsers,
          }
          : undefined;
      const routeTests = await changedRouteTests(env, name, {
        base: { objects: objects.base, routesTest: p.base.routesTest },
        head: { objects: objects.head, routesTest: p.head.routesTest },
      }, findings);
      return compareCluster(name, rendered("base"), rendered("head"), routeTests);
    }));
    lap("render and compare");
    return {
      base,
      head: "the working tree",
      reports: reports.sort((a, b) => (a.name < b.name ? -1 : 1)),
      findings: dedupeFindings(findings),
      timings,
      renders,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** A base/ problem is found once per cluster; it is reported once. */
function dedupeFindings(findings: readonly SideFinding[]): SideFinding[] {
  const seen = new Set<string>();
  const out: SideFinding[] = [];
  for (const f of findings) {
    const key = [f.side, f.file, f.line, f.column, f.field, f.message].join("\0");
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out.sort((a, b) =>
    a.side.localeCompare(b.side) || a.file.localeCompare(b.file) || a.line - b.line
  );
}
