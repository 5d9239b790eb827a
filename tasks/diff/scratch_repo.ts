/**
 * A scratch git repository for diff's tests and benchmark: the real base/ and versions.json and
 * copies of the named clusters of this repository, committed on `main`, in a temporary folder.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BASE_DIR, CLUSTERS_DIR, ROOT } from "../model/paths.ts";
import { runOk } from "../proc/run.ts";

export interface ScratchRepo {
  root: string;
  git(...args: string[]): Promise<string>;
  /** Writes a file (path from the root). */
  write(path: string, text: string): Promise<void>;
  /** Rewrites a file; throws when the edit changes nothing (a test that edits nothing tests nothing). */
  edit(path: string, fn: (text: string) => string): Promise<void>;
  /** Commits everything; returns the commit. */
  commit(message: string): Promise<string>;
}

/** `clusters` null: an empty repository (one empty commit), for tests of git plumbing. */
export async function makeScratchRepo(clusters: readonly string[] | null): Promise<ScratchRepo> {
  const root = await mkdtemp(join(tmpdir(), "diff-repo-"));
  const git = (...args: string[]) => runOk("git", ["-C", root, ...args]);
  if (clusters) {
    await cp(BASE_DIR, join(root, "base"), { recursive: true });
    await cp(join(ROOT, "versions.json"), join(root, "versions.json"));
  }
  for (const c of clusters ?? []) {
    await cp(join(CLUSTERS_DIR, c), join(root, "clusters", c), { recursive: true });
  }
  await git("init", "-q", "-b", "main");
  await git("config", "user.email", "diff@example.com");
  await git("config", "user.name", "diff test");
  await git("config", "commit.gpgsign", "false");
  const repo: ScratchRepo = {
    root,
    git,
    async write(path, text) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), text);
    },
    async edit(path, fn) {
      const before = await readFile(join(root, path), "utf8");
      const after = fn(before);
      if (after === before) throw new Error(`the edit of ${path} changed nothing`);
      await writeFile(join(root, path), after);
    },
    async commit(message) {
      await git("add", "-A");
      await git("commit", "-q", "--allow-empty", "-m", message);
      return (await git("rev-parse", "HEAD")).trim();
    },
  };
  await repo.commit(clusters ? "the example clusters" : "empty");
  return repo;
}

/** Runs `fn` with a scratch repository, removed afterwards. */
export async function withScratchRepo(
  clusters: readonly string[] | null,
  fn: (repo: ScratchRepo) => Promise<void>,
): Promise<void> {
  const repo = await makeScratchRepo(clusters);
  try {
    await fn(repo);
  } finally {
    await rm(repo.root, { recursive: true, force: true });
  }
}
