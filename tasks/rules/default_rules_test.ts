/**
 * The default rules as shipped: rendered with the default parameters, valid for promtool, passing
 * their unit tests, each alert complete; and a changed threshold proven by its own unit test.
 */
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { parse } from "yaml";
import { RULE_PARAM_INDEX, RuleParams, ruleParamValues } from "../model/rule_params.ts";
import { checkRules, countTestCases, testRules } from "./promtool.ts";
import {
  listRuleTestFiles,
  loadRuleTemplates,
  placeholderAlerts,
  renderDefaultRules,
  renderRuleSets,
  RULES_DIR,
  type RuleSet,
  templatePlaceholders,
  TEST_SUFFIX,
  writeRuleFiles,
} from "./templates.ts";

const DEFAULTS = ruleParamValues(RuleParams.parse({}));
const SEVERITIES = ["critical", "warning", "info", "none"];
const THRESHOLD_30_TEST = join(
  import.meta.dirname ?? ".",
  "testdata",
  "space_threshold_30.rules.test.yaml",
);

async function withRendered<T>(sets: RuleSet[], fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "rules-"));
  try {
    await writeRuleFiles(sets, dir);
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const alerts = (sets: RuleSet[]) =>
  sets.flatMap((s) => s.groups.flatMap((g) => g.rules.filter((r) => r.alert !== undefined)));

Deno.test("default rules pass promtool check rules, duplicates included", async () => {
  const sets = await renderDefaultRules(DEFAULTS);
  const findings = await withRendered(sets, async (dir) => {
    const files = sets.map((s) => join(dir, `${s.name}.rules.yaml`));
    return await checkRules(files);
  });
  assert.deepEqual(findings, []);
});

Deno.test("default rules pass every promtool unit test in base/rules/", async () => {
  const sets = await renderDefaultRules(DEFAULTS);
  const testFiles = await listRuleTestFiles();
  assert.equal(testFiles.length, sets.length);
  const findings = await withRendered(sets, (dir) => testRules(testFiles, dir));
  assert.deepEqual(findings, []);
});

Deno.test("every template has a unit test file whose cases fire and stay quiet for each alert", async () => {
  const sets = await renderDefaultRules(DEFAULTS);
  const testFiles = new Set((await listRuleTestFiles()).map((f) => basename(f)));
  for (const set of sets) {
    const testFile = `${set.name}${TEST_SUFFIX}`;
    assert.ok(testFiles.has(testFile), `${testFile} is missing`);
    const text = await readFile(join(RULES_DIR, testFile), "utf8");
    const doc = parse(text) as {
      rule_files: string[];
      tests: { alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[] }[];
    };
    assert.deepEqual(doc.rule_files, [`${set.name}.rules.yaml`]);
    const cases = doc.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const name of new Set(alerts([set]).map((r) => r.alert ?? ""))) {
      const mine = cases.filter((c) => c.alertname === name);
      assert.ok(mine.some((c) => (c.exp_alerts ?? []).length > 0), `${name} never fires`);
      if (name !== "Watchdog") {
        assert.ok(
          mine.some((c) => (c.exp_alerts ?? []).length === 0),
          `${name} has no case where it does not fire`,
        );
      }
    }
  }
});

Deno.test("every recording rule is evaluated by a promql_expr_test of its template's tests", async () => {
  const untested: string[] = [];
  for (const set of await renderDefaultRules(DEFAULTS)) {
    const records = new Set(set.groups.flatMap((g) => g.rules).flatMap((r) => r.record ?? []));
    if (records.size === 0) continue;
    const doc = parse(await readFile(join(RULES_DIR, `${set.name}${TEST_SUFFIX}`), "utf8")) as {
      tests: { promql_expr_test?: { expr: string }[] }[];
    };
    const exprs = doc.tests.flatMap((t) => t.promql_expr_test ?? []).map((c) => c.expr);
    for (const r of records) {
      if (!exprs.some((e) => e.includes(r))) untested.push(`${set.name}: ${r}`);
    }
  }
  assert.deepEqual(untested, []);
});

Deno.test("every default alert has a severity, a for, a summary, a description and a runbook", async () => {
  const sets = await renderDefaultRules(DEFAULTS);
  const all = alerts(sets);
  assert.ok(all.length > 40, `only ${all.length} alerts`);
  for (const r of all) {
    assert.ok(SEVERITIES.includes(r.labels?.severity ?? ""), `${r.alert}: severity`);
    assert.ok(r.for !== undefined, `${r.alert}: for`);
    assert.ok((r.annotations?.summary ?? "").length > 10, `${r.alert}: summary`);
    assert.ok((r.annotations?.description ?? "").length > 20, `${r.alert}: description`);
    assert.equal(r.annotations?.runbook_url, `docs/alerts.md#${r.alert?.toLowerCase()}`);
  }
});

Deno.test("templates use every rule parameter, and only those", async () => {
  const used = new Set((await loadRuleTemplates()).flatMap((t) => templatePlaceholders(t.text)));
  assert.deepEqual([...used].sort(), RULE_PARAM_INDEX.map((p) => p.key).sort());
});

/** A value 20% (at least one step) away from the default, up or down. */
function moved(p: (typeof RULE_PARAM_INDEX)[number], direction: 1 | -1): number {
  const step = p.type === "integer" ? 1 : 0.01;
  const delta = Math.max(step, Math.abs(p.default) * 0.2);
  const v = p.default + direction * delta;
  return p.type === "integer" ? Math.round(v) : Number(v.toFixed(4));
}

Deno.test("every rule parameter is pinned by a unit test: moving it 20% breaks one", async () => {
  const templates = await loadRuleTemplates();
  const root = await mkdtemp(join(tmpdir(), "rules-moved-"));
  const loose: string[] = [];
  try {
    for (const [i, p] of RULE_PARAM_INDEX.entries()) {
      const template = templates.find((t) => templatePlaceholders(t.text).includes(p.key));
      assert.ok(template, p.key);
      const names = [...(placeholderAlerts(template).get(p.key) ?? [])];
      let broken = false;
      for (const direction of [1, -1] as const) {
        const dir = join(root, `${i}${direction}`);
        await writeRuleFiles(
          renderRuleSets([template], { ...DEFAULTS, [p.key]: moved(p, direction) }),
          dir,
        );
        const testFile = join(RULES_DIR, `${template.name}${TEST_SUFFIX}`);
        const findings = await testRules([testFile], dir, { run: `^(${names.join("|")}) ` });
        if (findings.length > 0) {
          broken = true;
          break;
        }
      }
      if (!broken) loose.push(p.key);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  assert.deepEqual(loose, []);
});

Deno.test("a threshold of 30 instead of 40 changes the expression, and its unit test passes", async () => {
  const params = RuleParams.parse({
    node_exporter: { node_filesystem_space_filling_up: { warning: { threshold: 30 } } },
  });
  const tuned = await renderDefaultRules(ruleParamValues(params));
  const warning = (sets: RuleSet[]) =>
    alerts(sets).find((r) =>
      r.alert === "NodeFilesystemSpaceFillingUp" && r.labels?.severity === "warning"
    )?.expr;
  assert.match(warning(tuned) ?? "", /\* 100\n\s+< 30\n/);
  assert.match(warning(await renderDefaultRules(DEFAULTS)) ?? "", /\* 100\n\s+< 40\n/);

  assert.deepEqual(await withRendered(tuned, (dir) => testRules([THRESHOLD_30_TEST], dir)), []);

  // The same test fails with the default threshold: the filesystem at 35% free fires too.
  const withDefaults = await withRendered(
    await renderDefaultRules(DEFAULTS),
    (dir) => testRules([THRESHOLD_30_TEST], dir),
  );
  assert.equal(withDefaults.length, 1);
  assert.equal(withDefaults[0]?.file, "tasks/rules/testdata/space_threshold_30.rules.test.yaml");
  assert.equal(withDefaults[0]?.line, 23);
  assert.equal(withDefaults[0]?.field, "tests[0].alert_rule_test[0]");
  assert.match(withDefaults[0]?.message ?? "", /mountpoint="\/over"/);
});

Deno.test("countTestCases() counts the default rules' unit test cases", async () => {
  let total = 0;
  for (const f of await listRuleTestFiles()) total += countTestCases(await readFile(f, "utf8"));
  assert.ok(total >= 2 * 40, `only ${total} cases`);
});
