import assert from "node:assert/strict";
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { baseRef, GitRefError, readFilesAt, resolveCommit } from "./git.ts";
import { withScratchRepo } from "./scratch_repo.ts";

Deno.test("readFilesAt() reads base/, clusters/ and versions.json of a commit, byte-exact", async () => {
  await withScratchRepo(null, async (repo) => {
    await repo.write("versions.json", "{}\n");
    await repo.write("base/a.yaml", "a: 1\n");
    await repo.write("clusters/x/cluster.yaml", "name: é → ✓\n"); // multi-byte characters
    await repo.write("clusters/x/.hidden", "no\n");
    await repo.write("docs/readme.md", "not read\n");
    const first = await repo.commit("first");
    await symlink("a.yaml", join(repo.root, "base", "link.yaml"));
    await repo.write("base/a.yaml", "a: 2\n");
    await repo.write("base/b.yaml", "");
    await repo.commit("second");
    assert.deepEqual(
      await readFilesAt(repo.root, first),
      new Map([
        ["base/a.yaml", "a: 1\n"],
        ["clusters/x/cluster.yaml", "name: é → ✓\n"],
        ["versions.json", "{}\n"],
      ]),
    );
    const head = await resolveCommit(repo.root, "HEAD");
    assert.deepEqual(
      [...(await readFilesAt(repo.root, head)).entries()],
      [
        ["base/a.yaml", "a: 2\n"],
        ["base/b.yaml", ""],
        ["clusters/x/cluster.yaml", "name: é → ✓\n"],
        ["versions.json", "{}\n"],
      ],
    );
  });
});

Deno.test("baseRef() defaults to the merge base with main and names a given ref", async () => {
  await withScratchRepo(null, async (repo) => {
    await repo.write("base/a.yaml", "1\n");
    const first = await repo.commit("first");
    await repo.git("checkout", "-q", "-b", "feature");
    await repo.write("base/a.yaml", "2\n");
    await repo.commit("on the branch");
    assert.deepEqual(await baseRef(repo.root), {
      ref: "main",
      sha: first,
      label: `main (merge base ${first.slice(0, 7)})`,
    });
    assert.deepEqual(await baseRef(repo.root, "HEAD~1"), {
      ref: "HEAD~1",
      sha: first,
      label: `HEAD~1 (${first.slice(0, 7)})`,
    });
    await assert.rejects(
      () => baseRef(repo.root, "no-such-branch"),
      (e) => e instanceof GitRefError && /"no-such-branch" is not a commit/.test(e.message),
    );
  });
});

Deno.test("baseRef() without main says to name the base", async () => {
  await withScratchRepo(null, async (repo) => {
    await repo.git("branch", "-m", "main", "trunk");
    await assert.rejects(() => baseRef(repo.root), /name the base with --base <ref>/);
  });
});
