import assert from "node:assert/strict";
import { cell, code, generatedHeader, inline } from "./markdown.ts";

Deno.test("generatedHeader() names the sources and the command", () => {
  assert.equal(
    generatedHeader("base/rules/*.rules.yaml"),
    "<!-- generated from base/rules/*.rules.yaml by deno task docs; do not edit -->",
  );
});

Deno.test("code() fences a span with more backticks than it holds", () => {
  assert.equal(code("10d"), "`10d`");
  assert.equal(code("a `b` c"), "``a `b` c``");
  assert.equal(code("`x"), "`` `x ``");
});

Deno.test("inline() escapes < outside code spans only", () => {
  assert.equal(inline("clusters/<name> and `x < 40`"), "clusters/&lt;name> and `x < 40`");
});

Deno.test("cell() keeps a table cell on one line and escapes its pipes", () => {
  assert.equal(cell("a\n  b | `x|y` <c>"), "a b \\| `x\\|y` &lt;c>");
});
