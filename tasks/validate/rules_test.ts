import { deepEqual as assertEquals } from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import {
  alertMetadataFindings,
  balance,
  failuresByFile,
  junitFailures,
  promtoolCheckBatch,
  promtoolTestBatch,
  recordedNames,
  ruleCheckFindings,
  unknownMetricFindings,
} from "./rules.ts";

Deno.test("alertMetadataFindings() wants a documented severity, a summary and a description", () => {
  const groups = [{
    name: "g",
    rules: [
      {
        alert: "Ok",
        expr: "up == 0",
        labels: { severity: "warning" },
        annotations: { summary: "s", description: "d" },
      },
      {
        alert: "Bad",
        expr: "up == 0",
        labels: { severity: "page" },
        annotations: { summary: "s" },
      },
      { record: "r", expr: "up" },
    ],
  }];
  assertEquals(alertMetadataFindings(groups).map((f) => [f.rule, f.field, f.message]), [
    [
      "Bad",
      ["labels", "severity"],
      'alert Bad: expected labels.severity to be one of critical, warning, info, none, found "page"',
    ],
    ["Bad", ["annotations"], "alert Bad: expected a non-empty annotations.description, found none"],
  ]);
});

Deno.test("unknownMetricFindings() warns on metrics nothing exposes and accepts recorded ones", () => {
  const groups = [{
    name: "g",
    rules: [
      { record: "job:up:sum", expr: "sum by (job) (up)" },
      { alert: "A", expr: "job:up:sum == 0 or node_load1 > 2 or nod_memory_free < 1" },
    ],
  }];
  assertEquals(
    unknownMetricFindings(groups, recordedNames(groups)).map((f) => [f.severity, f.message]),
    [[
      "warning",
      "alert A: expected metrics exposed by the stack's exporters (see " +
      "tasks/validate/known_metrics.ts) or recorded by a rule, found nod_memory_free, which " +
      "nothing exposes",
    ]],
  );
});

Deno.test("unknownMetricFindings() suggests the metric a typo under a known prefix meant", () => {
  const groups = [{
    name: "g",
    rules: [
      { alert: "A", expr: "node_filesystem_avail_bytes < 1" },
      { alert: "B", expr: "node_filesystem_avail_bytes < 2 and node_load1 > node_load5" },
      { alert: "C", expr: "node_filesystem_avial_bytes < 3 or node_load15 > 1" },
    ],
  }];
  assertEquals(unknownMetricFindings(groups, new Set()).map((f) => [f.rule, f.message]), [[
    "C",
    "alert C: expected metrics exposed by the stack's exporters (see " +
    "tasks/validate/known_metrics.ts) or recorded by a rule, found node_filesystem_avial_bytes, " +
    "which nothing exposes; did you mean node_filesystem_avail_bytes?",
  ]]);
});

Deno.test("failuresByFile() pairs stderr failure blocks with the files that failed", () => {
  const stdout = "Checking a.yaml\nChecking b.yaml\n  SUCCESS: 1 rules found\n\nChecking c.yaml\n";
  const stderr = "  FAILED:\na.yaml: 5:15: bad\n  FAILED:\nlint error\n";
  assertEquals(
    [...failuresByFile(stdout, stderr, /^Checking (.+)$/)],
    [["a.yaml", "a.yaml: 5:15: bad"], ["c.yaml", "lint error"]],
  );
});

const exec = (cmd: string, args: string[]) => run(cmd, args);

Deno.test("promtoolCheckBatch() reports each broken file's rules, in one promtool run", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rules-test-"));
  try {
    const good = join(dir, "good.yaml");
    const bad = join(dir, "bad.yaml");
    writeFileSync(good, "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n");
    writeFileSync(
      bad,
      "groups:\n  - name: g\n    rules:\n      - alert: B\n        expr: sum(up\n",
    );
    const found = await promtoolCheckBatch(toolPath("promtool"), [good, bad], exec);
    assertEquals([...found], [[bad, [{
      rule: "B",
      message: "could not parse expression: 1:7: parse error: unclosed left parenthesis",
    }]]]);
    assertEquals(
      ruleCheckFindings(
        found.get(bad) ?? [],
        (rule) => ({ file: `f/${rule}`, line: 7, column: 3 }),
      ),
      [{
        severity: "error",
        file: "f/B",
        line: 7,
        column: 3,
        field: "rule B",
        message: "expected rules promtool accepts, found: could not parse expression: 1:7: " +
          "parse error: unclosed left parenthesis",
        check: "promtool",
      }],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("junitFailures() reads each failed suite's failures and errors, decoded", () => {
  const xml = '<testsuites><testsuite name="a.yaml" tests="1" failures="0"><testcase name="x">' +
    '</testcase></testsuite><testsuite name="b &amp; c.yaml" tests="2" failures="1">' +
    '<testcase name="y"><failure>    alertname: Down, &#xA;  got:[&#34;x&#34;]</failure>' +
    '</testcase><testcase name="z"><error>cannot load</error></testcase></testsuite></testsuites>';
  assertEquals([...junitFailures(xml)], [[
    "b & c.yaml",
    '    alertname: Down, \n  got:["x"]\ncannot load',
  ]]);
});

Deno.test("promtoolTestBatch() returns the failure of each failing test file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "rules-test-"));
  try {
    writeFileSync(
      join(dir, "r.yaml"),
      "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n",
    );
    const test = (exp: string) =>
      `rule_files: [r.yaml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n` +
      `      - series: up{job="x"}\n        values: "0x10"\n    alert_rule_test:\n` +
      `      - eval_time: 5m\n        alertname: Down\n        exp_alerts: ${exp}\n`;
    writeFileSync(join(dir, "ok.yaml"), test("[{exp_labels: {job: x}}]"));
    writeFileSync(join(dir, "failing.yaml"), test("[]"));
    const found = await promtoolTestBatch(
      toolPath("promtool"),
      [join(dir, "ok.yaml"), join(dir, "failing.yaml")],
      exec,
    );
    assertEquals([...found.keys()], [join(dir, "failing.yaml")]);
    assertEquals(
      found.get(join(dir, "failing.yaml"))?.split("\n")[0]?.trim(),
      "alertname: Down, time: 5m,",
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Deno.test("balance() spreads items over groups of similar weight", () => {
  assertEquals(balance([5, 1, 4, 2, 3], 2, (n) => n), [[5, 2, 1], [4, 3]]);
  assertEquals(balance([1], 4, (n) => n), [[1]]);
});
