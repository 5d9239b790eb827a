import assert from "node:assert/strict";
import { findLine, lineColumn } from "./text_position.ts";

Deno.test("lineColumn() counts lines and columns from 1", () => {
  const text = "ab\ncd\n\nef";
  assert.deepEqual(lineColumn(text, 0), { line: 1, column: 1 });
  assert.deepEqual(lineColumn(text, 4), { line: 2, column: 2 });
  assert.deepEqual(lineColumn(text, 7), { line: 4, column: 1 });
  assert.deepEqual(lineColumn(text, 99), { line: 4, column: 3 });
});

Deno.test("findLine() finds the first line holding a string or matching a pattern", () => {
  const text = "a: 1\nreceiver: pager\nreceiver: null\n";
  assert.deepEqual(findLine(text, "pager"), { line: 2, column: 11 });
  assert.deepEqual(findLine(text, /receiver:\s*null/), { line: 3, column: 1 });
  assert.equal(findLine(text, "nope"), null);
});
