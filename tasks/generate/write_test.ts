import assert from "node:assert/strict";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readTree, staleFiles, writeOverlays } from "./write.ts";

async function withTree(
  files: Record<string, string>,
  fn: (root: string, overlays: string) => Promise<void>,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "generate-write-"));
  try {
    const overlays = join(root, "overlays");
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(overlays, path, ".."), { recursive: true });
      await writeFile(join(overlays, path), text);
    }
    await fn(root, overlays);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const overlay = (entries: Record<string, string>) => new Map(Object.entries(entries));

Deno.test("writeOverlays() replaces the named overlays whole and keeps the others", async () => {
  await withTree(
    { "a/old.yaml": "old", "a/kustomization.yaml": "a0", "b/kustomization.yaml": "b0" },
    async (root, overlays) => {
      await writeOverlays(overlays, new Map([["a", overlay({ "kustomization.yaml": "a1" })]]));
      assert.deepEqual(
        [...await readTree(overlays)],
        [["a/kustomization.yaml", "a1"], ["b/kustomization.yaml", "b0"]],
      );
      assert.deepEqual(await readdir(root), ["overlays"]);
    },
  );
});

Deno.test("writeOverlays() with prune removes overlays of clusters that are gone", async () => {
  await withTree({ "a/k.yaml": "a0", "gone/k.yaml": "g0" }, async (_root, overlays) => {
    await writeOverlays(overlays, new Map([["a", overlay({ "k.yaml": "a1" })]]), { prune: true });
    assert.deepEqual([...await readTree(overlays)], [["a/k.yaml", "a1"]]);
  });
});

Deno.test("writeOverlays() leaves every overlay as it was when a write fails midway", async () => {
  const before = { "a/k.yaml": "a0", "b/k.yaml": "b0", "b/rules/x.yaml": "x0" };
  await withTree(before, async (root, overlays) => {
    let writes = 0;
    const failing = writeOverlays(
      overlays,
      new Map([
        ["a", overlay({ "k.yaml": "a1" })],
        ["b", overlay({ "k.yaml": "b1", "rules/y.yaml": "y1" })],
      ]),
      {
        onWrite: () => {
          if (++writes === 2) throw new Error("disk full (injected)");
        },
      },
    );
    await assert.rejects(failing, /disk full \(injected\)/);
    assert.equal(writes, 2);
    assert.deepEqual(Object.fromEntries(await readTree(overlays)), before);
    assert.deepEqual(await readdir(root), ["overlays"], "no temporary folder is left behind");
  });
});

Deno.test("readTree() prefixes paths and returns nothing for a missing folder", async () => {
  await withTree({ "a/k.yaml": "a0" }, async (root, overlays) => {
    assert.deepEqual([...await readTree(overlays, "overlays/")], [["overlays/a/k.yaml", "a0"]]);
    assert.deepEqual([...await readTree(join(root, "missing"))], []);
  });
});

Deno.test("staleFiles() names each stale, missing or extra file and the command to run", () => {
  const expected = new Map([
    ["overlays/staging/kustomization.yaml", "new"],
    ["overlays/staging/rules/extra.yaml", "rules"],
    ["overlays/edge/kustomization.yaml", "same"],
    ["schemas/cluster.schema.json", "{}"],
  ]);
  const actual = new Map([
    ["overlays/staging/kustomization.yaml", "old"],
    ["overlays/edge/kustomization.yaml", "same"],
    ["overlays/edge/patches/ingress.yaml", "gone"],
    ["schemas/cluster.schema.json", "{ }"],
  ]);
  assert.deepEqual(staleFiles(expected, actual), [
    "overlays/edge/patches/ingress.yaml is not generated any more; run deno task generate",
    "overlays/staging/kustomization.yaml is stale; run deno task generate staging",
    "overlays/staging/rules/extra.yaml is missing; run deno task generate staging",
    "schemas/cluster.schema.json is stale; run deno task generate",
  ]);
  assert.deepEqual(staleFiles(expected, expected), []);
});
