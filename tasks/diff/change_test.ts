import assert from "node:assert/strict";
import { leaves, opOf, valueChanges } from "./change.ts";

Deno.test("leaves() flattens a document by path, keeping empty maps and lists below the top", () => {
  assert.deepEqual(
    [...leaves({ a: { b: 1, "c.d": [true, null] }, e: [], f: {} })],
    [["a.b", "1"], ['a."c.d"[0]', "true"], ['a."c.d"[1]', "null"], ["e", "[]"], ["f", "{}"]],
  );
  assert.deepEqual([...leaves({})], []);
  assert.deepEqual([...leaves("x", "root")], [["root", "x"]]);
});

Deno.test("valueChanges() and opOf() tell added, removed and changed values apart", () => {
  const changes = valueChanges(
    new Map([["kept", "1"], ["changed", "a"], ["removed", "x"]]),
    new Map([["kept", "1"], ["changed", "b"], ["added", "y"]]),
  );
  assert.deepEqual(changes, [
    { key: "changed", from: "a", to: "b" },
    { key: "removed", from: "x" },
    { key: "added", to: "y" },
  ]);
  assert.deepEqual(changes.map(opOf), ["~", "-", "+"]);
});
