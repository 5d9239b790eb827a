/**
 * The JSON Schema editors use for every file of a cluster folder (through the
 * `# yaml-language-server: $schema=` modeline), derived from the zod schemas so it cannot drift.
 */
import { z } from "zod";
import { CLUSTER_FILES, FILE_SCHEMAS } from "./cluster.ts";

/** Where `deno task generate` writes it, relative to the repository root. */
export const CLUSTER_SCHEMA_PATH = "schemas/cluster.schema.json";

type JsonSchema = Record<string, unknown>;

/** One schema for the four kinds: `kind` picks the definition (if/then gives editors precise errors). */
export function clusterJsonSchema(): JsonSchema {
  const defs: Record<string, JsonSchema> = {};
  const branches: JsonSchema[] = [];
  for (const [file, kind] of Object.entries(CLUSTER_FILES)) {
    const schema = FILE_SCHEMAS[file as keyof typeof FILE_SCHEMAS] as unknown as z.ZodType;
    // io "input": fields with defaults are optional for the person writing the file.
    const { $schema: _, ...def } = z.toJSONSchema(schema, {
      io: "input",
      unrepresentable: "any",
    }) as JsonSchema;
    defs[kind] = def;
    branches.push({
      if: { properties: { kind: { const: kind } }, required: ["kind"] },
      then: { $ref: `#/$defs/${kind}` },
    });
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://monitoring.dev/schemas/cluster.schema.json",
    title: "Cluster folder file (Cluster, PrometheusConfig, AlertmanagerConfig, GrafanaConfig)",
    description: "Generated from tasks/model/cluster.ts by deno task generate; do not edit.",
    type: "object",
    required: ["apiVersion", "kind"],
    properties: { kind: { enum: Object.values(CLUSTER_FILES) } },
    allOf: branches,
    $defs: defs,
  };
}

/** The file's text: stable key order as zod emits it, two-space indent, final newline. */
export function renderClusterJsonSchema(): string {
  return JSON.stringify(clusterJsonSchema(), null, 2) + "\n";
}
