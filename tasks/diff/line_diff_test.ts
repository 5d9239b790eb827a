import assert from "node:assert/strict";
import { changed, diffLines, type Edit, unifiedHunks } from "./line_diff.ts";

/** Applies an edit script's two sides back: what it removes and keeps, what it adds and keeps. */
function sides(edits: readonly Edit[]): { a: string[]; b: string[] } {
  return {
    a: edits.filter((e) => e.op !== "+").map((e) => e.line),
    b: edits.filter((e) => e.op !== "-").map((e) => e.line),
  };
}

Deno.test("diffLines() keeps common lines and marks the replaced one", () => {
  const edits = diffLines(["a", "b", "c", "d"], ["a", "B", "c", "d"]);
  assert.deepEqual(edits.map((e) => `${e.op}${e.line}`), [" a", "-b", "+B", " c", " d"]);
});

Deno.test("diffLines() finds a shortest script for insertions and deletions in the middle", () => {
  const a = ["x", "1", "2", "3", "4", "5", "y"];
  const b = ["x", "1", "3", "4", "new", "5", "y"];
  const edits = diffLines(a, b);
  assert.deepEqual(sides(edits), { a, b });
  assert.equal(edits.filter((e) => e.op !== " ").length, 2, "one removal, one addition");
});

Deno.test("diffLines() reproduces both sides for unrelated texts and empty ones", () => {
  const cases: Array<[string[], string[]]> = [
    [[], []],
    [[], ["a"]],
    [["a"], []],
    [["a", "b", "c"], ["d", "e"]],
    [["a", "b", "a", "b", "c"], ["b", "a", "c", "a", "b"]],
  ];
  for (const [a, b] of cases) {
    const edits = diffLines(a, b);
    assert.deepEqual(sides(edits), { a, b });
    assert.equal(changed(edits), a.join("\n") !== b.join("\n") || a.length !== b.length);
  }
});

Deno.test("unifiedHunks() prints @@ headers with context and merges nearby changes", () => {
  const a = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
  const b = [...a];
  b[1] = "L2";
  b[4] = "L5";
  b[17] = "L18";
  assert.deepEqual(unifiedHunks(diffLines(a, b), 2), [
    "@@ -1,7 +1,7 @@",
    " l1",
    "-l2",
    "+L2",
    " l3",
    " l4",
    "-l5",
    "+L5",
    " l6",
    " l7",
    "@@ -16,5 +16,5 @@",
    " l16",
    " l17",
    "-l18",
    "+L18",
    " l19",
    " l20",
  ]);
});

Deno.test("unifiedHunks() starts a pure addition at the line before it", () => {
  assert.deepEqual(unifiedHunks(diffLines([], ["a", "b"])), ["@@ -0,0 +1,2 @@", "+a", "+b"]);
  assert.deepEqual(unifiedHunks(diffLines(["a"], ["a"])), []);
});

Deno.test("diffLines() is minimal: its changes equal n + m - 2·LCS on random inputs", () => {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lcs = (a: string[], b: string[]) => {
    const w = b.length + 1;
    const t = new Array<number>((a.length + 1) * w).fill(0);
    const at = (i: number, j: number) => t[i * w + j] as number;
    for (let i = 1; i <= a.length; i++) {
      for (let j = 1; j <= b.length; j++) {
        t[i * w + j] = a[i - 1] === b[j - 1]
          ? at(i - 1, j - 1) + 1
          : Math.max(at(i - 1, j), at(i, j - 1));
      }
    }
    return at(a.length, b.length);
  };
  for (let round = 0; round < 200; round++) {
    const word = () => "abcd"[Math.floor(random() * 4)] as string;
    const a = Array.from({ length: Math.floor(random() * 12) }, word);
    const b = Array.from({ length: Math.floor(random() * 12) }, word);
    const edits = diffLines(a, b);
    assert.deepEqual(sides(edits), { a, b });
    assert.equal(edits.filter((e) => e.op !== " ").length, a.length + b.length - 2 * lcs(a, b));
  }
});
