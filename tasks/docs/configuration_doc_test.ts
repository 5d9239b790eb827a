import assert from "node:assert/strict";
import {
  collectExamples,
  fieldRows,
  kindJsonSchema,
  type KindReference,
  referenceKinds,
  renderConfigurationDoc,
} from "./configuration_doc.ts";

Deno.test("kindJsonSchema() carries zod's pattern messages as x-allowed", () => {
  const s = kindJsonSchema("cluster.yaml");
  assert.deepEqual(s.properties.spec.properties.scrapeInterval["x-allowed"], [
    "a Prometheus duration such as 30s, 10d or 1h30m (units y w d h m s ms)",
    "a duration longer than 0",
  ]);
});

Deno.test("fieldRows() lists leaves, described objects, lists and maps with their paths", () => {
  const rows = fieldRows({
    type: "object",
    properties: {
      kind: { type: "string", const: "X" },
      spec: {
        type: "object",
        default: {},
        properties: {
          replicas: {
            type: "integer",
            minimum: 1,
            maximum: 10,
            default: 2,
            description: "How many.",
          },
          labels: { type: "object", additionalProperties: { type: "string" } },
          "grafana.ini": { type: "object", additionalProperties: {} },
          groups: {
            type: "array",
            items: {
              type: "object",
              properties: { name: { type: "string", minLength: 1 } },
              required: ["name"],
            },
          },
        },
      },
    },
    required: ["kind"],
  });
  assert.deepEqual(rows, [
    { path: "kind", type: "string", required: true, allowed: "`X`", description: "" },
    {
      path: "spec.replicas",
      type: "integer",
      required: false,
      default: 2,
      allowed: "1 to 10",
      description: "How many.",
    },
    {
      path: "spec.labels",
      type: "map of string to string",
      required: false,
      allowed: "",
      description: "",
    },
    { path: 'spec["grafana.ini"]', type: "map", required: false, allowed: "", description: "" },
    { path: "spec.groups", type: "list of objects", required: false, allowed: "", description: "" },
    {
      path: "spec.groups[].name",
      type: "string",
      required: true,
      allowed: "not empty",
      description: "",
    },
  ]);
});

Deno.test("collectExamples() keys every value by file name and path, lists as []", () => {
  const ex = collectExamples([
    {
      path: "examples/clusters/example/prometheus.yaml",
      text: "spec:\n  extraRules:\n    groups:\n      - name: a\n      - name: b\n",
    },
    { path: "examples/clusters/example/grafana.yaml", text: "spec: [unclosed\n" },
  ]);
  assert.deepEqual(ex.get("prometheus.yaml spec.extraRules.groups[].name"), [
    { value: "a", file: "examples/clusters/example/prometheus.yaml" },
    { value: "b", file: "examples/clusters/example/prometheus.yaml" },
  ]);
  assert.equal([...ex.keys()].some((k) => k.startsWith("grafana.yaml")), false);
});

Deno.test("renderConfigurationDoc() writes a row per field with its default, range and example", () => {
  const kinds = referenceKinds();
  const doc = renderConfigurationDoc(
    kinds,
    collectExamples([{
      path: "examples/clusters/example/prometheus.yaml",
      text: "spec:\n  config:\n    retention_time: 30d\n",
    }]),
    new Map([["node_exporter.node_filesystem_almost_out_of_space.critical.available", [
      "NodeFilesystemAlmostOutOfSpace",
    ]]]),
  );
  const lines = doc.split("\n");
  assert.equal(
    lines[0],
    "<!-- generated from tasks/model/cluster.ts and examples/clusters/ by deno task " +
      "docs; do not edit -->",
  );
  assert.ok(
    lines.includes(
      "| `spec.config.retention_time` | string | `10d` | a Prometheus duration such as 30s, 10d " +
        "or 1h30m (units y w d h m s ms); a duration longer than 0 | How long samples are kept " +
        "(default 10d). | `30d` |",
    ),
  );
  assert.ok(
    lines.includes(
      "| `spec.reconciler` | string | `argocd` | `argocd`, `flux` or `none` | What applies " +
        "overlays/&lt;name> to the cluster: argocd (the ApplicationSet in clusters/argocd), flux " +
        "(clusters/flux), or none (not deployed from git, e.g. the local cluster). |  |",
    ),
  );
  assert.ok(doc.includes(
    "Tunes [NodeFilesystemAlmostOutOfSpace](alerts.md#nodefilesystemalmostoutofspace). |",
  ));
  assert.deepEqual(
    lines.filter((l) => l.startsWith("## ")),
    [
      "## cluster.yaml (Cluster)",
      "## prometheus.yaml (PrometheusConfig)",
      "## alertmanager.yaml (AlertmanagerConfig)",
      "## grafana.yaml (GrafanaConfig)",
    ],
  );
});

Deno.test("renderConfigurationDoc() is deterministic", () => {
  const kinds: KindReference[] = referenceKinds();
  assert.equal(
    renderConfigurationDoc(kinds, new Map()),
    renderConfigurationDoc(referenceKinds(), new Map()),
  );
});
