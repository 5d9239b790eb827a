import assert from "node:assert/strict";
import {
  dashboardExpressions,
  expressionId,
  renderedDashboards,
  ruleExpressions,
  substituteVariables,
} from "./expressions.ts";
import type { ConfigMap } from "../render/objects.ts";

Deno.test("substituteVariables() fills built-ins from the scrape interval and selects All", () => {
  assert.equal(
    substituteVariables(
      'rate(x{instance=~"$instance", job="$job", mode!="idle"}[$__rate_interval])',
      2_000,
    ),
    'rate(x{instance=~".*", job=~".*", mode!="idle"}[8s])',
  );
  assert.equal(
    substituteVariables('increase(y{ns=~"${namespace:regex}"}[$__range]) / [[n]]', 30_000),
    'increase(y{ns=~".*"}[1h]) / .*',
  );
});

Deno.test("ruleExpressions() lists alerts and recording rules with where they come from", () => {
  const rules = ruleExpressions([{
    name: "monitoring-general.yaml",
    groups: [{
      name: "general",
      rules: [{ alert: "Watchdog", expr: "vector(1)\n" }, { record: "a:b", expr: "sum(b)" }],
    }],
  }]);
  assert.deepEqual(rules, [
    {
      kind: "alert",
      name: "Watchdog",
      source: "rule file monitoring-general.yaml, group general",
      expr: "vector(1)",
    },
    {
      kind: "record",
      name: "a:b",
      source: "rule file monitoring-general.yaml, group general",
      expr: "sum(b)",
    },
  ]);
  assert.deepEqual(rules.map(expressionId), ["alert Watchdog", "record a:b"]);
});

Deno.test("dashboardExpressions() reads every visible target of rendered dashboard ConfigMaps", () => {
  const dashboard = {
    panels: [
      { title: "CPU", targets: [{ expr: 'up{job="$job"}' }, { expr: "hidden", hide: true }] },
      { title: "Row", type: "row", panels: [{ title: "Inner", targets: [{ expr: "x" }] }] },
    ],
  };
  const objects: ConfigMap[] = [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "grafana-dashboard-nodes" },
      data: { "nodes.json": JSON.stringify(dashboard), "notes.txt": "x" },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "other" }, data: { "a.json": "[]" } },
  ];
  const exprs = dashboardExpressions(renderedDashboards(objects), 30_000);
  assert.deepEqual(
    exprs.map((e) => [expressionId(e), e.expr]),
    [
      ["dashboard nodes.json › CPU", 'up{job=~".*"}'],
      ["dashboard nodes.json › Inner", "x"],
    ],
  );
});

Deno.test("dashboardExpressions() keeps the replicas apart for panels on the undeduplicated datasource", () => {
  const ds = (uid: string) => ({ type: "prometheus", uid });
  const dashboard = {
    panels: [
      { title: "Dedup", datasource: ds("thanos-query"), targets: [{ expr: "a" }] },
      { title: "Replicas", datasource: ds("thanos-query-replicas"), targets: [{ expr: "b" }] },
      {
        title: "Target",
        datasource: ds("thanos-query"),
        targets: [{ expr: "c", datasource: ds("thanos-query-replicas") }],
      },
    ],
  };
  const exprs = dashboardExpressions(new Map([["d.json", dashboard]]), 30_000);
  assert.deepEqual(exprs.map((e) => [e.expr, e.dedup ?? true]), [
    ["a", true],
    ["b", false],
    ["c", false],
  ]);
});
