import { parseAllDocuments } from "yaml";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import type { K8sObject } from "./objects.ts";

export interface Render {
  /** The overlay (or base) folder that was built. */
  dir: string;
  /** The multi-document YAML kustomize printed. */
  yaml: string;
  objects: K8sObject[];
}

/** Parses kustomize's multi-document output into objects. */
export function parseManifests(yaml: string): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(yaml)) {
    if (doc.errors.length > 0) throw new Error(`unparsable manifest: ${doc.errors[0]?.message}`);
    const value = doc.toJS({ maxAliasCount: -1 });
    if (value && typeof value === "object") objects.push(value as K8sObject);
  }
  return objects;
}

/** Runs the pinned kustomize on a folder. Throws with kustomize's message on failure. */
export async function kustomizeBuild(dir: string): Promise<Render> {
  const r = await run(toolPath("kustomize"), [
    "build",
    "--load-restrictor",
    "LoadRestrictionsNone",
    dir,
  ]);
  if (r.code !== 0) throw new KustomizeError(dir, r.stderr.trim());
  return { dir, yaml: r.stdout, objects: parseManifests(r.stdout) };
}

export class KustomizeError extends Error {
  constructor(readonly dir: string, readonly detail: string) {
    super(`kustomize build ${dir} failed: ${detail}`);
  }
}

/** `Kind/namespace/name`, the way findings name a resource. */
export function resourceId(o: K8sObject): string {
  return [o.kind, o.metadata.namespace, o.metadata.name].filter(Boolean).join("/");
}
