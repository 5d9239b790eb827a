import { deepEqual as assertEquals } from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hashOf, ResultCache } from "./cache.ts";

Deno.test("hashOf() separates its parts", () => {
  assertEquals(hashOf("ab", "c") === hashOf("a", "bc"), false);
  assertEquals(hashOf("a", "b"), hashOf("a", "b"));
});

Deno.test("ResultCache.many() computes each distinct key once, in one call, and reads it back", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cache-test-"));
  try {
    const calls: string[][] = [];
    const compute = (missing: string[]) => {
      calls.push(missing);
      return Promise.resolve(missing.map((m) => m.toUpperCase()));
    };
    const first = new ResultCache(dir);
    assertEquals(await first.many("k", ["a", "b", "a"], (x) => x, compute), ["A", "B", "A"]);
    assertEquals(await first.many("k", ["a", "c"], (x) => x, compute), ["A", "C"]);
    // A new run reads the disk.
    const second = new ResultCache(dir);
    assertEquals(await second.many("k", ["a", "b", "c"], (x) => x, compute), ["A", "B", "C"]);
    assertEquals(calls, [["a", "b"], ["c"]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("ResultCache.get() without a folder keeps results for the run only", async () => {
  let n = 0;
  const cache = new ResultCache(null);
  const f = () => Promise.resolve(++n);
  assertEquals([await cache.get("k", "x", f), await cache.get("k", "x", f)], [1, 1]);
  assertEquals(await new ResultCache(null).get("k", "x", f), 2);
});
