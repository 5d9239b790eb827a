import assert from "node:assert/strict";
import { explainEmpty, loadExpectedEmpty, parseExpectedEmpty } from "./expected_empty.ts";
import type { Expression } from "./expressions.ts";
import { dashboardFile, FOLDERS } from "../dashboards/catalog.ts";
import { RuleParams, ruleParamValues } from "../model/rule_params.ts";
import { renderDefaultRules } from "../rules/render.ts";

const entries = parseExpectedEmpty(`
- metric: kube_.*
  where: local
  reason: no kube-state-metrics locally
- panel: Container restarts
  reason: nothing restarts on a healthy stack
- dashboard: k8s-kubelet.json
  where: local
  reason: no kubelet locally
- dashboard: k8s-etcd.json
  panel: Peer traffic
  reason: a single etcd has no peers
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
  // Every missing metric must be explained, not just one of them.
  assert.equal(
    explainEmpty(entries, "local", podsReady, ["kube_pod_status_ready", "kubelet_x"]),
    undefined,
  );
});

Deno.test("explainEmpty() matches a whole dashboard, or one panel of one dashboard", () => {
  const panel = (name: string, file: string): Expression => ({
    kind: "dashboard",
    name,
    source: `dashboard ${file}`,
    expr: "x",
  });
  assert.equal(
    explainEmpty(entries, "local", panel("Up", "k8s-kubelet.json"), [])?.reason,
    "no kubelet locally",
  );
  assert.equal(explainEmpty(entries, "cluster", panel("Up", "k8s-kubelet.json"), []), undefined);
  assert.equal(
    explainEmpty(entries, "cluster", panel("Peer traffic", "k8s-etcd.json"), [])?.reason,
    "a single etcd has no peers",
  );
  assert.equal(
    explainEmpty(entries, "cluster", panel("Peer traffic", "other.json"), []),
    undefined,
  );
  assert.equal(explainEmpty(entries, "cluster", panel("Up", "k8s-etcd.json"), []), undefined);
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
    /each entry names exactly one of metric, alert, record, panel, dashboard/,
  );
});

Deno.test("loadExpectedEmpty() reads the repository's list, every entry with a reason", () => {
  const list = loadExpectedEmpty();
  assert.ok(list.length > 0);
  for (const e of list) assert.ok(e.reason.length > 10, JSON.stringify(e));
});

Deno.test("expected-empty.yaml names only alerts, records, dashboards and panels that exist", async () => {
  const sets = await renderDefaultRules(ruleParamValues(RuleParams.parse({})));
  const rules = sets.flatMap((s) => s.groups.flatMap((g) => g.rules));
  const dashboards = new Map(
    FOLDERS.flatMap((f) => f.dashboards).map((d) => [
      dashboardFile(d),
      d.rows.flatMap((r) => r.panels.map((p) => p.title)),
    ]),
  );
  const stale: string[] = [];
  for (const e of loadExpectedEmpty()) {
    if (e.alert && !rules.some((r) => r.alert === e.alert)) stale.push(`alert ${e.alert}`);
    if (e.record && !rules.some((r) => r.record === e.record)) stale.push(`record ${e.record}`);
    if (e.dashboard && !dashboards.has(e.dashboard)) stale.push(`dashboard ${e.dashboard}`);
    if (e.panel) {
      const titles = e.dashboard
        ? dashboards.get(e.dashboard) ?? []
        : [...dashboards.values()].flat();
      if (!titles.includes(e.panel)) stale.push(`panel ${e.panel}`);
    }
  }
  assert.deepEqual(stale, []);
});
