/**
 * The alert tree (base/rules/alert-tree.rules.yaml) names its children by alert name and
 * severity inside ALERTS selectors; a renamed or removed alert would silently drop out of it.
 */
import assert from "node:assert/strict";
import { RuleParams, ruleParamValues } from "../model/rule_params.ts";
import { renderDefaultRules } from "./templates.ts";

const sets = await renderDefaultRules(ruleParamValues(RuleParams.parse({})));
const alerts = sets.flatMap((s) => s.groups.flatMap((g) => g.rules)).filter((r) => r.alert);
const tree = sets.find((s) => s.name === "alert-tree");

/** Every `ALERTS{…}` selector of an expression: the alert names it matches and its severity. */
export function treeChildren(expr: string): { names: string[]; severity?: string }[] {
  return [...expr.matchAll(/ALERTS\{([^}]*)\}/g)].map((m) => {
    const matchers = m[1] ?? "";
    const names = /alertname=~"([^"]*)"/.exec(matchers)?.[1]?.split("|") ?? [];
    const severity = /severity="([^"]*)"/.exec(matchers)?.[1];
    return severity === undefined ? { names } : { names, severity };
  });
}

Deno.test("treeChildren() reads the names and severity of each ALERTS selector", () => {
  assert.deepEqual(
    treeChildren(
      'sum (ALERTS{alertstate="firing", severity="critical", alertname=~"A|B"} or ' +
        'ALERTS{alertstate="firing", alertname=~"C", deployment="x"}) >= 1',
    ),
    [{ names: ["A", "B"], severity: "critical" }, { names: ["C"] }],
  );
});

Deno.test("every child of the alert tree is a default alert with that severity", () => {
  assert.ok(tree, "base/rules/alert-tree.rules.yaml");
  const missing: string[] = [];
  for (const rule of tree.groups.flatMap((g) => g.rules)) {
    const children = treeChildren(rule.expr);
    assert.ok(children.length > 0, `${rule.alert} groups nothing`);
    for (const { names, severity } of children) {
      for (const name of names) {
        const found = alerts.some((a) =>
          a.alert === name && (severity === undefined || a.labels?.severity === severity)
        );
        if (!found) missing.push(`${rule.alert} → ${name}${severity ? `/${severity}` : ""}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

Deno.test("a composite at risk is critical, a degraded one a warning, and groups that severity", () => {
  for (const rule of tree?.groups.flatMap((g) => g.rules) ?? []) {
    const severity = rule.alert?.endsWith("AtRisk") ? "critical" : "warning";
    assert.equal(rule.labels?.severity, severity, rule.alert);
    for (const child of treeChildren(rule.expr)) {
      assert.ok(child.severity === undefined || child.severity === severity, rule.alert);
    }
  }
});
