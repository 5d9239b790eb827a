/**
 * Render: `kustomize build` of every overlay, once per cluster, shared by every check. A render
 * is cached under `.cache/validate/renders/` by the hash of its inputs (the overlay's files, the
 * base's files and the kustomize binary), so an unchanged overlay is not built twice.
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Finding } from "../model/finding.ts";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { parseManifests, type Render } from "../render/kustomize.ts";
import type { K8sObject } from "../render/objects.ts";

const CHECK = "render";

/** The non-empty documents of a multi-document YAML stream, as text. */
export function splitDocuments(yaml: string): string[] {
  return yaml.split(/^---[ \t]*$/m).filter((doc) => doc.trim() !== "");
}

/** Each distinct document's JSON: most documents are the same in every cluster's render. */
const parsedDocs = new Map<string, string>();

/**
 * Parses kustomize's output document by document, each distinct document once per process
 * (YAML parsing is the costly part of a cold run); every call returns fresh objects.
 */
export function parseRenderYaml(yaml: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of splitDocuments(yaml)) {
    let json = parsedDocs.get(doc);
    if (json === undefined) {
      json = JSON.stringify(parseManifests(doc));
      if (parsedDocs.size > 20_000) parsedDocs.clear();
      parsedDocs.set(doc, json);
    }
    out.push(...JSON.parse(json) as K8sObject[]);
  }
  return out;
}

/** sha256 of a set of files (path and text), independent of their order. */
export function hashFiles(files: ReadonlyMap<string, string>, extra = ""): string {
  const h = createHash("sha256");
  h.update(extra);
  for (const path of [...files.keys()].sort()) {
    h.update(`\0${path}\0`);
    h.update(files.get(path) as string);
  }
  return h.digest("hex");
}

/** Identifies the kustomize binary (a rebuild changes it, and then every render). */
export async function toolIdentity(binary: string): Promise<string> {
  try {
    const s = await stat(toolPath(binary));
    return `${binary}:${s.size}:${s.mtime?.getTime()}`;
  } catch {
    return `${binary}:missing`;
  }
}

export interface RenderOutcome {
  render?: Render;
  findings: Finding[];
  /** Whether the render came from the cache. */
  cached: boolean;
}

/**
 * Where a kustomize failure is: the file it names when that file exists (at the YAML line it
 * quotes), or the entry of the kustomization that lists a missing or duplicated file, else the
 * overlay's kustomization.yaml.
 */
export function renderFailureAt(
  text: string,
  name: string,
  files: ReadonlyMap<string, string>,
): { file: string; line: number; column: number } {
  const fallback = { file: `overlays/${name}/kustomization.yaml`, line: 1, column: 1 };
  // `accumulating resources from 'x'` inside `recursed accumulation of path 'base/grafana'`.
  const dirs = [...text.matchAll(/accumulation of path '((?:base|overlays)[^']*)'/g)].map((m) =>
    m[1] as string
  );
  const dir = dirs.at(-1) ?? `overlays/${name}`;
  const entry = [...text.matchAll(/(?:accumulating|merging) resources from '([^']+)'/g)].map((m) =>
    m[1] as string
  ).at(-1);
  const inFile = /in File: ([^\s]+)/.exec(text)?.[1];
  const target = inFile ?? entry;
  if (!target || target.startsWith("..")) return fallback;
  const path = `${dir}/${target}`.replace(/\/\.\//g, "/");
  const yamlLine = /yaml: line (\d+)/.exec(text)?.[1];
  if (files.has(path) && !/already registered id/.test(text)) {
    return { file: path, line: yamlLine ? Number(yamlLine) : 1, column: 1 };
  }
  // A missing or duplicated entry: the (last) line of the kustomization that lists it.
  for (const k of ["kustomization.yaml", "kustomization.yml"]) {
    const kText = files.get(`${dir}/${k}`);
    if (kText === undefined) continue;
    const lines = kText.split("\n");
    const idx = lines.findLastIndex((l) =>
      new RegExp(`^\\s*-\\s*${escapeRe(target)}\\s*$`).test(l)
    );
    if (idx >= 0) {
      return { file: `${dir}/${k}`, line: idx + 1, column: (lines[idx]?.indexOf("-") ?? 0) + 1 };
    }
  }
  return fallback;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Turns kustomize's error text into a finding on the file it is about. */
export function renderFailure(
  root: string,
  name: string,
  stderr: string,
  files: ReadonlyMap<string, string> = new Map(),
): Finding {
  const rel = stderr.replaceAll(`${root}/`, "").replace(/^Error:\s*/, "").trim();
  return {
    severity: "error",
    ...renderFailureAt(rel, name, files),
    field: "",
    message: `expected \`kustomize build overlays/${name}\` to succeed, found: ${
      rel.split("\n").slice(0, 4).join(" ")
    }`,
    check: CHECK,
  };
}

/**
 * Builds `overlays/<name>` under `root`, or reads it from `cacheDir` when `key` was built before.
 * `key` hashes every input (see hashFiles).
 */
export async function renderOverlayDir(
  root: string,
  name: string,
  key: string,
  cacheDir: string | null,
  /** Runs the kustomize process (a pool slot); not needed for a cached render. */
  limit: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
  /** The repository's files, to point a failure at the file it is about. */
  files: ReadonlyMap<string, string> = new Map(),
): Promise<RenderOutcome> {
  const dir = join(root, "overlays", name);
  const cacheFile = cacheDir ? join(cacheDir, `${key}.json`) : null;
  if (cacheFile) {
    try {
      const cached = JSON.parse(await readFile(cacheFile, "utf8")) as {
        yaml: string;
        objects: K8sObject[];
      };
      return {
        render: { dir, yaml: cached.yaml, objects: cached.objects },
        findings: [],
        cached: true,
      };
    } catch { /* not cached yet */ }
  }
  const r = await limit(() =>
    run(toolPath("kustomize"), ["build", "--load-restrictor", "LoadRestrictionsNone", dir])
  );
  if (r.code !== 0) {
    return { findings: [renderFailure(root, name, r.stderr || r.stdout, files)], cached: false };
  }
  let objects: K8sObject[];
  try {
    objects = parseRenderYaml(r.stdout);
  } catch (e) {
    return {
      findings: [renderFailure(root, name, `unparsable output: ${(e as Error).message}`)],
      cached: false,
    };
  }
  if (cacheFile && cacheDir) {
    await mkdir(cacheDir, { recursive: true });
    // Unique per write: two renders of the same key (identical clusters) may finish together.
    const tmp = `${cacheFile}.${Deno.pid}.${crypto.randomUUID()}.tmp`;
    await writeFile(tmp, JSON.stringify({ yaml: r.stdout, objects }));
    await rename(tmp, cacheFile);
  }
  return { render: { dir, yaml: r.stdout, objects }, findings: [], cached: false };
}
