import assert from "node:assert/strict";
import { substituteGrafanaVariables, variableNames } from "./grafana_variables.ts";

Deno.test("substituteGrafanaVariables() puts a value valid where each variable stands", () => {
  const cases: Array<[string, string]> = [
    ["rate(x[$__rate_interval])", "rate(x[5m])"],
    ["increase(x[${__range}]) / $__range_s", "increase(x[1h]) / 3600"],
    ['up{ns=~"$ns", job="${job:regex}"}', 'up{ns=~"placeholder", job="placeholder"}'],
    [
      "topk($n, sum by ($label) ($metric))",
      "topk(1, sum by (grafana_var_label) (grafana_var_metric))",
    ],
    ["x offset $off", "x offset 5m"],
    ["x @ $t", "x @ 1"],
    ["max_over_time(x[$w:[[step]]])", "max_over_time(x[5m:5m])"],
    ["x # $ns in a comment", "x # $ns in a comment"],
    ["sum(up)", "sum(up)"],
  ];
  for (const [expr, expected] of cases) {
    assert.equal(substituteGrafanaVariables(expr).text, expected);
  }
});

Deno.test("substituteGrafanaVariables() maps a part of the result back to the text as written", () => {
  const expr = 'rate(x{ns="$ns"}[$__rate_interval]) + deriv(y[${w}]) + z[5m]';
  const s = substituteGrafanaVariables(expr);
  assert.equal(s.text, 'rate(x{ns="placeholder"}[5m]) + deriv(y[5m]) + z[5m]');
  const back = (part: string, nth = 0) => {
    let from = -1;
    for (let i = 0; i <= nth; i++) from = s.text.indexOf(part, from + 1);
    return s.original(from, from + part.length);
  };
  assert.equal(back("5m"), "$__rate_interval");
  assert.equal(back("5m", 1), "${w}");
  assert.equal(back("5m", 2), "5m");
  assert.equal(back('"placeholder"'), '"$ns"');
  assert.equal(back("deriv"), "deriv");
  assert.equal(s.original(0, s.text.length), expr);
});

Deno.test("variableNames() lists each variable once, in every syntax", () => {
  assert.deepEqual(variableNames("$a + ${b:regex} + [[c]] + $a + $__range"), [
    "a",
    "b",
    "c",
    "__range",
  ]);
});
