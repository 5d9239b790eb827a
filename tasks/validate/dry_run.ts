/**
 * The API server's judgement of every render: each object is sent as a server-side apply with
 * `dryRun=All` to a real kube-apiserver holding the operator's CRDs, which runs defaulting,
 * validation (ports in range, selectors matching their template, label values, CRD schemas and
 * CEL rules) and admission without storing anything. Each rejection names the object and field.
 */
import type { K8sObject } from "../render/objects.ts";
import { type KubeClient, KubeError } from "../kube/client.ts";
import { formatPath, parsePath } from "../model/field_path.ts";

export interface DryRunTarget {
  cluster: string;
  objects: readonly K8sObject[];
}

export interface Rejection {
  cluster: string;
  object: K8sObject;
  /** The field the server names (`spec.ports[0].port`), "" when it names none. */
  field: string;
  message: string;
}

/** The API server's causes as (field, message) pairs; the whole message when it gives none. */
export function rejectionsOf(e: KubeError): { field: string; message: string }[] {
  const causes = e.causes.filter((c) => c.message);
  if (causes.length === 0) return [{ field: "", message: e.message }];
  return causes.map((c) => ({
    field: c.field ?? "",
    message: c.field && c.message?.startsWith(`${c.field}: `)
      ? c.message.slice(c.field.length + 2)
      : c.message ?? "",
  }));
}

/**
 * The API server names a map (`metadata.labels`) when one of its values is invalid; the key
 * holding the invalid value it quotes is the field a person must change. Pure.
 */
export function refineField(object: unknown, field: string, message: string): string {
  const quoted = /^Invalid value: "((?:[^"\\]|\\.)*)"/.exec(message)?.[1];
  if (quoted === undefined) return field;
  const value = JSON.parse(`"${quoted}"`) as string;
  const segments = parsePath(field);
  let node: unknown = object;
  for (const s of segments) {
    if (node === null || typeof node !== "object") return field;
    node = (node as Record<string | number, unknown>)[typeof s === "object" ? s.name : s];
  }
  if (node === null || typeof node !== "object" || Array.isArray(node)) return field;
  const key = Object.entries(node).find(([, v]) => v === value)?.[0];
  return key === undefined ? field : formatPath([...segments, key]);
}

/** Namespaces the objects live in, so they exist before a dry run (it does not create them). */
export function namespacesOf(objects: readonly K8sObject[]): string[] {
  const defined = new Set(
    objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name),
  );
  const used = new Set<string>();
  for (const o of objects) {
    const ns = o.metadata.namespace;
    if (ns && !defined.has(ns)) used.add(ns);
  }
  for (const ns of defined) used.add(ns);
  return [...used].sort();
}

/** Creates a namespace for real (a dry run needs it to exist); one that exists is fine. */
async function ensureNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
  } catch (e) {
    if (!(e instanceof KubeError && e.status === 409)) throw e;
  }
}

/** Dry-runs every object of every target, `concurrency` requests at a time. */
export async function dryRun(
  client: KubeClient,
  targets: readonly DryRunTarget[],
  concurrency = 8,
): Promise<Rejection[]> {
  const namespaces = new Set(targets.flatMap((t) => namespacesOf(t.objects)));
  for (const ns of namespaces) await ensureNamespace(client, ns);
  const work = targets.flatMap((t) => t.objects.map((object) => ({ cluster: t.cluster, object })));
  const out: Rejection[][] = work.map(() => []);
  let next = 0;
  const worker = async () => {
    while (next < work.length) {
      const i = next++;
      const { cluster, object } = work[i]!;
      try {
        await client.apply(object, { fieldManager: "validate", dryRun: true });
      } catch (e) {
        if (!(e instanceof KubeError) || e.status >= 500) throw e;
        out[i] = rejectionsOf(e).map((r) => ({
          cluster,
          object,
          field: refineField(object, r.field, r.message),
          message: r.message,
        }));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, work.length) }, worker));
  return out.flat();
}
