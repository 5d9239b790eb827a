/**
 * Where the built schemas live in the cache, laid out for kubeconform's `-schema-location`
 * templates:
 *
 * - built-in kinds: `v1.34.4-standalone-strict/deployment-apps-v1.json`, the layout of
 *   kubeconform's own schema repository, so `-kubernetes-version` selects the release;
 * - custom resources: `crds/monitoring.coreos.com/prometheusrule_v1.json`, by full group, so two
 *   groups sharing a first label (`kustomize.toolkit.fluxcd.io`, `kustomize.config.k8s.io`) never
 *   collide.
 *
 * kubeconform tries the locations in order and moves on when a file is missing; a kind found in
 * neither is an error (we never pass `-ignore-missing-schemas`).
 */
import { join } from "node:path";
import { SCHEMA_CACHE_DIR } from "../model/paths.ts";
import type { GroupVersionKind } from "./openapi.ts";

/** Folder of the built-in kinds of one Kubernetes version (`1.34.4`), relative to the cache. */
export function builtinDir(kubernetesVersion: string): string {
  return `v${kubernetesVersion}-standalone-strict`;
}

/** Mirrors kubeconform's `{{ .ResourceKind }}{{ .KindSuffix }}`: kind, first group label, version. */
export function builtinSchemaPath(kubernetesVersion: string, gvk: GroupVersionKind): string {
  const group = gvk.group ? `-${gvk.group.split(".")[0]}` : "";
  return `${builtinDir(kubernetesVersion)}/${gvk.kind.toLowerCase()}${group}-${gvk.version}.json`
    .toLowerCase();
}

export function crdSchemaPath(gvk: GroupVersionKind): string {
  return `crds/${gvk.group}/${gvk.kind.toLowerCase()}_${gvk.version}.json`;
}

/** The `-schema-location` arguments that make kubeconform read only the built cache. */
export function kubeconformSchemaArgs(cacheDir: string = SCHEMA_CACHE_DIR): string[] {
  return [
    "-schema-location",
    join(
      cacheDir,
      "{{ .NormalizedKubernetesVersion }}-standalone-strict",
      "{{ .ResourceKind }}{{ .KindSuffix }}.json",
    ),
    "-schema-location",
    join(cacheDir, "crds", "{{ .Group }}", "{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json"),
  ];
}
