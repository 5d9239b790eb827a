import { z } from "zod";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./paths.ts";

/**
 * How the local cluster's node agent runs an image without a container runtime: the pinned
 * binary standing for it, and the image's own entrypoint facts (from its Dockerfile), which a
 * container's `command` and `args` replace as Kubernetes says.
 */
export const ImageRun = z.strictObject({
  /** Key of `tools` that builds the binary, and the binary's name. */
  tool: z.string(),
  binary: z.string(),
  /** The image's ENTRYPOINT; its first element is where the binary sits in the image. */
  entrypoint: z.array(z.string()).min(1),
  /** The image's CMD. */
  cmd: z.array(z.string()).default([]),
  /** The image's WORKDIR. */
  workingDir: z.string().default("/"),
  /** The image's USER, as a uid. */
  user: z.int().optional(),
});
export type ImageRun = z.infer<typeof ImageRun>;

/** A container image deployed by base/ through the overlays (or run by the local cluster). */
export const ImagePin = z.strictObject({
  image: z.string().regex(/^[a-z0-9.\-/]+$/, "an image name without tag"),
  tag: z.string().regex(/^v?\d+\.\d+\.\d+$/, "a release tag such as v1.2.3"),
  /** Absent: the image cannot run on the local cluster (its pods wait as ImageNotRunnable). */
  run: ImageRun.optional(),
});
export type ImagePin = z.infer<typeof ImagePin>;

/** A tool the tasks run, built from a Go module at a pinned version. */
export const ToolPin = z.strictObject({
  module: z.string(),
  version: z.string().regex(/^v\d+\.\d+\.\d+$/),
  /** The version the binary reports, and the image's tag without `v`. */
  appVersion: z.string().regex(/^\d+\.\d+\.\d+$/),
  /**
   * Go variables set with `-ldflags -X` at build time, so each binary reports its pin. Values
   * may name `{version}` (the module version), `{appVersion}`, `{major}` and `{minor}`.
   */
  versionVars: z.record(z.string(), z.string()).optional(),
  /** Go build tags upstream's release build uses (Thanos needs `slicelabels`: it reinterprets
   * Prometheus label slices in place, which the default string labels would corrupt). */
  tags: z.array(z.string()).optional(),
  /** The key in `images` of the same program running in the cluster, if any. */
  image: z.string().optional(),
  /** A committed tools module (go.mod/go.sum), for modules whose go.mod has replace/exclude. */
  gomod: z.string().optional(),
  /** Binary name → package path inside the module ("" for the module root). */
  binaries: z.record(z.string(), z.string()),
  /** Arguments that make each binary print its version (default `--version`). */
  versionArgs: z.array(z.string()).optional(),
  /** The same, for binaries of the tool that differ. */
  binaryVersionArgs: z.record(z.string(), z.array(z.string())).optional(),
  /** Minutes a build takes with an empty Go build cache on 2 cores, as measured. */
  coldBuildMinutes: z.number().positive().optional(),
});
export type ToolPin = z.infer<typeof ToolPin>;

export const Versions = z.strictObject({
  $comment: z.string().optional(),
  deno: z.string(),
  images: z.record(z.string(), ImagePin),
  tools: z.record(z.string(), ToolPin),
});
export type Versions = z.infer<typeof Versions>;

export const VERSIONS_FILE = join(ROOT, "versions.json");

export function parseVersions(text: string): Versions {
  return Versions.parse(JSON.parse(text));
}

let cached: Versions | undefined;
/** The repository's versions.json, parsed once. */
export function loadVersions(): Versions {
  cached ??= parseVersions(readFileSync(VERSIONS_FILE, "utf8"));
  return cached;
}

/** `quay.io/prometheus/prometheus:v3.13.1` for a key of `images`. */
export function imageRef(versions: Versions, key: string): string {
  const pin = versions.images[key];
  if (!pin) throw new Error(`versions.json has no image "${key}"`);
  return `${pin.image}:${pin.tag}`;
}

/** The arguments that make `binary` of `pin` print its version. */
export function versionArgsOf(pin: ToolPin, binary: string): string[] {
  return pin.binaryVersionArgs?.[binary] ?? pin.versionArgs ?? ["--version"];
}
