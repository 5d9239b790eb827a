import assert from "node:assert/strict";
import { formatLabels, labelSelectorMatches, serviceSelectorMatches } from "./selectors.ts";

const labels = { app: "grafana", tier: "web" };

Deno.test("labelSelectorMatches() applies matchLabels and every matchExpressions operator", () => {
  assert.equal(labelSelectorMatches({ matchLabels: { app: "grafana" } }, labels), true);
  assert.equal(labelSelectorMatches({ matchLabels: { app: "thanos" } }, labels), false);
  const expr = (operator: "In" | "NotIn" | "Exists" | "DoesNotExist", key = "tier") =>
    labelSelectorMatches({ matchExpressions: [{ key, operator, values: ["web"] }] }, labels);
  assert.equal(expr("In"), true);
  assert.equal(expr("NotIn"), false);
  assert.equal(expr("NotIn", "zone"), true);
  assert.equal(expr("Exists"), true);
  assert.equal(expr("Exists", "zone"), false);
  assert.equal(expr("DoesNotExist", "zone"), true);
  assert.equal(expr("DoesNotExist"), false);
});

Deno.test("labelSelectorMatches() selects everything when empty and nothing when absent", () => {
  assert.equal(labelSelectorMatches({}, labels), true);
  assert.equal(labelSelectorMatches({ matchLabels: {}, matchExpressions: [] }, {}), true);
  assert.equal(labelSelectorMatches(undefined, labels), false);
  assert.equal(labelSelectorMatches(null, labels), false);
});

Deno.test("serviceSelectorMatches() selects by equality, and nothing when empty", () => {
  assert.equal(serviceSelectorMatches({ app: "grafana" }, labels), true);
  assert.equal(serviceSelectorMatches({ app: "grafana", tier: "db" }, labels), false);
  assert.equal(serviceSelectorMatches({}, labels), false);
  assert.equal(serviceSelectorMatches(undefined, labels), false);
});

Deno.test("formatLabels() writes labels as a selector string", () => {
  assert.equal(formatLabels({ app: "grafana", tier: "web" }), "app=grafana,tier=web");
  assert.equal(formatLabels({}), "");
});
