import assert from "node:assert/strict";
import {
  loadRuleTemplates,
  parseRuleFile,
  placeholderAlerts,
  renderRuleSets,
  renderRuleTemplate,
  ruleFileText,
  RuleTemplateError,
  runbookUrl,
  templatePlaceholders,
  withRunbookUrls,
} from "./templates.ts";

const TEMPLATE = `groups:
  - name: disk
    rules:
      - record: instance:free:ratio
        expr: free / size
      - alert: DiskFull
        expr: instance:free:ratio * 100 < \${disk.disk_full.warning.available}
        for: \${disk.disk_full.warning.minutes}m
        labels:
          severity: warning
        annotations:
          summary: Less than \${disk.disk_full.warning.available}% free.
          description: "{{ $labels.instance }} is full."
`;
const VALUES = { "disk.disk_full.warning.available": 7.5, "disk.disk_full.warning.minutes": 15 };

Deno.test("renderRuleTemplate() fills every placeholder with its value", () => {
  const out = renderRuleTemplate(TEMPLATE, VALUES, "base/rules/disk.rules.yaml");
  assert.match(out, /instance:free:ratio \* 100 < 7\.5\n/);
  assert.match(out, /for: 15m\n/);
  assert.match(out, /summary: Less than 7\.5% free\.\n/);
  assert.doesNotMatch(out, /\$\{/);
});

Deno.test("renderRuleTemplate() names the file, line and placeholder of an unknown key", () => {
  assert.throws(
    () =>
      renderRuleTemplate(TEMPLATE, { "disk.disk_full.warning.available": 5 }, "base/rules/x.yaml"),
    (e: unknown) => {
      assert.ok(e instanceof RuleTemplateError);
      assert.equal(
        e.message,
        "base/rules/x.yaml:8: unknown placeholder ${disk.disk_full.warning.minutes}: rule " +
          "parameters are defined in tasks/model/rule_params.ts",
      );
      assert.equal(e.line, 8);
      return true;
    },
  );
});

Deno.test("renderRuleTemplate() refuses a placeholder that is never closed", () => {
  assert.throws(
    () => renderRuleTemplate("a: 1\nexpr: up > ${x.y\n", {}, "t.yaml"),
    { message: "t.yaml:2: a placeholder `${` is not closed by `}`" },
  );
});

Deno.test("templatePlaceholders() lists each key once, in order", () => {
  assert.deepEqual(templatePlaceholders(TEMPLATE), [
    "disk.disk_full.warning.available",
    "disk.disk_full.warning.minutes",
  ]);
});

Deno.test("placeholderAlerts() tells which alert uses each placeholder", () => {
  const uses = placeholderAlerts({ name: "disk", text: TEMPLATE, file: "disk.rules.yaml" });
  assert.deepEqual([...uses.entries()].map(([k, v]) => [k, [...v]]), [
    ["disk.disk_full.warning.available", ["DiskFull"]],
    ["disk.disk_full.warning.minutes", ["DiskFull"]],
  ]);
});

Deno.test("parseRuleFile() gives the line of a YAML error", () => {
  assert.throws(
    () => parseRuleFile("groups:\n  - name: a\n    rules: [\n", "r.yaml"),
    (e: unknown) => e instanceof RuleTemplateError && e.line === 4 && e.file === "r.yaml",
  );
});

Deno.test("parseRuleFile() gives the field and line of a rule that is not one", () => {
  const text = "groups:\n  - name: a\n    rules:\n      - alert: A\n        expr: up\n" +
    "        for: soon\n";
  assert.throws(() => parseRuleFile(text, "r.yaml"), {
    message: "r.yaml:6: groups[0].rules[0].for: a Prometheus duration such as 0s, 5m or 1h30m",
  });
  assert.throws(
    () => parseRuleFile("groups:\n  - name: a\n    rules:\n      - expr: up\n", "r.yaml"),
    { message: "r.yaml:4: groups[0].rules[0]: a rule has exactly one of alert or record" },
  );
});

Deno.test("withRunbookUrls() links every alert from one base, and leaves records alone", () => {
  const groups = parseRuleFile(renderRuleTemplate(TEMPLATE, VALUES, "t"), "t");
  const [record, alert] = withRunbookUrls(groups, "https://docs.example.com/alerts")[0]?.rules ??
    [];
  assert.equal(record?.annotations, undefined);
  assert.equal(alert?.annotations?.runbook_url, "https://docs.example.com/alerts#diskfull");
  assert.equal(runbookUrl("DiskFull"), "docs/alerts.md#diskfull");
});

Deno.test("renderRuleSets() parses each template into a named rule set", () => {
  const [set] = renderRuleSets([{ name: "disk", text: TEMPLATE, file: "t" }], VALUES);
  assert.equal(set?.name, "disk");
  assert.deepEqual(set?.groups[0]?.rules[1], {
    alert: "DiskFull",
    expr: "instance:free:ratio * 100 < 7.5",
    for: "15m",
    labels: { severity: "warning" },
    annotations: {
      summary: "Less than 7.5% free.",
      description: "{{ $labels.instance }} is full.",
      runbook_url: "docs/alerts.md#diskfull",
    },
  });
});

Deno.test("ruleFileText() heads the file with its source and round-trips the groups", () => {
  const [set] = renderRuleSets([{ name: "disk", text: TEMPLATE, file: "t" }], VALUES);
  assert.ok(set);
  const text = ruleFileText(set);
  assert.equal(
    text.split("\n")[0],
    "# generated from base/rules/disk.rules.yaml by tasks/rules/templates.ts; do not edit",
  );
  assert.deepEqual(parseRuleFile(text, "t"), set.groups);
});

Deno.test("loadRuleTemplates() lists base/rules/ templates without their tests", async () => {
  const templates = await loadRuleTemplates();
  assert.deepEqual(templates.map((t) => t.name), [
    "alert-tree",
    "alertmanager",
    "coredns",
    "etcd",
    "general",
    "kube-apiserver",
    "kube-controller-manager",
    "kube-proxy",
    "kube-scheduler",
    "kube-state-metrics",
    "kubelet-containers",
    "kubelet",
    "kubernetes-apps",
    "kubernetes-resources",
    "kubernetes-storage",
    "kubernetes-system",
    "node-exporter",
    "prometheus-operator",
    "prometheus",
    "thanos-query",
    "thanos-sidecar",
  ]);
  assert.equal(templates[0]?.file, "base/rules/alert-tree.rules.yaml");
});
