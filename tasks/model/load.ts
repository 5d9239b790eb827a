/**
 * Reads a cluster folder into the merged `Cluster`, turning every problem (YAML syntax, schema,
 * unknown key, cross-file rule) into a `Finding` with the file, line and column of the node at
 * fault. `loadClusterFromSources()` is the pure core; the rest reads files.
 */
import { type Document, LineCounter, parseDocument } from "yaml";
import type { z } from "zod";
import { readdir, readFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { CLUSTER_FILES, type ClusterFileName, FILE_SCHEMAS } from "./cluster.ts";
import {
  buildCluster,
  type Cluster,
  type ClusterParts,
  crossFileViolations,
  type SourceFile,
} from "./merged_cluster.ts";
import { type CredentialReader, yamlCredentialFindings } from "./credentials.ts";
import { fileFinding, type Finding } from "./finding.ts";
import { formatPath, type Segment } from "./field_path.ts";
import { CLUSTERS_DIR, ROOT } from "./paths.ts";
import type { Position } from "./text_position.ts";
import { keyPosition, valuePosition } from "./yaml_locate.ts";

/** Whose configuration each file holds, for the advice on an inline credential. */
const CREDENTIAL_READERS: Record<ClusterFileName, CredentialReader> = {
  "cluster.yaml": "other",
  "prometheus.yaml": "other",
  "alertmanager.yaml": "alertmanager",
  "grafana.yaml": "grafana",
};

/** Folders of clusters/ that hold reconciler entry points, not clusters. */
export const NOT_CLUSTERS = ["argocd", "flux"] as const;

export interface LoadResult {
  /** Present when no finding is an error. */
  cluster?: Cluster;
  findings: Finding[];
}

type Path = readonly PropertyKey[];

/** A YAML file parsed with positions. */
interface Parsed {
  source: SourceFile;
  doc: Document.Parsed;
  lines: LineCounter;
}

function parse(source: SourceFile): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(source.text, { lineCounter: lines, prettyErrors: false });
  return { source, doc, lines };
}

/** A zod issue's path as field-path segments. */
function segments(path: Path): Segment[] {
  return path.map((s) => (typeof s === "symbol" ? String(s) : s));
}

function positionOf(p: Parsed, offset: number | undefined): Position {
  if (offset === undefined) return { line: 1, column: 1 };
  const { line, col } = p.lines.linePos(offset);
  return { line, column: col };
}

/**
 * Line and column (1-based) of the value at `path` in a source file; for a path that does not
 * exist, the nearest key on the way. For checks that point into a cluster's files.
 */
export function locate(source: SourceFile, path: Path): Position {
  const p = parse(source);
  return valuePosition(p.doc, p.lines, segments(path));
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  if (v === null) return "an empty value";
  if (Array.isArray(v)) return "a list";
  if (typeof v === "object") return "a map";
  if (typeof v === "string") return JSON.stringify(v);
  return `${String(v)} (a ${typeof v === "boolean" ? "boolean" : "number"})`;
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "true or false",
  object: "a map",
  record: "a map",
  array: "a list",
};

// ---------------------------------------------------------------------------------------------
// "did you mean": the allowed keys at a path of a zod schema, and the closest one

type AnySchema = z.core.$ZodType;

function unwrap(s: AnySchema): AnySchema {
  let cur = s;
  for (let i = 0; i < 20; i++) {
    const def = cur._zod.def as unknown as Record<string, unknown> & { type: string };
    if (["optional", "nullable", "default", "prefault", "catch", "readonly"].includes(def.type)) {
      cur = def.innerType as AnySchema;
    } else if (def.type === "pipe") {
      cur = def.in as AnySchema;
    } else return cur;
  }
  return cur;
}

/** The keys an object schema accepts at `path`, or [] when that is not an object. */
export function allowedKeys(schema: AnySchema, path: Path): string[] {
  let cur: AnySchema | undefined = unwrap(schema);
  for (const seg of path) {
    if (!cur) return [];
    const def = cur._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === "object") cur = (def.shape as Record<string, AnySchema>)[String(seg)];
    else if (def.type === "array") cur = def.element as AnySchema;
    else if (def.type === "record") cur = def.valueType as AnySchema;
    else return [];
    cur = cur ? unwrap(cur) : undefined;
  }
  const def = cur?._zod.def as unknown as { type: string; shape?: Record<string, unknown> };
  return def?.type === "object" && def.shape ? Object.keys(def.shape).sort() : [];
}

/** Optimal string alignment distance (Levenshtein plus transpositions). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from(
    { length: a.length + 1 },
    (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number) => d[i]?.[j] ?? Infinity;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, at(i - 2, j - 2) + 1);
      }
      d[i]![j] = v;
    }
  }
  return at(a.length, b.length);
}

/** The candidate closest to `word`, if it is close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestDistance) [best, bestDistance] = [c, dist];
  }
  return bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

// ---------------------------------------------------------------------------------------------
// Findings

function finding(
  p: Parsed,
  pos: Position,
  field: string,
  message: string,
  severity: Finding["severity"] = "error",
): Finding {
  return { severity, file: p.source.path, ...pos, field, message, check: "schema" };
}

/** The key starting at `offset` (yaml's duplicate-key error points at its first character). */
function keyText(text: string, offset: number): string {
  const rest = text.slice(offset);
  const m = /^("[^"]*"|'[^']*'|[^:\s]+)/.exec(rest);
  return m?.[1] ?? rest.slice(0, 1);
}

function syntaxFindings(p: Parsed): Finding[] {
  const out: Finding[] = [];
  for (const [severity, errs] of [["error", p.doc.errors], ["warning", p.doc.warnings]] as const) {
    for (const e of errs) {
      const pos = positionOf(p, e.pos[0]);
      const message = e.code === "DUPLICATE_KEY"
        ? `duplicate key \`${keyText(p.source.text, e.pos[0])}\`; a key may appear once`
        : `YAML: ${e.message}`;
      out.push({ ...finding(p, pos, "", message, severity), check: "yaml" });
    }
  }
  return out;
}

function issueFindings(p: Parsed, schema: AnySchema, value: unknown, issue: z.core.$ZodIssue) {
  const path = issue.path;
  const field = formatPath(path);
  const pos = valuePosition(p.doc, p.lines, segments(path));
  const found = valueAt(value, path);
  const foundText = describe(found);
  switch (issue.code) {
    case "unrecognized_keys": {
      const allowed = allowedKeys(schema, path);
      return issue.keys.map((k) => {
        const guess = didYouMean(k, allowed);
        const hint = guess ? `did you mean \`${guess}\`? ` : "";
        return finding(
          p,
          keyPosition(p.doc, p.lines, segments(path), k),
          formatPath([...path, k]),
          `unknown key \`${k}\`; ${hint}(expected one of: ${allowed.join(", ")})`,
        );
      });
    }
    case "invalid_type": {
      if (found === undefined) {
        return [
          finding(
            p,
            pos,
            field,
            `required; expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, found nothing`,
          ),
        ];
      }
      const quote = issue.expected === "string" && ["number", "boolean"].includes(typeof found);
      const text = quote ? `${String(found)} (a ${typeof found}; quote it: "${found}")` : foundText;
      return [
        finding(
          p,
          pos,
          field,
          `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}, found ${text}`,
        ),
      ];
    }
    case "invalid_value": {
      const values = issue.values.map((v) => JSON.stringify(v));
      const guess = typeof found === "string"
        ? didYouMean(found, issue.values.filter((v): v is string => typeof v === "string"))
        : undefined;
      const expected = values.length === 1 ? values[0] : `one of ${values.join(", ")}`;
      const hint = guess ? `; did you mean "${guess}"?` : "";
      return [finding(p, pos, field, `expected ${expected}, found ${foundText}${hint}`)];
    }
    case "invalid_format":
      return [finding(p, pos, field, `expected ${issue.message}, found ${foundText}`)];
    case "too_small":
    case "too_big": {
      const cmp = issue.code === "too_small"
        ? (issue.inclusive ? "at least" : "more than")
        : (issue.inclusive ? "at most" : "less than");
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const what = issue.origin === "array"
        ? `${cmp} ${bound} item${bound === 1 ? "" : "s"}`
        : issue.origin === "string"
        ? (issue.code === "too_small" && bound === 1
          ? "a non-empty string"
          : `${cmp} ${bound} characters`)
        : `${cmp} ${bound}`;
      const n = Array.isArray(found) ? `${found.length} items` : foundText;
      return [finding(p, pos, field, `expected ${what}, found ${n}`)];
    }
    case "invalid_key": {
      const key = String(path[path.length - 1]);
      const inner = issue.issues[0]?.message ?? "a valid key";
      return [
        finding(
          p,
          keyPosition(p.doc, p.lines, segments(path.slice(0, -1)), key),
          field,
          `expected a key that is ${inner}, found ${JSON.stringify(key)}`,
        ),
      ];
    }
    case "invalid_union":
      return [finding(p, pos, field, `expected a string, number or boolean, found ${foundText}`)];
    case "custom": {
      // A refinement of a scalar whose message names what is expected ("a duration …").
      const expectation = (issue.params as { expected?: boolean } | undefined)?.expected ||
        (found !== null && typeof found !== "object" && /^an? /.test(issue.message));
      return [
        finding(
          p,
          pos,
          field,
          expectation ? `expected ${issue.message}, found ${foundText}` : issue.message,
        ),
      ];
    }
    default:
      return [finding(p, pos, field, `${issue.message}, found ${foundText}`)];
  }
}

function byPosition(a: Finding, b: Finding): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column ||
    a.field.localeCompare(b.field);
}

/**
 * Loads a cluster from its files' texts (`{"cluster.yaml": "…", "prometheus.yaml": "…"}`); other
 * names are ignored. Pure: `dir` only names the files in findings.
 */
export function loadClusterFromSources(
  name: string,
  files: Readonly<Record<string, string>>,
  dir = `clusters/${name}`,
): LoadResult {
  const findings: Finding[] = [];
  const sources: Partial<Record<ClusterFileName, SourceFile>> = {};
  const parsed: Partial<Record<ClusterFileName, unknown>> = {};
  const docs: Partial<Record<ClusterFileName, Parsed>> = {};
  for (const fileName of Object.keys(CLUSTER_FILES) as ClusterFileName[]) {
    const text = files[fileName];
    const path = `${dir}/${fileName}`;
    if (text === undefined) {
      if (fileName === "cluster.yaml") {
        findings.push(
          fileFinding(
            path,
            `missing; every cluster folder has a cluster.yaml (kind: Cluster)`,
            "schema",
          ),
        );
      }
      continue;
    }
    const source = { path, text };
    sources[fileName] = source;
    const p = parse(source);
    docs[fileName] = p;
    const syntax = syntaxFindings(p);
    findings.push(...syntax);
    if (syntax.some((f) => f.severity === "error")) continue;
    // A secret written here would be copied into overlays/ by generate: refused at the source.
    findings.push(...yamlCredentialFindings(source, CREDENTIAL_READERS[fileName]));
    const value = p.doc.toJS();
    if (value === null || value === undefined) {
      findings.push(
        finding(p, { line: 1, column: 1 }, "", `empty; expected a ${CLUSTER_FILES[fileName]}`),
      );
      continue;
    }
    const schema = FILE_SCHEMAS[fileName] as unknown as z.ZodType;
    if (fileName === "cluster.yaml") {
      const metaName = valueAt(value, ["metadata", "name"]);
      if (typeof metaName === "string" && metaName !== name) {
        findings.push(
          finding(
            p,
            locate(source, ["metadata", "name"]),
            "metadata.name",
            `expected ${JSON.stringify(name)} (the folder's name), found ${
              JSON.stringify(metaName)
            }`,
          ),
        );
      }
    }
    const result = schema.safeParse(value);
    if (result.success) parsed[fileName] = result.data;
    else {
      for (const issue of result.error.issues) {
        findings.push(...issueFindings(p, schema as unknown as AnySchema, value, issue));
      }
    }
  }
  const cluster = parsed["cluster.yaml"] as ClusterParts["cluster"] | undefined;
  if (!cluster) {
    findings.sort(byPosition);
    return { findings };
  }
  // The files that parsed; a file with errors is left out of the rules between files (they
  // would judge its defaults), and of the cluster.
  const parts: ClusterParts = {
    cluster,
    ...(parsed["prometheus.yaml"]
      ? { prometheus: parsed["prometheus.yaml"] as NonNullable<ClusterParts["prometheus"]> }
      : {}),
    ...(parsed["alertmanager.yaml"]
      ? { alertmanager: parsed["alertmanager.yaml"] as NonNullable<ClusterParts["alertmanager"]> }
      : {}),
    ...(parsed["grafana.yaml"]
      ? { grafana: parsed["grafana.yaml"] as NonNullable<ClusterParts["grafana"]> }
      : {}),
  };
  for (const v of crossFileViolations(parts)) {
    const p = docs[v.file];
    if (p) findings.push(finding(p, locate(p.source, v.path), formatPath(v.path), v.message));
  }
  findings.sort(byPosition);
  const allParsed = Object.keys(sources).every((f) => parsed[f as ClusterFileName] !== undefined);
  if (!allParsed || findings.some((f) => f.severity === "error")) return { findings };
  return { cluster: buildCluster(dir, parts, sources), findings };
}

/** A file's text, or undefined when it does not exist. */
export async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    if ((e as { code?: string }).code === "ENOENT") return undefined;
    throw e;
  }
}

/**
 * Loads the cluster folder `dir`; findings name files relative to `root` (the repository).
 */
export async function loadCluster(dir: string, root = ROOT): Promise<LoadResult> {
  const files: Record<string, string> = {};
  for (const f of Object.keys(CLUSTER_FILES)) {
    const text = await readIfPresent(join(dir, f));
    if (text !== undefined) files[f] = text;
  }
  const rel = relative(root, dir).split("\\").join("/");
  return loadClusterFromSources(basename(dir), files, rel);
}

/** The names of the cluster folders under `root`: every folder with a cluster.yaml. */
export async function clusterNames(root = CLUSTERS_DIR): Promise<string[]> {
  const names: string[] = [];
  for (const e of await readdir(root, { withFileTypes: true })) {
    if (!e.isDirectory() || (NOT_CLUSTERS as readonly string[]).includes(e.name)) continue;
    if (await readIfPresent(join(root, e.name, "cluster.yaml")) !== undefined) names.push(e.name);
  }
  return names.sort();
}

/** Loads every cluster under `root`, sorted by name; clusters with errors are left out. */
export async function loadAllClusters(
  root = CLUSTERS_DIR,
): Promise<{ clusters: Cluster[]; findings: Finding[] }> {
  const clusters: Cluster[] = [];
  const findings: Finding[] = [];
  for (const name of await clusterNames(root)) {
    const r = await loadCluster(join(root, name), dirname(root));
    findings.push(...r.findings);
    if (r.cluster) clusters.push(r.cluster);
  }
  return { clusters, findings };
}
