/**
 * Writing overlays whole or not at all, reading them back, and saying which files are stale.
 * The new `overlays/` tree is built in a temporary folder beside it and swapped in by renames.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export interface WriteOptions {
  /** Remove overlay folders absent from `overlays` (a full generate: their cluster is gone). */
  prune?: boolean;
  /** Called after each file is written into the temporary tree; tests throw from it. */
  onWrite?: (path: string) => void;
}

async function exists(path: string): Promise<boolean> {
  try {
    await readdir(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Replaces `overlaysDir/<name>/` by the files of each entry of `overlays` (name → path relative
 * to the overlay → text). Either every overlay is replaced, or (on any error) none is.
 */
export async function writeOverlays(
  overlaysDir: string,
  overlays: ReadonlyMap<string, ReadonlyMap<string, string>>,
  opts: WriteOptions = {},
): Promise<void> {
  const parent = dirname(overlaysDir);
  await mkdir(parent, { recursive: true });
  const tmp = await mkdtemp(join(parent, `.${basename(overlaysDir)}.new-`));
  const old = `${tmp.replace(".new-", ".old-")}`;
  try {
    // The untouched rest of overlays/ is carried over, so the swap below changes only `overlays`.
    if (await exists(overlaysDir)) {
      for (const entry of await readdir(overlaysDir, { withFileTypes: true })) {
        if (overlays.has(entry.name)) continue;
        if (opts.prune && entry.isDirectory()) continue;
        await cp(join(overlaysDir, entry.name), join(tmp, entry.name), { recursive: true });
      }
    }
    for (const [name, files] of overlays) {
      for (const [path, text] of files) {
        const target = join(tmp, name, path);
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, text);
        opts.onWrite?.(`${name}/${path}`);
      }
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  const hadOld = await exists(overlaysDir);
  if (hadOld) await rename(overlaysDir, old);
  try {
    await rename(tmp, overlaysDir);
  } catch (e) {
    if (hadOld) await rename(old, overlaysDir);
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  if (hadOld) await rm(old, { recursive: true, force: true });
}

/** Writes one file atomically (temporary file beside it, then rename). */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${Deno.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Every file under `dir`, by path relative to `dir` with `prefix` prepended; {} if absent. */
export async function readTree(dir: string, prefix = ""): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(sub: string): Promise<void> {
    let entries;
    try {
      entries = await readdir(join(dir, sub), { withFileTypes: true });
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return;
      throw e;
    }
    for (const e of entries) {
      const rel = sub ? `${sub}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(rel);
      else out.set(`${prefix}${rel}`, await readFile(join(dir, rel), "utf8"));
    }
  }
  await walk("");
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `overlays/staging/kustomization.yaml` → `staging`. */
function overlayName(path: string): string {
  return path.split("/")[1] ?? "";
}

/**
 * What differs between the files generate would write (`expected`) and those on disk
 * (`actual`), both keyed by path from the repository root: one sentence per file, sorted.
 */
export function staleFiles(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
): string[] {
  const out: string[] = [];
  const command = (path: string) =>
    path.startsWith("overlays/") ? `deno task generate ${overlayName(path)}` : "deno task generate";
  for (const [path, text] of expected) {
    const found = actual.get(path);
    if (found === undefined) out.push(`${path} is missing; run ${command(path)}`);
    else if (found !== text) out.push(`${path} is stale; run ${command(path)}`);
  }
  for (const path of actual.keys()) {
    if (!expected.has(path)) {
      out.push(`${path} is not generated any more; run deno task generate`);
    }
  }
  return out.sort();
}
