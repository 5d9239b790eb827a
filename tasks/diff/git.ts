/**
 * The repository at a git revision, in memory, through plumbing: `git ls-tree` names the files
 * of base/, clusters/ and versions.json, one `git cat-file --batch` reads them all. No checkout,
 * no temporary tree.
 */
import { UsageError } from "../cli/command.ts";
import { run, runBytes } from "../proc/run.ts";
import type { RepoFiles } from "../validate/repo.ts";

/** A ref that cannot be used (unknown, not a commit, no repository): a usage error. */
export class GitRefError extends UsageError {}

/** The paths diff reads from each side. */
export const DIFF_PATHS = ["base", "clusters", "versions.json"] as const;

async function git(root: string, args: readonly string[], stdin?: string): Promise<string> {
  const r = await run("git", ["-C", root, ...args], stdin === undefined ? {} : { stdin });
  if (r.code !== 0) {
    throw new GitRefError(`git ${args.join(" ")}: ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

/** The commit a ref names, in full. */
export async function resolveCommit(root: string, ref: string): Promise<string> {
  try {
    return (await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`])).trim();
  } catch {
    throw new GitRefError(`--base: ${JSON.stringify(ref)} is not a commit of this repository`);
  }
}

export interface BaseRef {
  /** What the user named, or the default's description. */
  ref: string;
  sha: string;
  /** How reports name it: `main (merge base, 3f2a1bc)`, `HEAD~1 (3f2a1bc)`. */
  label: string;
}

/**
 * The base of the comparison: `ref` when given; else the merge base of HEAD with `main` (or with
 * `origin/main` where no local `main` exists, as in a CI checkout).
 */
export async function baseRef(root: string, ref?: string): Promise<BaseRef> {
  if (ref !== undefined) {
    const sha = await resolveCommit(root, ref);
    return { ref, sha, label: `${ref} (${sha.slice(0, 7)})` };
  }
  for (const branch of ["main", "origin/main"]) {
    const r = await run("git", ["-C", root, "merge-base", "HEAD", branch]);
    if (r.code === 0 && r.stdout.trim()) {
      const sha = r.stdout.trim();
      return { ref: branch, sha, label: `${branch} (merge base ${sha.slice(0, 7)})` };
    }
  }
  throw new GitRefError(
    "no merge base of HEAD with main or origin/main (is this a git repository with a main " +
      "branch?); name the base with --base <ref>",
  );
}

/** Whether a path has a hidden segment (`.git`, `.gitkeep`): skipped, as on the working tree. */
function hidden(path: string): boolean {
  return path.split("/").some((s) => s.startsWith("."));
}

/**
 * Every file under `paths` at commit `sha`, by path from the repository root. Symbolic links and
 * submodules are left out, as the working tree's reader leaves them out.
 */
export async function readFilesAt(
  root: string,
  sha: string,
  paths: readonly string[] = DIFF_PATHS,
): Promise<RepoFiles> {
  const prefix = (await git(root, ["rev-parse", "--show-prefix"])).trim();
  const listing = await git(root, [
    "ls-tree",
    "-r",
    "-z",
    "--full-name",
    sha,
    "--",
    ...paths.map((p) => `${prefix}${p}`),
  ]);
  const wanted: Array<{ path: string; oid: string }> = [];
  for (const entry of listing.split("\0")) {
    const m = /^(\d+) (\w+) ([0-9a-f]+)\t(.*)$/s.exec(entry);
    if (!m || m[2] !== "blob" || m[1] === "120000") continue;
    const path = (m[4] as string).slice(prefix.length);
    if (!hidden(path)) wanted.push({ path, oid: m[3] as string });
  }
  const out: RepoFiles = new Map();
  if (wanted.length === 0) return out;
  const r = await runBytes("git", ["-C", root, "cat-file", "--batch"], {
    stdin: wanted.map((w) => w.oid).join("\n") + "\n",
  });
  if (r.code !== 0) throw new Error(`git cat-file --batch exited ${r.code}: ${r.stderr.trim()}`);
  const bytes = r.stdout;
  const text = new TextDecoder();
  let at = 0;
  for (const w of wanted) {
    const eol = bytes.indexOf(10, at);
    const header = text.decode(bytes.subarray(at, eol));
    const size = Number(/^[0-9a-f]+ blob (\d+)$/.exec(header)?.[1]);
    if (!Number.isInteger(size)) throw new Error(`git cat-file: unexpected "${header}"`);
    out.set(w.path, text.decode(bytes.subarray(eol + 1, eol + 1 + size)));
    at = eol + 1 + size + 1;
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
