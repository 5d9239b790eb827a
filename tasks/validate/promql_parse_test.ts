import assert from "node:assert/strict";
import { errorsFromPromtool, parsePromQL, ruleFileFor } from "./promql_parse.ts";

Deno.test("ruleFileFor() writes one recording rule per expression, in its own group", () => {
  assert.equal(
    ruleFileFor([{ id: "a", expr: 'up{job="$job"}' }, { id: "b", expr: "sum(x)" }]),
    [
      "groups:",
      "  - name: e0",
      "    rules:",
      "      - record: e0",
      '        expr: up{job="placeholder"}',
      "  - name: e1",
      "    rules:",
      "      - record: e1",
      "        expr: sum(x)",
      "",
    ].join("\n"),
  );
});

Deno.test("errorsFromPromtool() maps each error line to its expression id", () => {
  const output = [
    "Checking /tmp/x/exprs.rules.yaml",
    "  FAILED:",
    '/tmp/x/exprs.rules.yaml: 5:15: group "e0", rule 1, "e0": could not parse expression: ' +
    "1:16: parse error: unclosed left parenthesis",
    "1:20: parse error: a second error of the same expression",
    '/tmp/x/exprs.rules.yaml: 13:15: group "e2", rule 1, "e2": field \'expr\' must be set in rule',
    "",
  ].join("\n");
  const exprs = [{ id: "p0", expr: "" }, { id: "p1", expr: "" }, { id: "p2", expr: "" }];
  assert.deepEqual([...errorsFromPromtool(output, exprs)], [
    [
      "p0",
      "1:16: parse error: unclosed left parenthesis; " +
      "1:20: parse error: a second error of the same expression",
    ],
    ["p2", "field 'expr' must be set in rule"],
  ]);
});

Deno.test("parsePromQL() returns the real parser's errors for the failing expressions only", async () => {
  const errors = await parsePromQL([
    { id: "ok", expr: 'sum by (job) (rate(up{job=~"$job"}[$__rate_interval]))' },
    { id: "unclosed", expr: "sum(rate(x[5m])" },
    { id: "matcher", expr: "foo{a=}" },
    { id: "function", expr: "rated(x[5m])" },
    { id: "scalar", expr: "topk($n, up)" },
    { id: "variable", expr: 'sum(up{job="$job"}' },
    { id: "multiline", expr: "a\n+ b{" },
  ]);
  assert.deepEqual([...errors].sort(), [
    ["function", '1:1: parse error: unknown function with name "rated"'],
    ["matcher", '1:7: parse error: unexpected "}" in label matching, expected string'],
    ["multiline", "2:5: parse error: unexpected end of input inside braces"],
    ["unclosed", "1:16: parse error: unclosed left parenthesis"],
    [
      "variable",
      "1:26: parse error: unclosed left parenthesis " +
      '(in "sum(up{job=\\"placeholder\\"}", Grafana variables replaced)',
    ],
  ]);
});

Deno.test("parsePromQL() checks a large batch in one promtool run", async () => {
  const exprs = Array.from({ length: 300 }, (_, i) => ({
    id: `q${i}`,
    expr: i % 100 === 7 ? `sum(x${i}` : `sum(rate(x${i}[5m]))`,
  }));
  const errors = await parsePromQL(exprs);
  assert.deepEqual([...errors.keys()], ["q7", "q107", "q207"]);
  assert.deepEqual(await parsePromQL([]), new Map());
});
