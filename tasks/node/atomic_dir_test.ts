import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeAtomicDir } from "./atomic_dir.ts";

Deno.test("writeAtomicDir() switches ..data in one step and writes nothing when unchanged", () => {
  const dir = mkdtempSync(join(tmpdir(), "atomic-"));
  try {
    assert.equal(writeAtomicDir(dir, new Map([["a.yaml", { data: "one" }]])), true);
    const first = readlinkSync(join(dir, "..data"));
    assert.equal(readFileSync(join(dir, "a.yaml"), "utf8"), "one");
    assert.equal(readlinkSync(join(dir, "a.yaml")), "..data/a.yaml");
    assert.equal(writeAtomicDir(dir, new Map([["a.yaml", { data: "one" }]])), false);
    assert.equal(
      writeAtomicDir(dir, new Map([["b/c", { data: "two", mode: 0o600 }]])),
      true,
    );
    assert.notEqual(readlinkSync(join(dir, "..data")), first);
    assert.equal(readFileSync(join(dir, "b", "c"), "utf8"), "two");
    assert.equal(statSync(join(dir, "..data", "b", "c")).mode & 0o777, 0o600);
    // The old version and the old entry are gone.
    assert.deepEqual(readdirSync(dir).filter((e) => !e.startsWith("..")), ["b"]);
    assert.equal(readdirSync(dir).filter((e) => e.startsWith("..") && e !== "..data").length, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
