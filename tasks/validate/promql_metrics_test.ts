import { deepEqual as assertEquals } from "node:assert/strict";
import { metricNames } from "./promql_metrics.ts";

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
