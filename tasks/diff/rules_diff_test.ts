import assert from "node:assert/strict";
import { RuleParams, ruleParamValues } from "../model/rule_params.ts";
import type { K8sObject, PrometheusRule } from "../render/objects.ts";
import { loadRuleTemplates, placeholderAlerts, renderRuleSets } from "../rules/templates.ts";
import { prometheusRule } from "../generate/rules.ts";
import { pairRules, paramChanges, ruleChanges, rulesOf } from "./rules_diff.ts";

function ruleObject(
  name: string,
  groups: NonNullable<PrometheusRule["spec"]["groups"]>,
): PrometheusRule {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: { name },
    spec: { groups },
  };
}

Deno.test("ruleChanges() names the tuned parameter, old → new, with the alert it changes", async () => {
  const templates = await loadRuleTemplates();
  const users = new Map<string, Set<string>>();
  for (const t of templates) for (const [k, v] of placeholderAlerts(t)) users.set(k, v);
  const defaults = ruleParamValues(RuleParams.parse({}));
  const tuned = ruleParamValues(
    RuleParams.parse({
      node_exporter: { node_filesystem_space_filling_up: { warning: { threshold: 30 } } },
    }),
  );
  const render = (values: Record<string, number | string>) =>
    rulesOf(
      renderRuleSets(templates, values).map((s) =>
        prometheusRule(`${s.name}-rules`, s.groups) as unknown as K8sObject
      ),
    );
  const params = paramChanges(defaults, tuned, users);
  assert.deepEqual(params, [{
    key: "node_exporter.node_filesystem_space_filling_up.warning.threshold",
    from: "40",
    to: "30",
    alerts: ["NodeFilesystemSpaceFillingUp"],
  }]);
  const changes = ruleChanges(render(defaults), render(tuned), params);
  assert.equal(changes.length, 1, JSON.stringify(changes, null, 2));
  const [change] = changes;
  assert.equal(change?.op, "~");
  assert.equal(change?.subject, "alert `NodeFilesystemSpaceFillingUp` (warning)");
  assert.deepEqual(change?.details?.[0], {
    op: "~",
    label: "parameter `node_exporter.node_filesystem_space_filling_up.warning.threshold`",
    from: "40",
    to: "30",
  });
  const expr = change?.details?.find((d) => d.label === "expr");
  assert.match(expr?.from ?? "", /< 40\n/);
  assert.match(expr?.to ?? "", /< 30\n/);
  assert.equal(expr?.code, true);
  // The critical alert of the same name, with its own parameter, is unchanged and not listed.
});

Deno.test("ruleChanges() reports added, removed and changed rules with for, severity, labels", () => {
  const before = rulesOf([ruleObject("extra-rules", [{
    name: "team",
    rules: [
      {
        alert: "QueueTooLong",
        expr: "queue_length > 100",
        for: "10m",
        labels: { severity: "warning" },
      },
      { alert: "Gone", expr: "up == 0", labels: { severity: "critical" } },
      { record: "job:queue_length:max", expr: "max by (job) (queue_length)" },
    ],
  }])]);
  const after = rulesOf([ruleObject("extra-rules", [{
    name: "team",
    rules: [
      {
        alert: "QueueTooLong",
        expr: "queue_length > 50",
        for: "5m",
        labels: { severity: "critical", team: "payments" },
        annotations: { summary: "The queue is long." },
      },
      { alert: "New", expr: "vector(1)", for: "1m", labels: { severity: "info" } },
      { record: "job:queue_length:max", expr: "max by (job) (queue_length)" },
    ],
  }])]);
  assert.deepEqual(ruleChanges(before, after), [
    {
      op: "-",
      subject: "alert `Gone` (critical)",
      details: [{ label: "group", from: "extra-rules/team" }],
    },
    {
      op: "+",
      subject: "alert `New` (info)",
      details: [
        { label: "expr", to: "vector(1)", code: true },
        { label: "for", to: "1m" },
        { label: "group", to: "extra-rules/team" },
      ],
    },
    {
      op: "~",
      subject: "alert `QueueTooLong` (critical)",
      details: [
        { op: "~", label: "expr", from: "queue_length > 100", to: "queue_length > 50", code: true },
        { op: "~", label: "for", from: "10m", to: "5m" },
        { op: "~", label: "severity", from: "warning", to: "critical" },
        { op: "+", label: "label `team`", to: "payments" },
        { op: "+", label: "annotation `summary`", to: "The queue is long." },
      ],
    },
  ]);
});

Deno.test("ruleChanges() reports a changed recording rule and a parameter no rule shows", () => {
  const before = rulesOf([ruleObject("r", [{ name: "g", rules: [{ record: "a:b", expr: "x" }] }])]);
  const after = rulesOf([ruleObject("r", [{ name: "g", rules: [{ record: "a:b", expr: "y" }] }])]);
  const changes = ruleChanges(before, after, [{
    key: "g.a.warning.t",
    from: "1",
    to: "2",
    alerts: [],
  }]);
  assert.deepEqual(changes, [
    {
      op: "~",
      subject: "recording rule `a:b`",
      details: [{ op: "~", label: "expr", from: "x", to: "y", code: true }],
    },
    { op: "~", subject: "parameter `g.a.warning.t`", from: "1", to: "2", note: "used by no alert" },
  ]);
});

Deno.test("pairRules() pairs alerts of one name by severity, whatever their order", () => {
  const rule = (severity: string, expr: string) => ({
    type: "alert" as const,
    name: "A",
    group: "g",
    expr,
    labels: { severity },
    annotations: {},
  });
  const pairs = pairRules([rule("warning", "1"), rule("critical", "2")], [
    rule("critical", "2"),
    rule("warning", "3"),
  ]);
  assert.deepEqual(pairs.map((p) => [p.a?.labels.severity, p.b?.labels.severity, p.b?.expr]), [
    ["warning", "warning", "3"],
    ["critical", "critical", "2"],
  ]);
});
