import { deepEqual as assertEquals } from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseManifests } from "../render/kustomize.ts";
import { ensureSchemas } from "../schemas/build.ts";
import { ResultCache } from "./cache.ts";
import { KUBERNETES_VERSION } from "./kubeconform.ts";
import { Pool } from "./pool.ts";
import {
  checkAmConfigs,
  checkRuleFiles,
  kubeconformRenders,
  runRouteCases,
  runRuleTests,
  type ToolEnv,
} from "./tool_steps.ts";

function env(): ToolEnv {
  return {
    cache: new ResultCache(null),
    pool: new Pool(2),
    tmp: mkdtempSync(join(tmpdir(), "tool-steps-test-")),
    ids: { promtool: "p", amtool: "a" },
    kubernetesVersion: KUBERNETES_VERSION,
  };
}

const config = `route:
  receiver: chat
  routes:
    - receiver: pager
      matchers: ['severity = "critical"']
receivers:
  - name: chat
  - name: pager
`;

Deno.test("runRouteCases() runs each case with amtool and reports a case routed elsewhere", async () => {
  const e = env();
  try {
    const c = (name: string, severity: string, receivers: string[]) => ({
      file: "clusters/a/routes-test.yaml",
      config,
      c: { name, labels: { severity }, receivers, line: 3, column: 5 },
    });
    const found = await runRouteCases(e, [
      c("pages", "critical", ["pager"]),
      c("chats", "warning", ["pager"]),
    ]);
    assertEquals(found.map((fs) => fs.map((f) => f.message)), [
      [],
      ['case "chats": expected labels {severity=warning} to reach pager, found chat'],
    ]);
  } finally {
    rmSync(e.tmp, { recursive: true, force: true });
  }
});

Deno.test("checkAmConfigs() reports the configuration amtool refuses", async () => {
  const e = env();
  try {
    const report = { file: "clusters/b/alertmanager.yaml", line: 1, column: 1 };
    const found = await checkAmConfigs(e, [
      { text: config, report },
      { text: "route:\n  receiver: nobody\nreceivers:\n  - name: chat\n", report },
    ]);
    assertEquals(found.map((fs) => fs.map((f) => f.message)), [
      [],
      [
        "expected a configuration amtool check-config accepts, found: undefined receiver " +
        '"nobody" used in route',
      ],
    ]);
  } finally {
    rmSync(e.tmp, { recursive: true, force: true });
  }
});

Deno.test("checkRuleFiles() locates promtool's problems through each file's locator", async () => {
  const e = env();
  try {
    const good = "groups:\n  - name: g\n    rules:\n      - record: a\n        expr: up\n";
    const bad = "groups:\n  - name: g\n    rules:\n      - alert: B\n        expr: up ==\n";
    const at = (file: string) => (rule: string | undefined) => ({
      file,
      line: rule ? 9 : 1,
      column: 7,
    });
    const found = await checkRuleFiles(e, [
      { text: good, locate: at("g.yaml") },
      { text: bad, locate: at("b.yaml") },
    ]);
    assertEquals(found.map((fs) => fs.map((f) => [f.file, f.line, f.field])), [[], [[
      "b.yaml",
      9,
      "rule B",
    ]]]);
  } finally {
    rmSync(e.tmp, { recursive: true, force: true });
  }
});

Deno.test("runRuleTests() runs unit tests beside their rule files and locates a failure", async () => {
  const e = env();
  try {
    const rules = new Map([[
      "r.yaml",
      "groups:\n  - name: g\n    rules:\n      - alert: Down\n        expr: up == 0\n",
    ]]);
    const test = (exp: string) =>
      `rule_files: [r.yaml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n` +
      `      - series: up{job="x"}\n        values: "0x10"\n    alert_rule_test:\n` +
      `      - eval_time: 5m\n        alertname: Down\n        exp_alerts: ${exp}\n`;
    const found = await runRuleTests(e, [
      { file: "ok.yaml", text: test("[{exp_labels: {job: x}}]"), rules },
      { file: "failing.yaml", text: test("[]"), rules },
    ]);
    assertEquals(found.map((fs) => fs.map((f) => [f.file, f.line])), [[], [["failing.yaml", 9]]]);
  } finally {
    rmSync(e.tmp, { recursive: true, force: true });
  }
});

Deno.test("kubeconformRenders() reports an object invalid in one render against that render only", async () => {
  await ensureSchemas();
  const e = { ...env(), pool: new Pool(1) }; // one process for every render
  try {
    const alertmanager = (extra: string) =>
      "apiVersion: monitoring.coreos.com/v1\nkind: Alertmanager\n" +
      `metadata: {name: main, namespace: monitoring}\nspec:\n  replicas: 3\n${extra}`;
    const render = (name: string, extra: string) => {
      const yaml = alertmanager(extra);
      return { dir: `overlays/${name}`, yaml, objects: parseManifests(yaml) };
    };
    // The valid render first: attributing by kind and name would pick its Alertmanager.
    const renders = [render("big", "  paused: false\n"), render("small", "  replica: 1\n")];
    const found = await kubeconformRenders(e, renders);
    assertEquals(found.map((errors) => errors.map((x) => [x.resource, x.field, x.message])), [
      [],
      [["Alertmanager/monitoring/main", "spec", "additional properties 'replica' not allowed"]],
    ]);
    assertEquals(found[1]?.[0]?.object, renders[1]?.objects[0]);
  } finally {
    rmSync(e.tmp, { recursive: true, force: true });
  }
});
