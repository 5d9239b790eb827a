import assert from "node:assert/strict";
import { lineColumn } from "../model/text_position.ts";
import { JsonSyntaxError, parseJsonLocated } from "./json_positions.ts";

/** The JsonSyntaxError `fn` throws. */
function syntaxError(fn: () => unknown): JsonSyntaxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof JsonSyntaxError) return e;
    throw e;
  }
  throw new Error("no JsonSyntaxError thrown");
}

Deno.test("parseJsonLocated() returns the value and the offset of every field path", () => {
  const text = '{\n  "a": [1, {"b.c": "x\\n"}],\n  "d": null\n}';
  const { value, offsets } = parseJsonLocated(text);
  assert.deepEqual(value, { a: [1, { "b.c": "x\n" }], d: null });
  assert.deepEqual([...offsets.entries()], [
    ["", 0],
    ["a", 9],
    ["a[0]", 10],
    ["a[1]", 13],
    ['a[1]["b.c"]', 21],
    ["d", 37],
  ]);
  assert.deepEqual(lineColumn(text, offsets.get("d") ?? -1), { line: 3, column: 8 });
});

Deno.test("parseJsonLocated() rejects a trailing comma at its position", () => {
  const text = '{\n  "uid": "a",\n}';
  const e = syntaxError(() => parseJsonLocated(text));
  assert.deepEqual(e.message, "expected a double-quoted property name, found '}'");
  assert.deepEqual(lineColumn(text, e.offset), { line: 3, column: 1 });
});

Deno.test("parseJsonLocated() rejects what JSON.parse rejects", () => {
  for (
    const [text, message] of [
      ["", "expected a JSON value, found the end of the text"],
      ["[1 2]", "expected ',' or ']' after an array item, found '2'"],
      ["{'a': 1}", "expected a double-quoted property name, found '''"],
      ['{"a" 1}', `expected ':' after property name "a", found '1'`],
      ['"\\x"', "expected a valid escape sequence, found 'x'"],
      ["01", "expected the end of the text after the top-level value, found '1'"],
      ["tru", "expected a JSON value, found 't'"],
      ['"abc', "unterminated string"],
    ] as const
  ) {
    const e = syntaxError(() => parseJsonLocated(text));
    assert.deepEqual(e.message, message, text);
  }
});
