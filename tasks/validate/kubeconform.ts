/**
 * kubeconform check: every rendered object against the strict offline schemas `deno task schemas`
 * builds (built-in kinds of the pinned Kubernetes release, CRDs of the pinned operator, Argo CD
 * and Flux). A kind without a schema is an error, never skipped.
 */
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import type { Finding } from "../model/finding.ts";
import { ROOT, SCHEMA_CACHE_DIR, toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { type Render, resourceId } from "../render/kustomize.ts";
import type { K8sObject } from "../render/objects.ts";
import { builtinDir, kubeconformSchemaArgs } from "../schemas/layout.ts";
import { splitDocuments } from "./render_cache.ts";

export { KUBERNETES_VERSION } from "../schemas/sources.ts";

const CHECK = "kubeconform";

/** One schema violation (or a resource kubeconform could not check). */
export interface KubeconformError {
  /** The rendered object, when it could be told from kubeconform's answer. */
  object?: K8sObject;
  /** Its index among the render's objects. */
  index?: number;
  /** `Kind/namespace/name` (`Kind/name` when the object is unknown). */
  resource: string;
  /** Path of the offending value in the object (`spec.template.spec`), "" for the whole object. */
  field: string;
  message: string;
}

/** kubeconform's `-output json` answer. */
export interface KubeconformOutput {
  resources: {
    filename: string;
    kind: string;
    name: string;
    version: string;
    status: string;
    msg: string;
    validationErrors?: { path: string; msg: string }[];
  }[];
}

/** Runs the pinned kubeconform once over a render and returns every error it reports. */
export async function kubeconformErrors(
  render: Pick<Render, "yaml" | "objects">,
  opts: KubeconformOptions,
): Promise<KubeconformError[]> {
  return (await kubeconformErrorsOfRenders([render], opts))[0] ?? [];
}

export interface KubeconformOptions {
  kubernetesVersion: string;
  schemaDir?: string;
  /** kubeconform's worker goroutines (default 1: the time goes into compiling each schema). */
  workers?: number;
}

/**
 * Runs the pinned kubeconform once over several renders (one process compiles each schema once
 * for all of them) and returns the errors of each render. Each render is written to files of its
 * own (see stagedFiles()) and kubeconform names the file in each result: an error is told to its
 * cluster exactly, and to its object by the file and the object's apiVersion, kind and name.
 */
export async function kubeconformErrorsOfRenders(
  renders: ReadonlyArray<Pick<Render, "yaml" | "objects">>,
  opts: KubeconformOptions,
): Promise<KubeconformError[][]> {
  const schemaDir = opts.schemaDir ?? SCHEMA_CACHE_DIR;
  if (!existsSync(join(schemaDir, builtinDir(opts.kubernetesVersion)))) {
    throw new Error(
      `no kubeconform schemas for Kubernetes ${opts.kubernetesVersion} in ${schemaDir}; ` +
        "run `deno task schemas`",
    );
  }
  const dir = await mkdtemp(join(tmpdir(), "kubeconform-"));
  try {
    await Promise.all(renders.map(async (render, r) => {
      await mkdir(join(dir, String(r)));
      await Promise.all(
        stagedFiles(render).map((f) => writeFile(join(dir, String(r), f.name), f.text)),
      );
    }));
    const res = await run(toolPath("kubeconform"), [
      "-strict",
      "-output",
      "json",
      "-kubernetes-version",
      opts.kubernetesVersion,
      "-n",
      String(opts.workers ?? 1),
      ...kubeconformSchemaArgs(schemaDir),
      dir,
    ]);
    let output: KubeconformOutput;
    try {
      output = JSON.parse(res.stdout);
    } catch {
      throw new Error(`kubeconform exited ${res.code}: ${res.stderr.trim() || res.stdout.trim()}`);
    }
    return errorsOf(output, renders.map((r) => r.objects));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The text of each object of a render, in the order of `objects`: kustomize's own documents
 * (what kubeconform would read from the whole stream), or each object as JSON when the documents
 * cannot be matched to the objects one to one.
 */
export function documentsOf(render: Pick<Render, "yaml" | "objects">): string[] {
  const docs = splitDocuments(render.yaml);
  return docs.length === render.objects.length
    ? docs
    : render.objects.map((o) => JSON.stringify(o));
}

/** What tells a render's objects apart in kubeconform's answer. */
function keyOf(apiVersion: unknown, kind: unknown, name: unknown): string {
  return `${apiVersion}\0${kind}\0${name}`;
}

/**
 * Each object's index by its key, for the objects whose key is theirs alone in the render: all
 * of a kustomize render, which refuses two objects of one kind, name and namespace and puts
 * every namespaced object in the overlay's namespace.
 */
function uniqueKeys(objects: readonly K8sObject[]): Map<string, number> {
  const seen = new Map<string, number>();
  objects.forEach((o, i) => {
    const k = keyOf(o.apiVersion, o.kind, o.metadata?.name);
    seen.set(k, seen.has(k) ? -1 : i);
  });
  return new Map([...seen].filter(([, i]) => i >= 0));
}

/**
 * The files a render is written to for kubeconform: `all.yaml` holds every object its
 * apiVersion, kind and name tell apart, and any other object (the same kind and name twice, in
 * two namespaces) has a file of its own, `o<index>.yaml`. A few files per render keep the cost
 * of a single stream; the names make each result's object certain.
 */
export function stagedFiles(
  render: Pick<Render, "yaml" | "objects">,
): Array<{ name: string; text: string }> {
  const docs = documentsOf(render).map((d) => (d.endsWith("\n") ? d : `${d}\n`));
  const unique = new Set(uniqueKeys(render.objects).values());
  const files = docs.flatMap((text, i) => unique.has(i) ? [] : [{ name: `o${i}.yaml`, text }]);
  const all = docs.filter((_, i) => unique.has(i));
  return all.length > 0 ? [{ name: "all.yaml", text: all.join("---\n") }, ...files] : files;
}

/** `…/<render>/all.yaml` or `…/<render>/o<object>.yaml`. */
const STAGED = /(?:^|[\\/])(\d+)[\\/](?:all|o(\d+))\.yaml$/;

/**
 * Maps kubeconform's results to errors on the objects of each render: the render by the file
 * kubeconform names, the object by that file and its apiVersion, kind and name.
 */
export function errorsOf(
  output: KubeconformOutput,
  renders: ReadonlyArray<readonly K8sObject[]>,
): KubeconformError[][] {
  const out: Array<Array<KubeconformError & { index: number }>> = renders.map(() => []);
  const keys = renders.map(uniqueKeys);
  for (const res of output.resources) {
    if (res.status !== "statusInvalid" && res.status !== "statusError") continue;
    const m = STAGED.exec(res.filename);
    const r = m ? Number(m[1]) : -1;
    const index = m?.[2] !== undefined
      ? Number(m[2])
      : (keys[r]?.get(keyOf(res.version, res.kind, res.name)) ?? -1);
    const object = renders[r]?.[index];
    const list = out[r] ?? out[0];
    if (!list) continue;
    const resource = object ? resourceId(object) : [res.kind, res.name].filter(Boolean).join("/");
    const base = object ? { object, index, resource } : { index: -1, resource };
    const details = res.validationErrors ?? [];
    if (details.length === 0) {
      list.push({ ...base, field: "", message: explain(res.msg, res.version, res.kind) });
    }
    for (const d of details) {
      list.push({ ...base, field: object ? fieldPath(object, d.path) : d.path, message: d.msg });
    }
  }
  // kubeconform's order (within an object, and across objects with several workers) varies
  // from run to run: document order, then field and message.
  return out.map((list) =>
    list.sort((a, b) =>
      a.index - b.index || compare(a.field, b.field) || compare(a.message, b.message)
    ).map((e) => {
      const { index, ...rest } = e;
      return index >= 0 ? { ...rest, index } : rest;
    })
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function explain(msg: string, apiVersion: string, kind: string): string {
  if (!msg.startsWith("could not find schema")) return msg;
  return `no schema for ${apiVersion} ${kind} (built-in kinds and CRDs are listed in ` +
    "tasks/schemas/sources.ts)";
}

/**
 * kubeconform's `/spec/template/...` as a field path (`spec.template.containers[0]`, keys with
 * dots quoted: `metadata.labels["app.kubernetes.io/name"]`). kubeconform joins the segments
 * without escaping them, so a key containing `/` is found by walking the object.
 */
export function fieldPath(object: unknown, pointer: string): string {
  const parts = pointer.split("/").slice(1);
  let node: unknown = object;
  let out = "";
  while (parts.length > 0) {
    if (Array.isArray(node) && /^\d+$/.test(parts[0]!)) {
      const i = Number(parts.shift());
      out += `[${i}]`;
      node = node[i];
      continue;
    }
    let n = 1;
    if (typeof node === "object" && node !== null) {
      const keys = node as Record<string, unknown>;
      for (let k = 1; k <= parts.length; k++) {
        if (Object.hasOwn(keys, parts.slice(0, k).join("/"))) {
          n = k;
          break;
        }
      }
    }
    const key = parts.splice(0, n).join("/");
    out += /^[\w\-$]+$/.test(key) ? (out === "" ? key : `.${key}`) : `[${JSON.stringify(key)}]`;
    node = typeof node === "object" && node !== null
      ? (node as Record<string, unknown>)[key]
      : undefined;
  }
  return out;
}

/**
 * The kubeconform check of one render: a finding per schema violation, on the rendered folder,
 * naming the resource in `field` and the offending field path in the message.
 */
export async function kubeconformFindings(
  render: Pick<Render, "dir" | "yaml" | "objects">,
  opts: { kubernetesVersion: string },
): Promise<Finding[]> {
  const rel = isAbsolute(render.dir) ? relative(ROOT, render.dir) : render.dir;
  const file = rel.startsWith("..") ? render.dir : rel;
  return (await kubeconformErrors(render, opts)).map((e) => ({
    severity: "error",
    file: file.split("\\").join("/"),
    line: 0,
    column: 0,
    field: e.resource,
    message: e.field ? `${e.field}: ${e.message}` : e.message,
    check: CHECK,
  }));
}
