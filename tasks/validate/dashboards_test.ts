import assert from "node:assert/strict";
import { join } from "node:path";
import type { Finding } from "../model/finding.ts";
import { BASE_DIR } from "../model/paths.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { objectsOf } from "../render/objects.ts";
import {
  lintDashboard,
  lintDashboards,
  rateRanges,
  readDashboardFiles,
  variableQueryExpr,
} from "./dashboards.ts";

const CTX = { datasourceUids: ["thanos-query", "thanos-query-replicas"], scrapeIntervalMs: 30_000 };
const DS = '{ "type": "prometheus", "uid": "thanos-query" }';

/** A one-panel dashboard; the panel datasource is on line 8, the expression on line 12. */
function dashboard(
  opts: { uid?: string; title?: string; ds?: string; expr?: string; vars?: string } = {},
): string {
  return [
    "{",
    `  "uid": ${JSON.stringify(opts.uid ?? "d")},`,
    `  "title": ${JSON.stringify(opts.title ?? "D")},`,
    `  "templating": { "list": [${opts.vars ?? ""}] },`,
    '  "panels": [',
    "    {",
    '      "id": 1, "type": "timeseries", "title": "p",',
    `      "datasource": ${opts.ds ?? DS},`,
    '      "targets": [',
    "        {",
    `          "refId": "A", "datasource": ${opts.ds ?? DS},`,
    `          "expr": ${JSON.stringify(opts.expr ?? "sum(up)")}`,
    "        }",
    "      ]",
    "    }",
    "  ]",
    "}",
  ].join("\n");
}

/** The parts of findings a test asserts on, one string each. */
function brief(findings: readonly Finding[]): string[] {
  return findings.map((f) =>
    `${f.file}:${f.line}:${f.column} ${f.field}: ${f.message} [${f.check}]`
  );
}

Deno.test("lintDashboard() accepts a dashboard that follows every rule", () => {
  assert.deepEqual(lintDashboard("d.json", dashboard(), CTX), []);
});

Deno.test("lintDashboard() reports invalid JSON at the offending character", () => {
  const text = '{\n  "uid": "d",\n  "title": "D",\n}\n';
  assert.deepEqual(brief(lintDashboard("base/dashboards/d.json", text, CTX)), [
    "base/dashboards/d.json:4:1 : invalid JSON: expected a double-quoted property name, " +
    "found '}' [dashboards]",
  ]);
});

Deno.test("lintDashboard() reports a missing uid at the dashboard object", () => {
  const text = '{\n  "title": "D",\n  "panels": []\n}\n';
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    "d.json:1:1 uid: expected a non-empty string uid, found nothing [dashboards]",
  ]);
});

Deno.test("lintDashboard() reports a datasource uid other than the provisioned one", () => {
  const text = dashboard({ ds: '{ "type": "prometheus", "uid": "prometheus" }' });
  const expected =
    'expected datasource {"type": "prometheus", "uid": "thanos-query" or "thanos-query-replicas"} or a ' +
    'datasource variable, found uid "prometheus" [dashboards]';
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    `d.json:8:52 panels[0].datasource.uid: ${expected}`,
    `d.json:11:70 panels[0].targets[0].datasource.uid: ${expected}`,
  ]);
});

Deno.test("lintDashboard() reports a target without datasource and a non-prometheus type", () => {
  const text = dashboard({ ds: '{ "type": "loki", "uid": "thanos-query" }' })
    .replace(
      `"refId": "A", "datasource": { "type": "loki", "uid": "thanos-query" },`,
      '"refId": "A",',
    );
  const expected =
    'expected datasource {"type": "prometheus", "uid": "thanos-query" or "thanos-query-replicas"} or a ' +
    "datasource variable, found";
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    `d.json:8:31 panels[0].datasource.type: ${expected} type "loki" [dashboards]`,
    `d.json:10:9 panels[0].targets[0].datasource: ${expected} no datasource [dashboards]`,
  ]);
});

Deno.test("lintDashboard() accepts a defined datasource variable and rejects other ones", () => {
  const dsVar = '{ "name": "datasource", "type": "datasource", "query": "prometheus" }';
  const ok = dashboard({ ds: '{ "type": "prometheus", "uid": "${datasource}" }', vars: dsVar });
  assert.deepEqual(lintDashboard("d.json", ok, CTX), []);

  const lokiVar = '{ "name": "datasource", "type": "datasource", "query": "loki" }';
  const loki = dashboard({ ds: '{ "type": "prometheus", "uid": "$datasource" }', vars: lokiVar });
  assert.deepEqual(brief(lintDashboard("d.json", loki, CTX)).slice(0, 1), [
    'd.json:8:52 panels[0].datasource.uid: expected datasource {"type": "prometheus", "uid": ' +
    '"thanos-query" or "thanos-query-replicas"} or a datasource variable, found $datasource, a variable of type ' +
    '"datasource" for "loki" datasources [dashboards]',
  ]);

  const undefinedVar = dashboard({ ds: '{ "type": "prometheus", "uid": "${ds}" }' });
  assert.deepEqual(brief(lintDashboard("d.json", undefinedVar, CTX)).slice(0, 1), [
    "d.json:8:52 panels[0].datasource.uid: undefined variable $ds: expected one of the " +
    "variables of templating.list (none defined), found $ds [dashboards]",
  ]);
});

Deno.test("lintDashboard() reports a variable that templating.list does not define", () => {
  const vars = '{ "name": "instance", "type": "custom", "query": "a,b" }';
  const text = dashboard({
    expr: 'up{namespace=~"$namespace", instance=~"${instance:regex}"}',
    vars,
  });
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    "d.json:12:19 panels[0].targets[0].expr: undefined variable $namespace: expected one of " +
    "the variables of templating.list (instance), found $namespace [dashboards]",
  ]);
});

Deno.test("lintDashboard() ignores Grafana's built-in variables", () => {
  const text = dashboard({
    expr: "sum(increase(up[$__range])) / $__range_s + rate(up[$__interval])",
  });
  // $__interval is not assumed long enough for rate(), $__range is.
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    "d.json:12:19 panels[0].targets[0].expr: rate() range [$__interval] is too short for a 30s " +
    "scrape interval: expected at least 2m (4 scrape intervals) or $__rate_interval, found " +
    "$__interval, which can be shorter [dashboards]",
  ]);
});

Deno.test("lintDashboard() reports rate(x[30s]) with a 30s scrape interval", () => {
  const text = dashboard({ expr: "sum(rate(x[30s]))" });
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    "d.json:12:19 panels[0].targets[0].expr: rate() range [30s] is too short for a 30s scrape " +
    "interval: expected at least 2m (4 scrape intervals) or $__rate_interval, found 30s " +
    "[dashboards]",
  ]);
  assert.deepEqual(lintDashboard("d.json", text, { ...CTX, scrapeIntervalMs: 5000 }), []);
  assert.deepEqual(lintDashboard("d.json", dashboard({ expr: "rate(x[2m])" }), CTX), []);
  assert.deepEqual(
    lintDashboard("d.json", dashboard({ expr: "rate(x[$__rate_interval])" }), CTX),
    [],
  );
});

Deno.test("lintDashboard() checks every value of an interval variable used as a range", () => {
  const vars = '{ "name": "window", "type": "interval", "query": "1m,5m,1h" }';
  const text = dashboard({ expr: "max_over_time(x[$window])", vars });
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    "d.json:12:19 panels[0].targets[0].expr: max_over_time() range [$window] is too short for " +
    "a 30s scrape interval: expected at least 2m (4 scrape intervals) or $__rate_interval, " +
    "found $window = 1m [dashboards]",
  ]);
});

Deno.test("lintDashboard() checks the panels of collapsed rows and unique panel ids", () => {
  const text = [
    "{",
    '  "uid": "d", "title": "D",',
    '  "panels": [',
    '    { "id": 1, "type": "row", "collapsed": true, "panels": [',
    '      { "id": 1, "type": "stat", "datasource": { "uid": "other" },',
    `        "targets": [{ "refId": "A", "datasource": ${DS}, "expr": "up" }] }`,
    "    ] }",
    "  ]",
    "}",
  ].join("\n");
  assert.deepEqual(brief(lintDashboard("d.json", text, CTX)), [
    "d.json:5:15 panels[0].panels[0].id: expected a panel id unique in the dashboard, found 1 " +
    "also at panels[0] [dashboards]",
    'd.json:5:57 panels[0].panels[0].datasource.uid: expected datasource {"type": ' +
    '"prometheus", "uid": "thanos-query" or "thanos-query-replicas"} or a datasource variable, found uid "other" ' +
    "[dashboards]",
  ]);
});

Deno.test("lintDashboards() reports a uid used by two dashboards on the second one", async () => {
  const findings = await lintDashboards([
    { file: "a.json", text: dashboard({ uid: "same", title: "A" }) },
    { file: "b.json", text: dashboard({ uid: "same", title: "B" }) },
  ], CTX);
  assert.deepEqual(brief(findings), [
    'b.json:2:10 uid: duplicate uid "same": expected a uid no other dashboard has, found it ' +
    "also in a.json [dashboards]",
  ]);
});

Deno.test("lintDashboards() reports a title used by two dashboards", async () => {
  const findings = await lintDashboards([
    { file: "a.json", text: dashboard({ uid: "a", title: "Nodes" }) },
    { file: "b.json", text: dashboard({ uid: "b", title: "Nodes" }) },
  ], CTX);
  assert.deepEqual(brief(findings), [
    'b.json:3:12 title: duplicate title "Nodes": expected a title no other dashboard has, ' +
    "found it also in a.json [dashboards]",
  ]);
});

Deno.test("lintDashboards() reports PromQL the Prometheus parser rejects", async () => {
  const vars = '{ "name": "job", "type": "query", "datasource": ' + DS +
    ', "query": "label_values(up{job=~\\"a\\"}, job)" }';
  const findings = await lintDashboards([
    { file: "a.json", text: dashboard({ expr: 'sum(rate(x{job="a"}[5m])', vars }) },
    { file: "b.json", text: dashboard({ uid: "b", title: "B", expr: "sum by (job) (up)" }) },
  ], CTX);
  assert.deepEqual(brief(findings), [
    "a.json:12:19 panels[0].targets[0].expr: expected PromQL that parses, found: " +
    "1:25: parse error: unclosed left parenthesis [dashboards]",
  ]);
});

Deno.test("lintDashboards() finds every dashboard of base/dashboards clean at a 30s scrape interval", async () => {
  const files = readDashboardFiles();
  assert.ok(files.length >= 15, `${files.length} dashboards`);
  for (const f of ["nodes", "stack-health", "workloads", "ha-replicas", "k8s-apiserver"]) {
    assert.ok(files.some((x) => x.file === `base/dashboards/${f}.json`), f);
  }
  assert.deepEqual(brief(await lintDashboards(files, CTX)), []);
  for (const f of files) assert.ok(f.text.length < 40_000, `${f.file} is ${f.text.length} bytes`);
});

Deno.test("base/dashboards/kustomization.yaml packs the dashboards in labelled ConfigMaps, one per folder", async () => {
  const { objects } = await kustomizeBuild(join(BASE_DIR, "dashboards"));
  const files = readDashboardFiles();
  assert.ok(objects.every((o) => o.kind === "ConfigMap" && o.metadata.namespace === undefined));
  assert.ok(objects.every((o) => o.metadata.labels?.grafana_dashboard === "1"));
  const maps = objectsOf(objects, "ConfigMap");
  const packed = maps.flatMap((o) => Object.entries(o.data ?? {}));
  assert.deepEqual(
    packed.map(([name]) => name).sort(),
    files.map((f) => f.file.replace(/^.*\//, "")).sort(),
  );
  for (const [name, text] of packed) {
    assert.equal(text, files.find((f) => f.file.endsWith(`/${name}`))?.text, name);
  }
  // Argo CD applies server-side, but a ConfigMap still has etcd's 1 MiB limit.
  for (const o of maps) {
    const size = Object.values(o.data ?? {}).reduce((n: number, t) => n + String(t).length, 0);
    assert.ok(size < 512 * 1024, `${o.metadata.name} holds ${size} bytes`);
  }
});

Deno.test("rateRanges() finds ranges of rate-like calls, not of subqueries or strings", () => {
  assert.deepEqual(
    rateRanges(
      'sum(rate(x{a="[1s]"}[30s])) + max_over_time(rate(y[1m])[1h:5m]) + ' +
        "increase(z[$__rate_interval]) + deriv(q[${w}]) + count(w[5m:])",
    ),
    [
      { fn: "rate", range: "30s" },
      { fn: "rate", range: "1m" },
      { fn: "increase", range: "$__rate_interval" },
      { fn: "deriv", range: "${w}" },
    ],
  );
});

Deno.test("variableQueryExpr() extracts the PromQL of label_values and query_result", () => {
  assert.equal(variableQueryExpr("label_values(node_uname_info, instance)"), "node_uname_info");
  assert.equal(variableQueryExpr('label_values(up{job="a"}, $label)'), 'up{job="a"}');
  assert.equal(variableQueryExpr("query_result(topk(5, up))"), "topk(5, up)");
  assert.equal(variableQueryExpr("label_values(instance)"), undefined);
  assert.equal(variableQueryExpr("label_names()"), undefined);
});
