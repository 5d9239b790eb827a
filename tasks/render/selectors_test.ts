import assert from "node:assert/strict";
import { labelSelectorMatches, labelSelectorQuery, mapSelectorMatches } from "./selectors.ts";

const labels = { app: "a", tier: "web" };

Deno.test("labelSelectorMatches() selects nothing without a selector and everything with {}", () => {
  assert.equal(labelSelectorMatches(undefined, labels), false);
  assert.equal(labelSelectorMatches(null, labels), false);
  assert.equal(labelSelectorMatches({}, labels), true);
  assert.equal(labelSelectorMatches({ matchLabels: {}, matchExpressions: [] }, {}), true);
});

Deno.test("labelSelectorMatches() applies matchLabels and every matchExpressions operator", () => {
  assert.equal(labelSelectorMatches({ matchLabels: { app: "a" } }, labels), true);
  assert.equal(labelSelectorMatches({ matchLabels: { app: "b" } }, labels), false);
  const expr = (operator: string, key: string, values?: string[]) =>
    labelSelectorMatches(
      { matchExpressions: [{ key, operator, ...(values ? { values } : {}) }] },
      labels,
    );
  assert.equal(expr("In", "tier", ["web", "db"]), true);
  assert.equal(expr("In", "tier", ["db"]), false);
  assert.equal(expr("In", "zone", ["a"]), false);
  assert.equal(expr("NotIn", "tier", ["web"]), false);
  assert.equal(expr("NotIn", "tier", ["db"]), true);
  assert.equal(expr("NotIn", "zone", ["a"]), true);
  assert.equal(expr("Exists", "tier"), true);
  assert.equal(expr("Exists", "zone"), false);
  assert.equal(expr("DoesNotExist", "zone"), true);
  assert.equal(expr("DoesNotExist", "tier"), false);
  // An operator the API server refuses selects nothing.
  assert.equal(expr("Gt", "tier", ["1"]), false);
  // Every requirement must hold.
  assert.equal(
    labelSelectorMatches({
      matchLabels: { app: "a" },
      matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }],
    }, labels),
    false,
  );
});

Deno.test("mapSelectorMatches() selects nothing when empty, else needs every pair", () => {
  assert.equal(mapSelectorMatches(undefined, labels), false);
  assert.equal(mapSelectorMatches({}, labels), false);
  assert.equal(mapSelectorMatches({ app: "a" }, labels), true);
  assert.equal(mapSelectorMatches({ app: "a", tier: "db" }, labels), false);
});

Deno.test("labelSelectorQuery() writes a selector in the API's query syntax", () => {
  assert.equal(labelSelectorQuery({}), "");
  assert.equal(
    labelSelectorQuery({
      matchLabels: { app: "x" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["a", "b"] },
        { key: "zone", operator: "NotIn", values: ["c"] },
        { key: "gpu", operator: "Exists" },
        { key: "spot", operator: "DoesNotExist" },
      ],
    }),
    "app=x,tier in (a,b),zone notin (c),gpu,!spot",
  );
  assert.throws(
    () => labelSelectorQuery({ matchExpressions: [{ key: "n", operator: "Gt", values: ["1"] }] }),
    new Error("label selector: unknown operator Gt for n"),
  );
});
