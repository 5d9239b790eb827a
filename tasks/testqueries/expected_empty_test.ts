import assert from "node:assert/strict";
import { explainEmpty, loadExpectedEmpty, parseExpectedEmpty } from "./expected_empty.ts";
import type { Expression } from "./expressions.ts";

const entries = parseExpectedEmpty(`
- metric: kube_.*
  where: local
  reason: no kube-state-metrics locally
- panel: Container restarts
  reason: nothing restarts on a healthy stack
`);

const restarts: Expression = {
  kind: "dashboard",
  name: "Container restarts",
  source: "dashboard workloads.json",
  expr: "x",
};
const podsReady: Expression = { kind: "alert", name: "PodNotReady", source: "s", expr: "x" };

Deno.test("explainEmpty() matches a metric pattern only where it holds", () => {
  assert.equal(
    explainEmpty(entries, "local", podsReady, ["kube_pod_status_ready"])?.reason,
    "no kube-state-metrics locally",
  );
  assert.equal(explainEmpty(entries, "cluster", podsReady, ["kube_pod_status_ready"]), undefined);
  assert.equal(explainEmpty(entries, "local", podsReady, ["kubelet_x"]), undefined);
});

Deno.test("explainEmpty() matches an expression by its kind and name", () => {
  assert.equal(
    explainEmpty(entries, "cluster", restarts, [])?.reason,
    "nothing restarts on a healthy stack",
  );
  assert.equal(explainEmpty(entries, "cluster", { ...restarts, kind: "alert" }, []), undefined);
});

Deno.test("parseExpectedEmpty() refuses an entry without a reason or naming two things", () => {
  assert.throws(() => parseExpectedEmpty("- metric: x\n"), /reason/);
  assert.throws(
    () => parseExpectedEmpty("- metric: x\n  alert: Y\n  reason: r\n"),
    /each entry names exactly one of metric, alert, record, panel/,
  );
});

Deno.test("loadExpectedEmpty() reads the repository's list, every entry with a reason", () => {
  const list = loadExpectedEmpty();
  assert.ok(list.length > 0);
  for (const e of list) assert.ok(e.reason.length > 10, JSON.stringify(e));
});
