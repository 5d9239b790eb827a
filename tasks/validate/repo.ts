/** Reads the parts of a repository validate looks at, once, into memory. */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { NOT_CLUSTERS } from "../model/load.ts";

/** Files by path relative to the repository root (forward slashes) → text. */
export type RepoFiles = Map<string, string>;

/** Every file under `root/<top>` for each top folder, skipping hidden entries. */
export async function readRepoFiles(
  root: string,
  tops: readonly string[] = ["base", "clusters", "overlays"],
): Promise<RepoFiles> {
  const out: RepoFiles = new Map();
  const walk = async (rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(join(root, rel), { withFileTypes: true });
    } catch (e) {
      if ((e as { code?: string }).code === "ENOENT") return;
      throw e;
    }
    await Promise.all(entries.map(async (e) => {
      if (e.name.startsWith(".")) return;
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child);
      else if (e.isFile()) out.set(child, await readFile(join(root, child), "utf8"));
    }));
  };
  await Promise.all(tops.map((t) => walk(t)));
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The files under `prefix/` (`overlays/staging`), keyed by path relative to it. */
export function under(files: RepoFiles, prefix: string): Map<string, string> {
  const out = new Map<string, string>();
  const p = `${prefix}/`;
  for (const [path, text] of files) if (path.startsWith(p)) out.set(path.slice(p.length), text);
  return out;
}

/** Names of the entries directly inside `prefix/` (folders end with `/`). */
export function entriesOf(files: RepoFiles, prefix: string): string[] {
  const out = new Set<string>();
  const p = `${prefix}/`;
  for (const path of files.keys()) {
    if (!path.startsWith(p)) continue;
    const rest = path.slice(p.length);
    const slash = rest.indexOf("/");
    out.add(slash < 0 ? rest : `${rest.slice(0, slash)}/`);
  }
  return [...out].sort();
}

/** The clusters of a repository: folders of clusters/ other than the reconcilers' entry points. */
export function clusterFolders(files: RepoFiles): string[] {
  return entriesOf(files, "clusters")
    .filter((e) => e.endsWith("/"))
    .map((e) => e.slice(0, -1))
    .filter((n) => !(NOT_CLUSTERS as readonly string[]).includes(n));
}
