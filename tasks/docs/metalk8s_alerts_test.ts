import assert from "node:assert/strict";
import { RuleParams, ruleParamValues } from "../model/rule_params.ts";
import { renderDefaultRules } from "../rules/templates.ts";
import { METALK8S_ALERTS, METALK8S_COUNTERPARTS } from "./metalk8s_alerts.ts";

const sets = await renderDefaultRules(ruleParamValues(RuleParams.parse({})));
const ours = new Set(
  sets.flatMap((s) => s.groups.flatMap((g) => g.rules)).flatMap((r) => r.alert ?? []),
);

Deno.test("every MetalK8s alert is a default alert of the same name or has a counterpart", () => {
  assert.equal(new Set(METALK8S_ALERTS).size, 155);
  const unmatched = METALK8S_ALERTS.filter((n) => !ours.has(n) && !(n in METALK8S_COUNTERPARTS));
  assert.deepEqual(unmatched, []);
});

Deno.test("counterparts are given only for missing names, and name existing alerts", () => {
  for (const [name, c] of Object.entries(METALK8S_COUNTERPARTS)) {
    assert.ok(METALK8S_ALERTS.includes(name), `${name} is not a MetalK8s alert`);
    assert.ok(!ours.has(name), `${name} is shipped here: drop its counterpart`);
    assert.ok(c.reason.length > 20, name);
    for (const a of c.replacedBy) assert.ok(ours.has(a), `${name} → ${a}`);
  }
});
