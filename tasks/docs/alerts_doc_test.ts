import assert from "node:assert/strict";
import type { RuleParamInfo } from "../model/rule_params.ts";
import { type RuleTemplate, RuleTemplateError } from "../rules/templates.ts";
import { alertRows, defaultValues, parameterAlerts, renderAlertsDoc } from "./alerts_doc.ts";

const TEMPLATE: RuleTemplate = {
  name: "disk",
  file: "base/rules/disk.rules.yaml",
  text: `groups:
  - name: disk.rules
    rules:
      - record: instance:disk_free:ratio
        expr: node_filesystem_avail_bytes / node_filesystem_size_bytes
  - name: disk
    rules:
      - alert: DiskFull
        expr: instance:disk_free:ratio * 100 < \${disk.disk_full.warning.available}
        for: \${disk.disk_full.warning.minutes}m
        labels:
          severity: warning
        annotations:
          summary: Less than \${disk.disk_full.warning.available}% free.
          description: >-
            {{ $labels.instance }} has little space | left.
      - alert: DiskFull
        expr: instance:disk_free:ratio * 100 < \${disk.disk_full.critical.available}
        for: 5m
        labels:
          severity: critical
        annotations:
          summary: Less than \${disk.disk_full.critical.available}% free.
          description: Almost no space.
      - alert: DiskDown
        expr: up{job="disk"} == 0
        labels:
          severity: critical
        annotations:
          summary: No disk exporter.
          description: Down.
`,
};

function param(key: string, dflt: number, min = 0, max = 100): RuleParamInfo {
  const [group = "", alert = "", severity = "", ...rest] = key.split(".");
  return {
    key,
    group,
    alert,
    severity,
    parameter: rest.join("."),
    type: "integer",
    default: dflt,
    min,
    max,
    description: `The ${rest.join(".")}.`,
  };
}

const INDEX: RuleParamInfo[] = [
  param("disk.disk_full.warning.available", 10),
  param("disk.disk_full.warning.minutes", 30, 1, 1440),
  param("disk.disk_full.critical.available", 5),
  param("disk.unused.warning.x", 1),
];

Deno.test("defaultValues() maps each placeholder key to its default", () => {
  assert.deepEqual(defaultValues(INDEX.slice(0, 2)), {
    "disk.disk_full.warning.available": 10,
    "disk.disk_full.warning.minutes": 30,
  });
});

Deno.test("alertRows() renders each alerting rule with the defaults and lists its parameters", () => {
  const rows = alertRows([TEMPLATE], INDEX);
  assert.deepEqual(rows.map((r) => [r.alert, r.severity, r.group, r.for, r.summary]), [
    ["DiskFull", "warning", "disk", "30m", "Less than 10% free."],
    ["DiskFull", "critical", "disk", "5m", "Less than 5% free."],
    ["DiskDown", "critical", "disk", "0s", "No disk exporter."],
  ]);
  assert.deepEqual(rows.map((r) => r.params.map((p) => p.key)), [
    ["disk.disk_full.warning.available", "disk.disk_full.warning.minutes"],
    ["disk.disk_full.critical.available"],
    [],
  ]);
  assert.equal(rows[0]?.expr, "instance:disk_free:ratio * 100 < 10");
});

Deno.test("parameterAlerts() maps each used parameter to the alerts it tunes", () => {
  assert.deepEqual(
    [...parameterAlerts(alertRows([TEMPLATE], INDEX))],
    [
      ["disk.disk_full.warning.available", ["DiskFull"]],
      ["disk.disk_full.warning.minutes", ["DiskFull"]],
      ["disk.disk_full.critical.available", ["DiskFull"]],
    ],
  );
});

Deno.test("renderAlertsDoc() writes the table, one section per alert and the unused parameters", () => {
  const doc = renderAlertsDoc([TEMPLATE], INDEX);
  const lines = doc.split("\n");
  assert.equal(
    lines[0],
    "<!-- generated from base/rules/*.rules.yaml, tasks/model/rule_params.ts, " +
      "tasks/model/components.ts and tasks/docs/metalk8s_alerts.ts by deno task docs; do not " +
      "edit -->",
  );
  assert.ok(doc.includes("these 2 alerts (3 rules, one per severity)"));
  assert.ok(
    lines.includes(
      "| [DiskFull](#diskfull) | warning | disk | `30m` | Less than 10% free. | " +
        "`disk.disk_full.warning.available` = `10`<br>`disk.disk_full.warning.minutes` = `30` |",
    ),
  );
  assert.ok(
    lines.includes("| [DiskDown](#diskdown) | critical | disk | `0s` | No disk exporter. | — |"),
  );
  assert.equal(lines.filter((l) => l === "### DiskFull").length, 1);
  assert.ok(lines.includes("{{ $labels.instance }} has little space | left."));
  assert.ok(
    lines.includes(
      "| `spec.rules.disk.disk_full.warning.minutes` | `30` | 1 to 1440, integer | The minutes. |",
    ),
  );
  assert.ok(lines.includes("- `spec.rules.disk.unused.warning.x` (default `1`)"));
  assert.ok(doc.endsWith("(default `1`)\n"));
});

Deno.test("renderAlertsDoc() changes when a default changes", () => {
  const changed = INDEX.map((p) =>
    p.key === "disk.disk_full.warning.available" ? { ...p, default: 15 } : p
  );
  const doc = renderAlertsDoc([TEMPLATE], changed);
  assert.notEqual(doc, renderAlertsDoc([TEMPLATE], INDEX));
  assert.ok(doc.includes("| Less than 15% free. | `disk.disk_full.warning.available` = `15`"));
});

Deno.test("renderAlertsDoc() refuses a placeholder the index does not know", () => {
  assert.throws(
    () => renderAlertsDoc([TEMPLATE], INDEX.slice(1)),
    (e: unknown) =>
      e instanceof RuleTemplateError &&
      e.message ===
        "base/rules/disk.rules.yaml:9: unknown placeholder ${disk.disk_full.warning.available}: " +
          "rule parameters are defined in tasks/model/rule_params.ts",
  );
});

Deno.test("renderAlertsDoc() maps every MetalK8s alert to the same name or to what stands for it", () => {
  const parity = {
    names: ["DiskFull", "VolumeDegraded"],
    counterparts: { VolumeDegraded: { replacedBy: ["DiskFull"], reason: "MetalK8s's | own." } },
  };
  const lines = renderAlertsDoc([TEMPLATE], INDEX, parity).split("\n");
  assert.ok(lines.includes("## MetalK8s's default alerts"));
  assert.ok(lines.includes("| VolumeDegraded | [DiskFull](#diskfull) | MetalK8s's \\| own. |"));
  assert.ok(lines.includes("The 1 alerts of the same name: [DiskFull](#diskfull)."));
  assert.ok(
    lines.includes(
      "Also stands for MetalK8s's VolumeDegraded (see [below](#metalk8ss-default-alerts)).",
    ),
  );
});

Deno.test("renderAlertsDoc() says which alerts need an exposed Kubernetes component", () => {
  const etcd = { ...TEMPLATE, name: "etcd", file: "base/rules/etcd.rules.yaml" };
  const doc = renderAlertsDoc([etcd], INDEX, { names: [], counterparts: {} });
  assert.ok(
    doc.includes(
      "From `base/rules/etcd.rules.yaml`, rule group `disk`. Only on clusters that expose etcd " +
        "(`spec.components`).",
    ),
  );
  assert.ok(!renderAlertsDoc([TEMPLATE], INDEX).includes("Only on clusters"));
});
