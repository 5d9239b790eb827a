import assert from "node:assert/strict";
import { RULE_PARAM_INDEX, RuleParams, ruleParamValues } from "./rule_params.ts";

Deno.test("RuleParams.parse({}) gives MetalK8s's defaults", () => {
  const p = RuleParams.parse({});
  assert.deepEqual(p.node_exporter.node_filesystem_space_filling_up, {
    warning: { hours: 24, threshold: 40 },
    critical: { hours: 4, threshold: 20 },
  });
  assert.deepEqual(p.node_exporter.node_filesystem_almost_out_of_space, {
    warning: { available: 5 },
    critical: { available: 3 },
  });
  assert.deepEqual(p.node_exporter.node_filesystem_files_filling_up, {
    warning: { hours: 24, threshold: 40 },
    critical: { hours: 4, threshold: 20 },
  });
  assert.deepEqual(p.node_exporter.node_filesystem_almost_out_of_files, {
    warning: { available: 5 },
    critical: { available: 3 },
  });
  assert.deepEqual(p.node_exporter.node_network_receive_errors, { warning: { error_rate: 0.01 } });
  assert.deepEqual(p.node_exporter.node_network_transmit_errors, { warning: { error_rate: 0.01 } });
  assert.deepEqual(p.node_exporter.node_high_number_conntrack_entries_used, {
    warning: { threshold: 0.75 },
  });
  assert.deepEqual(p.node_exporter.node_clock_skew_detected, {
    warning: { threshold: { high: 0.05, low: -0.05 } },
  });
  assert.deepEqual(p.kube_apps.kube_job_not_completed, { warning: { hours: 24 } });
});

Deno.test("RuleParams keeps a partial override and defaults the rest", () => {
  const p = RuleParams.parse({
    node_exporter: { node_filesystem_space_filling_up: { warning: { threshold: 30 } } },
  });
  assert.deepEqual(p.node_exporter.node_filesystem_space_filling_up.warning, {
    hours: 24,
    threshold: 30,
  });
  assert.deepEqual(p.node_exporter.node_filesystem_space_filling_up.critical, {
    hours: 4,
    threshold: 20,
  });
});

Deno.test("RuleParams rejects an unknown key, a value out of range and a wrong type", () => {
  const r = RuleParams.safeParse({
    node_exporter: {
      node_filesystem_space_filling_up: { warning: { hours: 0, treshold: 30 } },
      node_network_receive_errors: { warning: { error_rate: "0.01" } },
    },
  });
  assert.equal(r.success, false);
  assert.deepEqual(
    r.error?.issues.map((i) => [i.path.join("."), i.message]),
    [
      [
        "node_exporter.node_filesystem_space_filling_up.warning.hours",
        "Too small: expected number to be >=1",
      ],
      [
        "node_exporter.node_filesystem_space_filling_up.warning",
        'Unrecognized key: "treshold"',
      ],
      [
        "node_exporter.node_network_receive_errors.warning.error_rate",
        "Invalid input: expected number, received string",
      ],
    ],
  );
});

Deno.test("RuleParams refuses a critical level less severe than its warning", () => {
  const r = RuleParams.safeParse({
    node_exporter: {
      node_filesystem_almost_out_of_space: { critical: { available: 8 } },
      node_filesystem_files_filling_up: { critical: { hours: 48 } },
    },
  });
  assert.deepEqual(
    r.error?.issues.map((i) => [i.path.join("."), i.message]),
    [
      [
        "node_exporter.node_filesystem_almost_out_of_space.critical.available",
        "critical.available (8) must not exceed warning.available (5): critical means less is left",
      ],
      [
        "node_exporter.node_filesystem_files_filling_up.critical.hours",
        "critical.hours (48) must not exceed warning.hours (24): the critical alert is the one " +
        "close to running out",
      ],
    ],
  );
});

Deno.test("ruleParamValues() flattens to placeholder keys, nested parameters included", () => {
  const v = ruleParamValues(RuleParams.parse({}));
  assert.equal(v["node_exporter.node_filesystem_space_filling_up.warning.threshold"], 40);
  assert.equal(v["node_exporter.node_clock_skew_detected.warning.threshold.low"], -0.05);
  assert.equal(v["kube_apps.kube_pod_crash_looping.warning.minutes"], 15);
  assert.equal(Object.keys(v).length, RULE_PARAM_INDEX.length);
});

Deno.test("RULE_PARAM_INDEX lists every parameter with its default, range and description", () => {
  const values = ruleParamValues(RuleParams.parse({}));
  assert.deepEqual(RULE_PARAM_INDEX.map((p) => p.key), Object.keys(values));
  for (const p of RULE_PARAM_INDEX) {
    assert.equal(p.default, values[p.key], p.key);
    assert.ok(p.min <= p.default && p.default <= p.max, p.key);
    assert.ok(p.description.length > 20, p.key);
    assert.equal(`${p.group}.${p.alert}.${p.severity}.${p.parameter}`, p.key);
  }
  assert.deepEqual(
    RULE_PARAM_INDEX.find((p) =>
      p.key === "node_exporter.node_filesystem_space_filling_up.warning.hours"
    ),
    {
      key: "node_exporter.node_filesystem_space_filling_up.warning.hours",
      group: "node_exporter",
      alert: "node_filesystem_space_filling_up",
      severity: "warning",
      parameter: "hours",
      type: "integer",
      default: 24,
      min: 1,
      max: 720,
      description:
        "Fire when the trend of the last 6 hours says the filesystem runs out of space " +
        "within this many hours (hours, 1-720).",
    },
  );
});

Deno.test("RULE_PARAM_INDEX uses only the severities alerts can have", () => {
  const severities = new Set(RULE_PARAM_INDEX.map((p) => p.severity));
  assert.deepEqual([...severities].sort(), ["critical", "info", "warning"]);
});
