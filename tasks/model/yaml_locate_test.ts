import { deepEqual as assertEquals } from "node:assert/strict";
import { isMap, isSeq, type Node } from "yaml";
import type { Segment } from "./field_path.ts";
import {
  keyPosition,
  locate,
  parseYamlFile,
  pathAtLine,
  positionInDoc,
  positionInScalar,
  positionOf,
  valuePosition,
} from "./yaml_locate.ts";

const text = `# header
spec:
  replicas: 2
  labels: { a: b }
  args:
    - --one
    - --two
  expr: |
    up
    == 0
`;

Deno.test("pathAtLine() names the field written on a line", () => {
  const parsed = parseYamlFile(text);
  const doc = parsed.docs[0]!;
  const at = (line: number) => pathAtLine(doc, parsed.lc, line);
  assertEquals(at(1), null);
  assertEquals(at(2), ["spec"]);
  assertEquals(at(3), ["spec", "replicas"]);
  assertEquals(at(4), ["spec", "labels", "a"]);
  assertEquals(at(5), ["spec", "args"]);
  assertEquals(at(7), ["spec", "args", 1]);
  assertEquals(at(9), ["spec", "expr"]);
  assertEquals(at(10), ["spec", "expr"]);
});

Deno.test("positionInScalar() points into a plain or quoted value, else at its start", () => {
  const parsed = parseYamlFile(`a: [x = y, "p = q", 'r = s', "t \\u0041"]\n`);
  const root = parsed.docs[0]!.contents;
  const seq = isMap(root) ? root.get("a", true) : null;
  const items = (isSeq(seq) ? seq.items : []) as Node[];
  const at = (i: number, offset: number) => positionInScalar(items[i]!, parsed, offset);
  assertEquals(at(0, 4), { line: 1, column: 9 });
  assertEquals(at(1, 4), { line: 1, column: 17 });
  assertEquals(at(2, 4), { line: 1, column: 26 });
  // An escape changes the offsets: the scalar's start.
  assertEquals(at(3, 2), { line: 1, column: 30 });
});

Deno.test("locate() stops at an empty value: a path going on through it is not found", () => {
  // `spec` has no value; a path through it that ends in a segment named `spec` again must not
  // count as found (the walk compares positions in the path, not segment names).
  const parsed = parseYamlFile("{ spec, other: 1 }\n");
  const at = locate(parsed.docs[0]!.contents, ["spec", "config", "spec"]);
  assertEquals(at?.depth, 1);
  assertEquals(positionOf(at?.node, parsed.lc), { line: 1, column: 3 });
});

Deno.test("valuePosition() points at a value, or at the key where a missing field would go", () => {
  const parsed = parseYamlFile(text);
  const doc = parsed.docs[0]!;
  const at = (path: Segment[]) => valuePosition(doc, parsed.lc, path);
  assertEquals(at(["spec", "replicas"]), { line: 3, column: 13 });
  assertEquals(at(["spec", "args", 1]), { line: 7, column: 7 });
  assertEquals(at(["spec", "labels", "nope"]), { line: 4, column: 3 });
  assertEquals(at([]), { line: 2, column: 1 });
});

Deno.test("keyPosition() points at a map's key, or at the map when the key is not there", () => {
  const parsed = parseYamlFile(text);
  const doc = parsed.docs[0]!;
  assertEquals(keyPosition(doc, parsed.lc, ["spec", "labels"], "a"), { line: 4, column: 13 });
  assertEquals(keyPosition(doc, parsed.lc, ["spec"], "nope"), { line: 3, column: 3 });
});

Deno.test("positionInDoc() points at the key of a path, and says whether all of it exists", () => {
  const parsed = parseYamlFile(text);
  const doc = parsed.docs[0]!;
  assertEquals(positionInDoc(doc, parsed.lc, ["spec", "replicas"]), {
    line: 3,
    column: 3,
    exact: true,
  });
  assertEquals(positionInDoc(doc, parsed.lc, ["spec", "labels", "x"]), {
    line: 4,
    column: 3,
    exact: false,
  });
});
