import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SCHEMA_CACHE_DIR } from "../model/paths.ts";
import { parseManifests } from "../render/kustomize.ts";
import { ensureSchemas } from "../schemas/build.ts";
import { LOCK_FILE, parseLock } from "../schemas/lock.ts";
import {
  documentsOf,
  errorsOf,
  fieldPath,
  kubeconformErrors,
  kubeconformErrorsOfRenders,
  kubeconformFindings,
  KUBERNETES_VERSION,
  stagedFiles,
} from "./kubeconform.ts";

const DIR = "tasks/validate/testdata/kubeconform";

/** The render of one testdata file, as kustomizeBuild() would return it. */
function render(name: string) {
  const yaml = readFileSync(join(ROOT, DIR, name), "utf8");
  return { dir: join(ROOT, DIR), yaml, objects: parseManifests(yaml) };
}

const opts = { kubernetesVersion: KUBERNETES_VERSION };
const finding = (field: string, message: string) => ({
  severity: "error",
  file: DIR,
  line: 0,
  column: 0,
  field,
  message,
  check: "kubeconform",
});

// The real schemas, built from the pinned sources when the cache is missing.
await ensureSchemas();

Deno.test("kubeconformFindings() accepts a Deployment, PrometheusRule, Application, GitRepository and Kustomization", async () => {
  assert.deepEqual(await kubeconformFindings(render("good.yaml"), opts), []);
});

Deno.test("kubeconformFindings() rejects misspelt Deployment fields, naming the resource and path", async () => {
  assert.deepEqual(await kubeconformFindings(render("bad-deployment.yaml"), opts), [
    finding("Deployment/monitoring/grafana", "spec: additional properties 'replica' not allowed"),
    finding(
      "Deployment/monitoring/grafana",
      "spec.template.spec.containers[0]: additional properties 'imagePullPolice' not allowed",
    ),
  ]);
});

Deno.test("kubeconformFindings() rejects a PrometheusRule rule without expr", async () => {
  assert.deepEqual(await kubeconformFindings(render("bad-prometheusrule.yaml"), opts), [
    finding(
      "PrometheusRule/monitoring/broken",
      "spec.groups[0].rules[0]: additional properties 'expression' not allowed",
    ),
    finding("PrometheusRule/monitoring/broken", "spec.groups[0].rules[0]: missing property 'expr'"),
  ]);
});

Deno.test("kubeconformFindings() reports a kind without a schema instead of skipping it", async () => {
  assert.deepEqual(await kubeconformFindings(render("unknown-kind.yaml"), opts), [
    finding(
      "Widget/monitoring/gizmo",
      "no schema for example.com/v1 Widget (built-in kinds and CRDs are listed in tasks/schemas/sources.ts)",
    ),
  ]);
});

Deno.test("kubeconformErrors() refuses a Kubernetes version it has no schemas for", async () => {
  await assert.rejects(kubeconformErrors(render("good.yaml"), { kubernetesVersion: "1.20.0" }), {
    message: /^no kubeconform schemas for Kubernetes 1\.20\.0 in .*; run `deno task schemas`$/,
  });
});

Deno.test("errorsOf() gives each result to the render of its file and the object it names", () => {
  const objects = (ns: string) =>
    parseManifests(
      `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ${ns}}\n---\n` +
        `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: ${ns}-too}\n---\n` +
        `apiVersion: v1\nkind: Service\nmetadata: {name: a, namespace: ${ns}}\n`,
    );
  const result = (filename: string, kind: string, msg: string) => ({
    filename,
    kind,
    name: "a",
    version: "v1",
    status: "statusInvalid",
    msg: "",
    validationErrors: [{ path: "", msg }],
  });
  const found = errorsOf(
    {
      resources: [
        result("/tmp/k/1/o1.yaml", "ConfigMap", "second"),
        result("/tmp/k/0/o0.yaml", "ConfigMap", "first"),
        result("/tmp/k/1/all.yaml", "Service", "service"),
      ],
    },
    [objects("one"), objects("two")],
  );
  assert.deepEqual(found.map((list) => list.map((e) => [e.resource, e.index, e.message])), [
    [["ConfigMap/one/a", 0, "first"]],
    [["ConfigMap/two-too/a", 1, "second"], ["Service/two/a", 2, "service"]],
  ]);
});

Deno.test("stagedFiles() writes one file per render, and one per object its name does not tell apart", () => {
  const yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n---\n" +
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n---\n" +
    "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n" +
    "apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n";
  assert.deepEqual(
    stagedFiles({ yaml, objects: parseManifests(yaml) }).map((f) => [f.name, f.text]),
    [
      [
        "all.yaml",
        "\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n" +
        "\napiVersion: v1\nkind: Secret\nmetadata: {name: a}\n",
      ],
      ["o0.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n"],
      ["o1.yaml", "\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: y}\n"],
    ],
  );
});

Deno.test("documentsOf() keeps kustomize's documents, or writes each object as JSON", () => {
  const yaml = "a: 1\nkind: X\n---\nkind: Y\n";
  assert.deepEqual(documentsOf({ yaml, objects: parseManifests(yaml) }), [
    "a: 1\nkind: X\n",
    "\nkind: Y\n",
  ]);
  assert.deepEqual(
    documentsOf({ yaml, objects: [{ apiVersion: "v1", kind: "Z", metadata: { name: "z" } }] }),
    ['{"apiVersion":"v1","kind":"Z","metadata":{"name":"z"}}'],
  );
});

Deno.test("kubeconformErrorsOfRenders() tells the same object of two renders, or of two namespaces, apart", async () => {
  const deployment = (ns: string, extra: string) =>
    `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: grafana, namespace: ${ns}}\n` +
    "spec:\n  selector: {matchLabels: {app: g}}\n" +
    `  template:\n    metadata: {labels: {app: g}}\n    spec:\n${extra}` +
    "      containers: [{name: g, image: 'grafana/grafana:1'}]\n";
  const typo = "      terminationGracePeriodSecond: 30\n";
  const good = deployment("monitoring", "");
  const bad = deployment("monitoring", typo);
  const twoNamespaces = `${deployment("a", "")}---\n${deployment("b", typo)}`;
  const renders = [good, bad, good, twoNamespaces].map((yaml) => ({
    yaml,
    objects: parseManifests(yaml),
  }));
  const found = await kubeconformErrorsOfRenders(renders, { ...opts, workers: 2 });
  assert.deepEqual(found.map((list) => list.map((e) => [e.resource, e.index, e.field])), [
    [],
    [["Deployment/monitoring/grafana", 0, "spec.template.spec"]],
    [],
    [["Deployment/b/grafana", 1, "spec.template.spec"]],
  ]);
  assert.equal(found[1]?.[0]?.object, renders[1]?.objects[0]);
});

Deno.test("fieldPath() turns kubeconform's unescaped pointer into a field path", () => {
  const object = {
    metadata: { labels: { "app.kubernetes.io/name": { x: 1 } } },
    spec: { containers: [{ ports: [{}, {}] }] },
  };
  assert.equal(fieldPath(object, "/spec/containers/0/ports/1"), "spec.containers[0].ports[1]");
  assert.equal(
    fieldPath(object, "/metadata/labels/app.kubernetes.io/name/x"),
    'metadata.labels["app.kubernetes.io/name"].x',
  );
  assert.equal(fieldPath(object, ""), "");
});

Deno.test("kubeconformErrors() finds and compiles the schema of every kind in the lock", async () => {
  const lock = parseLock(readFileSync(LOCK_FILE, "utf8"));
  const docs = Object.keys(lock.schemas).map((path) => {
    const schema = JSON.parse(readFileSync(join(SCHEMA_CACHE_DIR, path), "utf8"));
    const [apiVersion] = schema.properties.apiVersion.enum;
    const [kind] = schema.properties.kind.enum;
    return { apiVersion, kind, metadata: { name: "x" } };
  });
  const yaml = docs.map((d) => JSON.stringify(d)).join("\n---\n");
  const errors = await kubeconformErrors({ yaml, objects: parseManifests(yaml) }, opts);
  // Bare objects may lack required fields; a schema kubeconform cannot load or compile shows up
  // as "no schema" instead.
  assert.deepEqual(errors.filter((e) => e.message.startsWith("no schema")), []);
  assert.equal(docs.length, 44);
});
