import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is tasks/model/paths.ts). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
/** Gitignored folder of pinned tools (`deno task tools`). */
export const TOOLS_DIR = join(ROOT, ".tools");
export const BIN_DIR = join(TOOLS_DIR, "bin");
/** Gitignored cache (schemas built by `deno task schemas`, downloads). */
export const CACHE_DIR = join(ROOT, ".cache");
/** Offline JSON schemas for kubeconform, built by `deno task schemas`. */
export const SCHEMA_CACHE_DIR = join(CACHE_DIR, "schemas");
export const CLUSTERS_DIR = join(ROOT, "clusters");
export const OVERLAYS_DIR = join(ROOT, "overlays");
export const BASE_DIR = join(ROOT, "base");
/** Where tests leave artifacts CI keeps (screenshots, logs). */
export const ARTIFACTS_DIR = join(ROOT, ".artifacts");

/** Absolute path of a pinned binary installed by `deno task tools`. */
export function toolPath(binary: string): string {
  return join(BIN_DIR, binary);
}
