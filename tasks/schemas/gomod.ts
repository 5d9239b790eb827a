/** Fetches a Go module with `go mod download`, the only way schema sources enter the build. */
import { tmpdir } from "node:os";
import { run } from "../proc/run.ts";

export interface ModuleDownload {
  module: string;
  version: string;
  /** The extracted module (read-only), in the Go module cache. */
  dir: string;
  /** The module zip, for size figures. */
  zip: string;
  /** The `h1:` hash go verified against sum.golang.org. */
  sum: string;
}

/**
 * Downloads module@version into the Go module cache (a no-op when already there) and returns
 * where it is. Run outside any Go module so no go.mod or go.work changes what is resolved.
 */
export async function goModDownload(module: string, version: string): Promise<ModuleDownload> {
  const at = `${module}@${version}`;
  const r = await run("go", ["mod", "download", "-json", at], { cwd: tmpdir() });
  let info: Record<string, unknown>;
  try {
    info = JSON.parse(r.stdout);
  } catch {
    throw new Error(`go mod download ${at} failed (exit ${r.code}): ${r.stderr.trim()}`);
  }
  return parseDownload(at, info);
}

/** Reads `go mod download -json`'s answer; an `Error` field or a missing `Dir` is a failure. */
export function parseDownload(at: string, info: Record<string, unknown>): ModuleDownload {
  if (typeof info.Error === "string") throw new Error(`go mod download ${at}: ${info.Error}`);
  const { Path, Version, Dir, Zip, Sum } = info;
  if (
    typeof Path !== "string" || typeof Version !== "string" || typeof Dir !== "string" ||
    typeof Zip !== "string" || typeof Sum !== "string" || !Sum.startsWith("h1:")
  ) {
    throw new Error(`go mod download ${at}: no Dir, Zip or h1: Sum in ${JSON.stringify(info)}`);
  }
  return { module: Path, version: Version, dir: Dir, zip: Zip, sum: Sum };
}
