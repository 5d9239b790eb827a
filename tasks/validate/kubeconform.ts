/**
 * kubeconform check: every rendered object against the strict offline schemas `deno task schemas`
 * builds (built-in kinds of the pinned Kubernetes release, CRDs of the pinned operator, Argo CD
 * and Flux). A kind without a schema is an error, never skipped.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import type { Finding } from "../model/finding.ts";
import { ROOT, SCHEMA_CACHE_DIR, toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { type K8sObject, type Render, resourceId } from "../render/kustomize.ts";
import { builtinDir, kubeconformSchemaArgs } from "../schemas/layout.ts";

export { KUBERNETES_VERSION } from "../schemas/sources.ts";

const CHECK = "kubeconform";

/**
 * kubeconform's worker goroutines. One keeps results in document order (which tells apart objects
 * of the same kind and name in different namespaces) and measured as fast as two on a full
 * render: the time goes into compiling each schema once, not into validating.
 */
const WORKERS = "1";

/** One schema violation (or a resource kubeconform could not check). */
export interface KubeconformError {
  /** The rendered object, when it could be told from kubeconform's answer. */
  object?: K8sObject;
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
  opts: { kubernetesVersion: string; schemaDir?: string },
): Promise<KubeconformError[]> {
  const schemaDir = opts.schemaDir ?? SCHEMA_CACHE_DIR;
  if (!existsSync(join(schemaDir, builtinDir(opts.kubernetesVersion)))) {
    throw new Error(
      `no kubeconform schemas for Kubernetes ${opts.kubernetesVersion} in ${schemaDir}; ` +
        "run `deno task schemas`",
    );
  }
  const r = await run(toolPath("kubeconform"), [
    "-strict",
    "-output",
    "json",
    "-kubernetes-version",
    opts.kubernetesVersion,
    "-n",
    WORKERS,
    ...kubeconformSchemaArgs(schemaDir),
    "-",
  ], { stdin: render.yaml });
  let output: KubeconformOutput;
  try {
    output = JSON.parse(r.stdout);
  } catch {
    throw new Error(`kubeconform exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return errorsOf(output, render.objects);
}

/** Maps kubeconform's results to errors on the rendered objects. */
export function errorsOf(
  output: KubeconformOutput,
  objects: readonly K8sObject[],
): KubeconformError[] {
  const taken = new Set<K8sObject>();
  const errors: KubeconformError[] = [];
  for (const res of output.resources) {
    if (res.status !== "statusInvalid" && res.status !== "statusError") continue;
    // Results come in document order, so the first object not yet reported is the one.
    const object = objects.find((o) =>
      !taken.has(o) && o.kind === res.kind && o.apiVersion === res.version &&
      o.metadata?.name === res.name
    );
    if (object) taken.add(object);
    const resource = object ? resourceId(object) : [res.kind, res.name].filter(Boolean).join("/");
    const base = object ? { object, resource } : { resource };
    const details = res.validationErrors ?? [];
    if (details.length === 0) {
      errors.push({ ...base, field: "", message: explain(res.msg, res.version, res.kind) });
    }
    // kubeconform's order within one object varies from run to run.
    const sorted = details
      .map((d) => ({ ...base, field: object ? fieldPath(object, d.path) : d.path, message: d.msg }))
      .sort((a, b) => compare(a.field, b.field) || compare(a.message, b.message));
    errors.push(...sorted);
  }
  return errors;
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
