import { deepEqual as assertEquals } from "node:assert/strict";
import { parseDuration } from "../model/units.ts";
import { scrapeIntervalFindings } from "./dashboard_intervals.ts";

const DS = '{ "type": "prometheus", "uid": "thanos-query" }';
/** A one-panel dashboard whose expression is on line 7. */
const dashboard = (expr: string) =>
  [
    "{",
    '  "uid": "d", "title": "D", "templating": { "list": [] },',
    '  "panels": [',
    `    { "id": 1, "type": "timeseries", "title": "p", "datasource": ${DS},`,
    '      "targets": [',
    `        { "refId": "A", "datasource": ${DS},`,
    `          "expr": ${JSON.stringify(expr)} }`,
    "      ] }",
    "  ]",
    "}",
  ].join("\n");

const spot = (name: string, line: number) => ({
  file: `clusters/${name}/cluster.yaml`,
  line,
  column: 3,
  field: "spec.scrapeInterval",
  written: true,
});

Deno.test("scrapeIntervalFindings() reports a range too short only at a cluster's interval there", () => {
  const dashboards = [{ file: "base/dashboards/d.json", text: dashboard("rate(up[3m])") }];
  const found = scrapeIntervalFindings(dashboards, ["thanos-query"], parseDuration("30s"), [
    { name: "fast", ms: parseDuration("15s"), spot: spot("fast", 9) },
    { name: "default", ms: parseDuration("30s"), spot: spot("default", 9) },
    { name: "edge", ms: parseDuration("1m"), spot: spot("edge", 13) },
  ]);
  assertEquals(found.map(({ f, name }) => [name, f.file, f.line, f.field, f.message]), [[
    "edge",
    "clusters/edge/cluster.yaml",
    13,
    "spec.scrapeInterval",
    "base/dashboards/d.json:7: rate() range [3m] is too short for a 1m scrape interval: " +
    "expected at least 4m (4 scrape intervals) or $__rate_interval, found 3m (this cluster's " +
    "scrape interval, spec.scrapeInterval here; the dashboards are shared, so use " +
    "$__rate_interval there)",
  ]]);
});

Deno.test("scrapeIntervalFindings() leaves a range too short at the default interval to the dashboard", () => {
  const dashboards = [{ file: "base/dashboards/d.json", text: dashboard("rate(up[30s])") }];
  assertEquals(
    scrapeIntervalFindings(dashboards, ["thanos-query"], parseDuration("30s"), [
      { name: "edge", ms: parseDuration("1m"), spot: spot("edge", 13) },
    ]),
    [],
  );
});
