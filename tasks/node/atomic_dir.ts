/**
 * Writes a volume's files the way the kubelet does, so a reader never sees half an update: the
 * files go into a new hidden folder, a `..data` link is switched to it in one rename, and each
 * visible entry is a link through `..data`. Programs watching the folder (the config reloader)
 * see one change per update.
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";

export interface VolumeFile {
  data: Uint8Array | string;
  /** Permission bits (default 0o644). */
  mode?: number;
}

const DATA = "..data";

function same(a: Uint8Array | string, b: Uint8Array): boolean {
  const x = typeof a === "string" ? new TextEncoder().encode(a) : a;
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

/** True when `dir` already holds exactly `files` (so an update would change nothing). */
function unchanged(dir: string, files: ReadonlyMap<string, VolumeFile>): boolean {
  const current = join(dir, DATA);
  if (!existsSync(current)) return false;
  for (const [path, f] of files) {
    const file = join(current, path);
    if (!existsSync(file) || !same(f.data, readFileSync(file))) return false;
  }
  const count = (d: string): number =>
    readdirSync(d, { withFileTypes: true }).reduce(
      (n, e) => n + (e.isDirectory() ? count(join(d, e.name)) : 1),
      0,
    );
  return count(current) === files.size;
}

/** Writes `files` (relative paths) into `dir` atomically; returns false when nothing changed. */
export function writeAtomicDir(dir: string, files: ReadonlyMap<string, VolumeFile>): boolean {
  mkdirSync(dir, { recursive: true });
  if (unchanged(dir, files)) return false;
  const stamp = `..${new Date().toISOString().replace(/[:.]/g, "_")}.${
    Math.random().toString(36).slice(2, 8)
  }`;
  const fresh = join(dir, stamp);
  mkdirSync(fresh, { mode: 0o755 });
  for (const [path, f] of files) {
    const target = join(fresh, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, f.data);
    chmodSync(target, f.mode ?? 0o644);
  }
  const previous = existsSync(join(dir, DATA)) ? readlinkSync(join(dir, DATA)) : undefined;
  const tmpLink = join(dir, "..data_tmp");
  rmSync(tmpLink, { force: true });
  symlinkSync(stamp, tmpLink);
  renameSync(tmpLink, join(dir, DATA));
  const top = new Set([...files.keys()].map((p) => p.split("/")[0] as string));
  for (const name of top) {
    const link = join(dir, name);
    if (!existsSync(link)) symlinkSync(join(DATA, name), link);
  }
  for (const e of readdirSync(dir)) {
    if (e.startsWith("..") && e !== DATA && e !== stamp) {
      rmSync(join(dir, e), { recursive: true, force: true });
    } else if (!e.startsWith("..") && !top.has(e)) rmSync(join(dir, e), { force: true });
  }
  if (previous && previous !== stamp) rmSync(join(dir, previous), { recursive: true, force: true });
  return true;
}
