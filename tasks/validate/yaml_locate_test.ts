import { deepEqual as assertEquals } from "node:assert/strict";
import { isMap, isSeq, type Node } from "yaml";
import { parseYamlFile, pathAtLine, positionInScalar } from "./yaml_locate.ts";

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
