import assert from "node:assert/strict";
import { childPath, formatPath, parsePath } from "./field_path.ts";

Deno.test("parsePath() reads names, indexes, named items and quoted keys", () => {
  assert.deepEqual(parsePath('spec.containers[grafana].args[0].x["grafana.ini"]'), [
    "spec",
    "containers",
    { name: "grafana" },
    "args",
    0,
    "x",
    "grafana.ini",
  ]);
  assert.deepEqual(parsePath('a["say \\"hi\\""]'), ["a", 'say "hi"']);
});

Deno.test("formatPath() writes what parsePath() reads", () => {
  for (
    const path of [
      'spec.config["grafana.ini"].security.admin_password',
      "spec.template.spec.containers[grafana].args[2]",
      'metadata.labels["app.kubernetes.io/name"]',
      "metadata.labels.app-name",
    ]
  ) {
    assert.equal(formatPath(parsePath(path)), path);
  }
});

Deno.test("childPath() writes dotted names, indexes and quoted odd keys", () => {
  assert.equal(childPath("", "panels"), "panels");
  assert.equal(childPath("panels", 2), "panels[2]");
  assert.equal(childPath("panels[2]", "targets"), "panels[2].targets");
  assert.equal(childPath("x", "a b"), 'x["a b"]');
  assert.equal(childPath("", "grafana.ini"), '["grafana.ini"]');
});
