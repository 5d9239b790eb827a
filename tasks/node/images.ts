/**
 * Which pinned binary stands for a container's image on the local cluster, and the argv the
 * container runs: Kubernetes' rules for `command` and `args` over the image's own ENTRYPOINT and
 * CMD (versions.json `images.<key>.run`).
 */
import type { ImageRun, Versions } from "../model/versions.ts";

/** `quay.io/thanos/thanos:v0.42.2` or `…@sha256:…` → `quay.io/thanos/thanos`. */
export function imageRepository(image: string): string {
  return image.replace(/@.*$/, "").replace(/:[^/:]*$/, "");
}

export interface RunnableImage {
  /** The key of versions.json `images`. */
  key: string;
  run: ImageRun;
}

/** The pinned image a container's image names, if the local cluster can run it. Pure. */
export function runnableImage(versions: Versions, image: string): RunnableImage | undefined {
  const repo = imageRepository(image);
  for (const [key, pin] of Object.entries(versions.images)) {
    if (pin.image === repo && pin.run) return { key, run: pin.run };
  }
  return undefined;
}

/**
 * The argv of a container as Kubernetes builds it: `command` replaces the image's ENTRYPOINT
 * (and drops its CMD), `args` replaces the CMD. Pure.
 */
export function containerArgv(
  run: ImageRun,
  command: readonly string[] | undefined,
  args: readonly string[] | undefined,
): string[] {
  if (command?.length) return [...command, ...(args ?? [])];
  return [...run.entrypoint, ...(args?.length ? args : run.cmd)];
}
