import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CLUSTER_SCHEMA_PATH, clusterJsonSchema, renderClusterJsonSchema } from "./jsonschema.ts";
import { ROOT } from "./paths.ts";

// deno-lint-ignore no-explicit-any
const schema = clusterJsonSchema() as any;

Deno.test("clusterJsonSchema() picks one definition per kind", () => {
  assert.deepEqual(Object.keys(schema.$defs), [
    "Cluster",
    "PrometheusConfig",
    "AlertmanagerConfig",
    "GrafanaConfig",
  ]);
  assert.deepEqual(
    // deno-lint-ignore no-explicit-any
    schema.allOf.map((b: any) => [b.if.properties.kind.const, b.then.$ref]),
    [
      ["Cluster", "#/$defs/Cluster"],
      ["PrometheusConfig", "#/$defs/PrometheusConfig"],
      ["AlertmanagerConfig", "#/$defs/AlertmanagerConfig"],
      ["GrafanaConfig", "#/$defs/GrafanaConfig"],
    ],
  );
});

Deno.test("clusterJsonSchema() keeps defaults optional and unknown keys refused", () => {
  const config = schema.$defs.PrometheusConfig.properties.spec.properties.config;
  assert.equal(config.additionalProperties, false);
  assert.equal(config.required, undefined);
  assert.equal(config.properties.retention_time.default, "10d");
  assert.equal(config.properties.retention_size.pattern, "^(0|[1-9]\\d*(B|KB|MB|GB|TB|PB|EB))$");
  const replicas = schema.$defs.PrometheusConfig.properties.spec.properties.deployment.properties
    .replicas;
  assert.deepEqual([replicas.default, replicas.minimum], [2, 1]);
  assert.deepEqual(schema.$defs.Cluster.required, ["apiVersion", "kind", "metadata"]);
});

Deno.test("renderClusterJsonSchema() matches the committed schemas/cluster.schema.json", () => {
  const committed = readFileSync(join(ROOT, CLUSTER_SCHEMA_PATH), "utf8");
  assert.equal(committed, renderClusterJsonSchema(), "run deno task generate");
});
