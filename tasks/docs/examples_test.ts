/**
 * Every example the guides show works: each ```yaml block of docs/*.md parses; cluster-folder
 * files validate against the zod schema; route tests pass with amtool and rule tests with
 * promtool against the configuration shown before them; Kubernetes objects pass kubeconform. The
 * example cluster folder and workload of examples/ are checked the same way, and every command
 * the README and the guides show is a task of deno.json.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { stringify } from "yaml";
import { CLUSTER_FILES, FILE_SCHEMAS, type PrometheusConfigFile } from "../model/cluster.ts";
import { defaultAlertmanagerConfig, mergeConfig } from "../model/merged_cluster.ts";
import { loadClusterFromSources } from "../model/load.ts";
import { ROOT, toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { parseManifests } from "../render/kustomize.ts";
import { kubeconformErrors, KUBERNETES_VERSION } from "../validate/kubeconform.ts";
import { parseRouteTests, runRouteCase } from "../validate/routing.ts";
import { collectExamples, fieldRows, referenceKinds } from "./configuration_doc.ts";
import { classify, codeBlocks, taskMentions, type YamlExample, yamlExamples } from "./examples.ts";
import { EXAMPLE_CLUSTER_DIR, exampleClusterDirs } from "./generate.ts";

const GUIDES = readdirSync(join(ROOT, "docs")).filter((n) => n.endsWith(".md")).sort()
  .map((n) => `docs/${n}`);
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");
const where = (e: YamlExample) => `${e.block.file}:${e.block.line}`;
const allExamples = () => GUIDES.flatMap((f) => yamlExamples(f, read(f)));

// --- pure helpers

Deno.test("codeBlocks() finds fenced blocks, indented ones too, with their first line", () => {
  const md = "# t\n\n```yaml\na: 1\n```\n\n1. step\n\n   ```sh\n   echo hi\n   ```\n";
  assert.deepEqual(codeBlocks("x.md", md), [
    { file: "x.md", line: 4, lang: "yaml", text: "a: 1\n" },
    { file: "x.md", line: 10, lang: "sh", text: "echo hi\n" },
  ]);
});

Deno.test("classify() tells cluster files, tests and Kubernetes objects apart", () => {
  assert.deepEqual(classify({ kind: "PrometheusConfig" }), {
    kind: "cluster-file",
    file: "prometheus.yaml",
  });
  assert.deepEqual(classify({ cases: [] }), { kind: "route-test" });
  assert.deepEqual(classify({ rule_files: [], tests: [] }), { kind: "rule-test" });
  assert.deepEqual(classify({ apiVersion: "v1", kind: "Service" }), { kind: "kubernetes" });
  assert.deepEqual(classify({ spec: {} }), { kind: "unknown" });
});

Deno.test("taskMentions() finds deno task and ./dev commands", () => {
  assert.deepEqual(
    taskMentions("r.md", "run `deno task generate eu` then ./dev up\n`./dev <task>` and deno task"),
    [
      { file: "r.md", line: 1, task: "generate" },
      { file: "r.md", line: 1, task: "up" },
    ],
  );
});

// --- the guides

Deno.test("every ```yaml block of docs/*.md parses and is a known kind of example", () => {
  const examples = allExamples();
  assert.ok(examples.length >= 10, `only ${examples.length} YAML examples found`);
  const bad = examples
    .filter((e) => e.error !== undefined || e.what.kind === "unknown")
    .map((e) =>
      `${where(e)}: ${e.error ?? "neither a cluster file, a test nor a Kubernetes object"}`
    );
  assert.deepEqual(bad, []);
});

Deno.test("every cluster-folder example of docs/*.md validates against the zod schema", () => {
  const problems: string[] = [];
  let n = 0;
  for (const e of allExamples()) {
    if (e.what.kind !== "cluster-file") continue;
    n++;
    const r = FILE_SCHEMAS[e.what.file].safeParse(e.value);
    if (!r.success) {
      problems.push(
        ...r.error.issues.map((i) => `${where(e)}: ${i.path.join(".")}: ${i.message}`),
      );
    }
  }
  assert.ok(n >= 8, `only ${n} cluster-folder examples`);
  assert.deepEqual(problems, []);
});

/** The last example of `kind` shown before `e` in the same guide. */
function shownBefore(e: YamlExample, pick: (x: YamlExample) => boolean): YamlExample | undefined {
  return allExamples()
    .filter((x) => x.block.file === e.block.file && x.block.line < e.block.line && pick(x))
    .at(-1);
}

Deno.test("every route test of docs/*.md parses and passes amtool against the configuration shown before it", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "docs-routes-"));
  try {
    const failures: string[] = [];
    let cases = 0;
    for (const e of allExamples().filter((x) => x.what.kind === "route-test")) {
      const am = shownBefore(
        e,
        (x) => x.what.kind === "cluster-file" && x.what.file === "alertmanager.yaml",
      );
      const tests = parseRouteTests({ path: where(e), text: e.block.text });
      assert.deepEqual(tests.findings, []);
      // A format sketch without its configuration (development.md) can only be parsed.
      if (!am) continue;
      const parsed = FILE_SCHEMAS["alertmanager.yaml"].parse(am.value);
      const config = join(tmp, `${e.block.line}.yaml`);
      writeFileSync(
        config,
        stringify(mergeConfig(defaultAlertmanagerConfig(), parsed.spec.notification.config)),
      );
      for (const c of tests.cases) {
        cases++;
        failures.push(...(await runRouteCase(where(e), config, c)).map((f) => f.message));
      }
    }
    assert.ok(cases >= 4, `only ${cases} route cases`);
    assert.deepEqual(failures, []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

async function promtoolTest(groups: unknown, testText: string): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), "docs-rules-"));
  try {
    writeFileSync(join(tmp, "extra-rules.yaml"), stringify({ groups }));
    writeFileSync(join(tmp, "test.yaml"), testText);
    const r = await run(toolPath("promtool"), ["test", "rules", "test.yaml"], { cwd: tmp });
    return r.code === 0 ? "" : (r.stdout + r.stderr).trim();
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

Deno.test("every rule test of docs/*.md passes promtool against the extra rules shown before it", async () => {
  const tests = allExamples().filter((x) => x.what.kind === "rule-test");
  assert.ok(tests.length >= 1);
  for (const e of tests) {
    const prom = shownBefore(e, (x) => {
      if (x.what.kind !== "cluster-file" || x.what.file !== "prometheus.yaml") return false;
      return FILE_SCHEMAS["prometheus.yaml"].parse(x.value).spec.extraRules.groups.length > 0;
    });
    assert.ok(prom, `${where(e)}: no prometheus.yaml example with extraRules before this test`);
    const groups = (FILE_SCHEMAS["prometheus.yaml"].parse(prom.value) as PrometheusConfigFile)
      .spec.extraRules.groups;
    assert.equal(await promtoolTest(groups, e.block.text), "", where(e));
  }
});

Deno.test("every Kubernetes object of docs/*.md and examples/workload-servicemonitor.yaml passes kubeconform", async () => {
  const docs = allExamples().filter((x) => x.what.kind === "kubernetes");
  const texts = [
    ...docs.map((e) => e.block.text),
    read("examples/workload-servicemonitor.yaml"),
  ];
  const yaml = texts.join("\n---\n");
  const errors = await kubeconformErrors(
    { yaml, objects: parseManifests(yaml) },
    { kubernetesVersion: KUBERNETES_VERSION },
  );
  assert.deepEqual(errors.map((e) => `${e.resource}: ${e.field} ${e.message}`), []);
  assert.ok(docs.length >= 1);
});

Deno.test("the ServiceMonitor of operations.md is the one of examples/workload-servicemonitor.yaml", () => {
  const inDoc = allExamples().filter((x) =>
    x.block.file === "docs/operations.md" &&
    (x.value as { kind?: string } | undefined)?.kind === "ServiceMonitor"
  );
  const inExample = parseManifests(read("examples/workload-servicemonitor.yaml"))
    .filter((o) => o.kind === "ServiceMonitor");
  assert.equal(inDoc.length, 1);
  assert.deepEqual(inDoc[0]?.value, inExample[0]);
  assert.deepEqual(inExample[0]?.metadata.labels, { "monitoring.dev/stack": "platform" });
});

// --- the example cluster folders

const EXAMPLE_DIRS = await exampleClusterDirs();

/** The files of an example cluster folder that exist, by file name. */
function exampleFiles(dir = EXAMPLE_CLUSTER_DIR): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of Object.keys(CLUSTER_FILES)) {
    const path = join(ROOT, dir, f);
    if (existsSync(path)) out[f] = readFileSync(path, "utf8");
  }
  return out;
}

Deno.test("every folder of examples/clusters/ loads as a cluster without a finding", () => {
  assert.ok(EXAMPLE_DIRS.length >= 3, `found ${EXAMPLE_DIRS.join(", ")}`);
  assert.equal(EXAMPLE_DIRS[0], EXAMPLE_CLUSTER_DIR);
  for (const dir of EXAMPLE_DIRS) {
    const name = basename(dir);
    const r = loadClusterFromSources(name, exampleFiles(dir), dir);
    assert.deepEqual(r.findings, [], dir);
    assert.equal(r.cluster?.name, name);
  }
});

Deno.test("examples/clusters/example/ and the others together set every field of the reference", () => {
  // The main example sets all it can; the others what it cannot at the same time.
  const examples = collectExamples(
    EXAMPLE_DIRS.flatMap((dir) =>
      Object.entries(exampleFiles(dir)).map(([f, text]) => ({ path: `${dir}/${f}`, text }))
    ),
  );
  const missing = referenceKinds().flatMap((k) =>
    fieldRows(k.schema)
      .filter((r) => r.type !== "object" && r.type !== "list of objects")
      .filter((r) => !examples.has(`${k.file} ${r.path}`))
      .map((r) => `${k.file} ${r.path}`)
  );
  assert.deepEqual(missing, [], `add these fields to ${EXAMPLE_CLUSTER_DIR}/`);
});

Deno.test("examples/clusters/example/ passes its route tests and rule tests", async () => {
  const r = loadClusterFromSources("example", exampleFiles(), EXAMPLE_CLUSTER_DIR);
  assert.ok(r.cluster);
  const tmp = mkdtempSync(join(tmpdir(), "example-routes-"));
  try {
    const config = join(tmp, "alertmanager.yaml");
    writeFileSync(config, stringify(r.cluster.alertmanager.notification.config));
    const file = `${EXAMPLE_CLUSTER_DIR}/routes-test.yaml`;
    const tests = parseRouteTests({ path: file, text: read(file) });
    assert.deepEqual(tests.findings, []);
    assert.equal(tests.cases.length, 3);
    for (const c of tests.cases) assert.deepEqual(await runRouteCase(file, config, c), []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const testFile = `${EXAMPLE_CLUSTER_DIR}/rules-tests/payments.test.yaml`;
  assert.equal(await promtoolTest(r.cluster.prometheus.extraRules.groups, read(testFile)), "");
});

// --- commands

Deno.test("every deno task and ./dev command of README.md and docs/*.md is a task of deno.json", () => {
  const tasks = Object.keys(JSON.parse(read("deno.json")).tasks as Record<string, string>);
  const mentions = ["README.md", ...GUIDES].flatMap((f) => taskMentions(f, read(f)));
  assert.ok(mentions.length >= 20, `only ${mentions.length} commands found`);
  const unknown = mentions.filter((m) => !tasks.includes(m.task))
    .map((m) => `${m.file}:${m.line}: ${m.task}`);
  assert.deepEqual(unknown, []);
});
