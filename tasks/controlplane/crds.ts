/**
 * The prometheus-operator CRDs at the pinned operator version: the same files the reconcilers
 * apply before the stack (clusters/argocd/crds.yaml, clusters/flux/sources.yaml) and the schemas
 * are built from, read from the operator's Go module.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Versions } from "../model/versions.ts";
import { type K8sObject, parseManifests } from "../render/kustomize.ts";
import { goModDownload } from "../schemas/gomod.ts";
import { schemaSources } from "../schemas/sources.ts";

export async function operatorCrds(versions: Versions): Promise<K8sObject[]> {
  const source = schemaSources(versions).find((s) => s.name === "prometheus-operator");
  if (!source) throw new Error("no prometheus-operator schema source");
  const { dir } = await goModDownload(source.module, source.version);
  return source.files.flatMap((f) => parseManifests(readFileSync(join(dir, f), "utf8")));
}
