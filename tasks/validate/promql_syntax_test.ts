import { deepEqual as assertEquals } from "node:assert/strict";
import { metricNames, rangeArguments, stringValue, vectorSelectors } from "./promql_syntax.ts";

Deno.test("metricNames() finds selected metrics and skips functions, labels and keywords", () => {
  assertEquals(
    metricNames(
      'sum by (namespace, job) (rate(http_requests_total{job="a", code=~"5.."}[5m])) / ' +
        "on (job) group_left (team) count without (instance) (up == 0) > bool 3 offset 5m",
    ),
    ["http_requests_total", "up"],
  );
});

Deno.test("metricNames() reads __name__ matchers and recording-rule names with colons", () => {
  assertEquals(
    metricNames('{__name__="node_load1"} + instance:node_cpu:rate5m and absent(nothing_here)'),
    ["node_load1", "instance:node_cpu:rate5m", "nothing_here"],
  );
});

Deno.test("metricNames() ignores strings, durations, numbers and template-free literals", () => {
  assertEquals(
    metricNames('label_replace(kube_pod_info, "dst", "$1", "src", "(.*)") > 1e3 or vector(1)'),
    ["kube_pod_info"],
  );
  assertEquals(metricNames("histogram_quantile(0.9, sum by (le) (rate(x_bucket[1h:5m])))"), [
    "x_bucket",
  ]);
});

Deno.test("vectorSelectors() gives each selector as written, once, without ranges or offsets", () => {
  assertEquals(
    vectorSelectors(
      'absent(up{job="kube-scheduler"} == 1) or rate(http_requests_total{code=~"5.."}[5m] ' +
        'offset 1h) / on (job) up{job="kube-scheduler"} + {__name__="node_load1", a="b"} + ' +
        "time() * vector(1)",
    ),
    [
      { text: 'up{job="kube-scheduler"}', name: "up" },
      { text: 'http_requests_total{code=~"5.."}', name: "http_requests_total" },
      { text: '{__name__="node_load1", a="b"}', name: "node_load1" },
    ],
  );
  assertEquals(vectorSelectors('label_replace(ALERTS{a="}"}, "x", "$1", "y", "(.*)") > 0'), [
    { text: 'ALERTS{a="}"}', name: "ALERTS" },
  ]);
});

Deno.test("metricNames() reads quoted metric names and quoted __name__ matchers", () => {
  assertEquals(metricNames('{"http.requests", job="a"} + {"__name__"="b\\"c"} + {__name__=~"x"}'), [
    "http.requests",
    'b"c',
  ]);
});

Deno.test("rangeArguments() finds ranges given to functions, through offset and @, not subqueries", () => {
  const expr = 'sum(rate(x{a="[1s]"}[30s])) + max_over_time(rate(y[1m] offset 1h)[1h:5m]) + ' +
    "increase(z[2m] @ 100) + count((w[5m]))";
  assertEquals(
    rangeArguments(expr).map(({ fn, range, from, to }) => [fn, range, expr.slice(from, to)]),
    [
      ["rate", "30s", "30s"],
      ["rate", "1m", "1m"],
      ["increase", "2m", "2m"],
    ],
  );
});

Deno.test("stringValue() reads each kind of PromQL string literal", () => {
  assertEquals(stringValue('"a\\"b\\n"'), 'a"b\n');
  assertEquals(stringValue("'it\\'s'"), "it's");
  assertEquals(stringValue("`raw\\n`"), "raw\\n");
  assertEquals(stringValue('"\\u00e9\\x41"'), "\u00e9A");
});
