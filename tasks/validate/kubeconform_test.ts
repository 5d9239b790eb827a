import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, SCHEMA_CACHE_DIR } from "../model/paths.ts";
import { parseManifests } from "../render/kustomize.ts";
import { ensureSchemas } from "../schemas/build.ts";
import { LOCK_FILE, parseLock } from "../schemas/lock.ts";
import {
  errorsOf,
  fieldPath,
  kubeconformErrors,
  kubeconformFindings,
  KUBERNETES_VERSION,
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

Deno.test("errorsOf() tells same-named objects apart by document order", () => {
  const objects = parseManifests(
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: one}\n---\n" +
      "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: two}\n",
  );
  const result = (msg: string) => ({
    filename: "stdin",
    kind: "ConfigMap",
    name: "a",
    version: "v1",
    status: "statusInvalid",
    msg: "",
    validationErrors: [{ path: "", msg }],
  });
  assert.deepEqual(
    errorsOf({ resources: [result("first"), result("second")] }, objects).map((e) => [
      e.resource,
      e.message,
    ]),
    [["ConfigMap/one/a", "first"], ["ConfigMap/two/a", "second"]],
  );
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
