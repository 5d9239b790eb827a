import { homedir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root (this file is tasks/model/paths.ts). */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");
/** Gitignored folder of pinned tools (`deno task tools`). */
export const TOOLS_DIR = join(ROOT, ".tools");
/** Links to the pinned binaries in the per-user cache. */
export const BIN_DIR = join(TOOLS_DIR, "bin");
/**
 * The per-user cache shared by every clone on the machine: built tools, keyed by module, version
 * and build inputs, and the Go build cache. `HA_MONITORING_CACHE` moves it.
 */
export const USER_CACHE_DIR = process.env.HA_MONITORING_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "ha-monitoring");
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
