import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RuleParams, ruleParamValues } from "../model/rule_params.ts";
import { checkRules, countTestCases, parseCheckOutput, testRules } from "./promtool.ts";
import { loadRuleTemplates, renderRuleSets, writeRuleFiles } from "./templates.ts";

const TESTDATA = join(import.meta.dirname ?? ".", "testdata");

async function withGeneralRules<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "promtool-"));
  try {
    const general = (await loadRuleTemplates()).filter((t) => t.name === "general");
    await writeRuleFiles(renderRuleSets(general, ruleParamValues(RuleParams.parse({}))), dir);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

Deno.test("checkRules() reports promtool's parse error at its line and column", async () => {
  const findings = await checkRules([join(TESTDATA, "broken.rules.yaml")]);
  assert.deepEqual(findings, [{
    severity: "error",
    file: "tasks/rules/testdata/broken.rules.yaml",
    line: 5,
    column: 15,
    field: "",
    message: 'group "broken", rule 1, "Unclosed": could not parse expression: 1:7: parse ' +
      "error: unclosed left parenthesis",
    check: "promtool",
  }]);
});

Deno.test("parseCheckOutput() turns a duplicate-rule lint and a YAML error into findings", () => {
  const lint = "  FAILED:\nlint error 1 duplicate rule(s) found.\nMetric: job:up:sum\n" +
    "Label(s):\nMight cause inconsistency while recording expressions\n";
  assert.deepEqual(parseCheckOutput(lint, "/tmp/x.yaml", "x.yaml").map((f) => f.message), [
    "lint error 1 duplicate rule(s) found. Metric: job:up:sum Label(s): Might cause " +
    "inconsistency while recording expressions",
  ]);
  const yaml = "  FAILED:\n/tmp/x.yaml: yaml: line 3: did not find expected node content\n" +
    "/tmp/x.yaml: yaml: line 3: did not find expected node content\n";
  assert.deepEqual(
    parseCheckOutput(yaml, "/tmp/x.yaml", "x.yaml").map((f) => [f.line, f.message]),
    [[3, "yaml: line 3: did not find expected node content"]],
  );
});

Deno.test("testRules() places each failed case at its line and field in the test file", async () => {
  const findings = await withGeneralRules((dir) =>
    testRules([join(TESTDATA, "failing.rules.test.yaml")], dir)
  );
  assert.deepEqual(
    findings.map((f) => [f.file, f.line, f.field, f.message.split("\n")[0]]),
    [
      [
        "tasks/rules/testdata/failing.rules.test.yaml",
        22,
        "tests[0].alert_rule_test[1]",
        "name: TargetDown is expected too early,",
      ],
      [
        "tasks/rules/testdata/failing.rules.test.yaml",
        30,
        "tests[1].promql_expr_test[0]",
        'expr: "job:up:sum", time: 1m,',
      ],
    ],
  );
  assert.match(findings[0]?.message ?? "", /alertname: TargetDown, time: 5m,/);
  assert.match(findings[0]?.message ?? "", /got:\[\]/);
});

Deno.test("testRules() refuses a rule_files entry that matches nothing", async () => {
  const findings = await withGeneralRules((dir) =>
    testRules([join(TESTDATA, "missing.rules.test.yaml")], dir)
  );
  assert.deepEqual(findings.map((f) => [f.file, f.severity, f.message]), [[
    "tasks/rules/testdata/missing.rules.test.yaml",
    "error",
    "rule_files entry no-such.rules.yaml matches no rule file",
  ]]);
});

Deno.test("testRules() passes a file whose cases hold", async () => {
  const findings = await withGeneralRules((dir) =>
    testRules([join(import.meta.dirname ?? ".", "../../base/rules/general.rules.test.yaml")], dir)
  );
  assert.deepEqual(findings, []);
});

Deno.test("countTestCases() counts alert and expression cases", async () => {
  const text = await Deno.readTextFile(join(TESTDATA, "failing.rules.test.yaml"));
  assert.equal(countTestCases(text), 3);
});
