import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BASE_DIR } from "../model/paths.ts";
import type { ConfigMap } from "../render/objects.ts";
import { dashboardChanges, dashboardsOf } from "./dashboards_diff.ts";

function configMap(name: string, files: Record<string, unknown>): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, labels: { grafana_dashboard: "1" } },
    data: Object.fromEntries(Object.entries(files).map(([k, v]) => [k, JSON.stringify(v)])),
  };
}

// deno-lint-ignore no-explicit-any
const nodes = (): any =>
  JSON.parse(readFileSync(join(BASE_DIR, "dashboards", "nodes.json"), "utf8"));

Deno.test("dashboardsOf() reads the title and every panel of base/dashboards/nodes.json", () => {
  const [d] = dashboardsOf([configMap("grafana-dashboard-nodes", { "nodes.json": nodes() })]);
  assert.equal(d?.id, "nodes");
  assert.equal(d?.title, "Nodes");
  assert.equal(d?.panels[0]?.key, "CPU busy");
  assert.equal(d?.panels.length, 8);
});

Deno.test("dashboardChanges() names dashboards added and removed, and panels added, removed, changed", () => {
  const before = nodes();
  const after = nodes();
  after.panels[0].targets[0].expr = "avg(rate(node_cpu_seconds_total[5m]))";
  after.panels[1].type = "stat";
  after.panels[2].fieldConfig = { defaults: { unit: "bytes" } };
  const removed = after.panels.splice(3, 1)[0];
  after.panels.push({ id: 99, type: "timeseries", title: "Disk latency", targets: [] });
  after.refresh = "1m";
  const changes = dashboardChanges(
    dashboardsOf([
      configMap("grafana-dashboard-nodes", { "nodes.json": before }),
      configMap("grafana-dashboard-old", { "old.json": { uid: "old", title: "Old", panels: [] } }),
    ]),
    dashboardsOf([
      configMap("grafana-dashboard-nodes", { "nodes.json": after }),
      configMap("grafana-dashboard-new", {
        "new.json": {
          uid: "new",
          title: "New",
          panels: [{ id: 1, type: "row", title: "Row", panels: [{ id: 2, title: "Inner" }] }],
        },
      }),
    ]),
  );
  assert.deepEqual(changes, [
    { op: "-", subject: "dashboard `Old`" },
    {
      op: "~",
      subject: "dashboard `Nodes`",
      details: [
        { op: "-", label: `panel \`${removed.title}\``, note: "removed" },
        {
          op: "~",
          label: "panel `CPU busy` queries",
          from: before.panels[0].targets.map((t: { expr: string }) => t.expr).join("\n"),
          to: after.panels[0].targets.map((t: { expr: string }) => t.expr).join("\n"),
          code: true,
        },
        {
          op: "~",
          label: `panel \`${before.panels[1].title}\` type`,
          from: "timeseries",
          to: "stat",
        },
        { op: "~", label: `panel \`${before.panels[2].title}\``, note: "display settings changed" },
        { op: "+", label: "panel `Disk latency`", note: "added (timeseries)" },
        { op: "~", label: "dashboard settings", note: "refresh changed" },
      ],
    },
    { op: "+", subject: "dashboard `New`", note: "2 panels: Row, Inner" },
  ]);
});

Deno.test("dashboardChanges() finds nothing in equal dashboards and reports a retitled one", () => {
  const d = dashboardsOf([configMap("x", { "nodes.json": nodes() })]);
  assert.deepEqual(dashboardChanges(d, structuredClone(d)), []);
  const renamed = nodes();
  renamed.title = "Hosts";
  assert.deepEqual(dashboardChanges(d, dashboardsOf([configMap("x", { "nodes.json": renamed })])), [
    {
      op: "~",
      subject: "dashboard `Hosts`",
      details: [{ op: "~", label: "title", from: "Nodes", to: "Hosts" }],
    },
  ]);
});
