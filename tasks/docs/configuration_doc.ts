/**
 * `docs/configuration.md`: the reference of a cluster folder, walked out of the JSON Schema that
 * zod derives from `tasks/model/cluster.ts` (every field, its type, default, allowed values and
 * description), with an example of each field taken from the example clusters of `clusters/`.
 */
import { basename } from "node:path";
import { parse, stringify } from "yaml";
import { z } from "zod";
import {
  CLUSTER_API_VERSION,
  CLUSTER_FILES,
  type ClusterFileName,
  CSC_API_VERSIONS,
  FILE_SCHEMAS,
  REPLICA_LABEL,
  SINGLE_ALERTMANAGER_LOSS,
  SINGLE_PROMETHEUS_LOSS,
} from "../model/cluster.ts";
import { defaultAlertmanagerConfig } from "../model/merged_cluster.ts";
import { childPath } from "../model/field_path.ts";
import { CLUSTER_SCHEMA_PATH } from "../model/jsonschema.ts";
import { cell, code, generatedHeader, inline } from "./markdown.ts";

export const CONFIGURATION_DOC = "docs/configuration.md";
export const CONFIGURATION_SOURCES = "tasks/model/cluster.ts and examples/clusters/";

// deno-lint-ignore no-explicit-any
type JsonSchema = Record<string, any>;

/** One kind of file of a cluster folder, as the reference shows it. */
export interface KindReference {
  file: ClusterFileName;
  kind: string;
  /** The file's JSON Schema (input side: fields with defaults are optional). */
  schema: JsonSchema;
  /** A whole file with every default written out (shown as a YAML example). */
  defaults: unknown;
}

/** A value a field takes in one of the example clusters. */
export interface FieldExample {
  value: unknown;
  /** The file it is from: `clusters/production/prometheus.yaml`. */
  file: string;
}

/** Examples by `<file name> <field path>` (`prometheus.yaml spec.config.retention_time`). */
export type FieldExamples = ReadonlyMap<string, readonly FieldExample[]>;

/** One row of a kind's table. */
export interface FieldRow {
  /** `spec.extraRules.groups[].rules[].expr`, `spec.config["grafana.ini"]`. */
  path: string;
  type: string;
  required: boolean;
  /** Absent when the field has no default. */
  default?: unknown;
  allowed: string;
  description: string;
}

/**
 * The messages of a zod schema's pattern checks and of its refinements marked as the expected
 * value, so the reference says "a Prometheus duration such as 30s" rather than a regular
 * expression. They go into the JSON Schema as `x-allowed`.
 */
function allowedMessages(schema: z.core.$ZodType): string[] {
  const out: string[] = [];
  for (const check of schema._zod.def.checks ?? []) {
    const def = check._zod.def as {
      check?: string;
      format?: string;
      params?: { expected?: boolean };
      error?: (issue?: unknown) => unknown;
    };
    if (def.format !== "regex" && !(def.check === "custom" && def.params?.expected)) continue;
    const message = def.error?.();
    if (typeof message === "string") out.push(message);
  }
  return out;
}

/** The JSON Schema of one file kind, with the `x-allowed` messages. */
export function kindJsonSchema(file: ClusterFileName): JsonSchema {
  const { $schema: _, ...schema } = z.toJSONSchema(FILE_SCHEMAS[file] as unknown as z.ZodType, {
    io: "input",
    unrepresentable: "any",
    override: (ctx) => {
      const messages = allowedMessages(ctx.zodSchema);
      if (messages.length > 0) ctx.jsonSchema["x-allowed"] = messages;
    },
  }) as JsonSchema;
  return schema;
}

/** The four kinds of a cluster folder, from the zod schemas. */
export function referenceKinds(): KindReference[] {
  const csc = CSC_API_VERSIONS[CSC_API_VERSIONS.length - 1] as string;
  const minimal: Record<ClusterFileName, unknown> = {
    "cluster.yaml": {
      apiVersion: CLUSTER_API_VERSION,
      kind: "Cluster",
      metadata: { name: "example" },
    },
    "prometheus.yaml": { apiVersion: csc, kind: "PrometheusConfig" },
    // The Alertmanager configuration's defaults live outside the schema (they are merged under
    // the user's); written out here so the example shows what a cluster starts from.
    "alertmanager.yaml": {
      apiVersion: csc,
      kind: "AlertmanagerConfig",
      spec: { notification: { config: defaultAlertmanagerConfig() } },
    },
    "grafana.yaml": { apiVersion: csc, kind: "GrafanaConfig" },
  };
  return (Object.entries(CLUSTER_FILES) as [ClusterFileName, string][]).map(([file, kind]) => ({
    file,
    kind,
    schema: kindJsonSchema(file),
    defaults: FILE_SCHEMAS[file].parse(minimal[file]),
  }));
}

function isRecord(s: JsonSchema): boolean {
  return s.properties === undefined && s.additionalProperties !== undefined &&
    s.additionalProperties !== false;
}

function typeName(s: JsonSchema): string {
  if (s.type === "array") return `list of ${plural(typeName(s.items ?? {}))}`;
  if (s.type === "object" && isRecord(s)) {
    const value = s.additionalProperties as JsonSchema;
    return Object.keys(value).length === 0 ? "map" : `map of string to ${typeName(value)}`;
  }
  if (Array.isArray(s.type)) return s.type.join(" or ");
  return s.type ?? "any";
}

function plural(t: string): string {
  return t === "map" ? "maps" : t.startsWith("map") || t.startsWith("list") ? t : `${t}s`;
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

function allowedOf(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.const !== undefined) parts.push(code(String(s.const)));
  if (Array.isArray(s.enum)) {
    const values: string[] = s.enum.map((v: unknown) => code(String(v)));
    const last = values.pop() ?? "";
    parts.push(values.length > 0 ? `${values.join(", ")} or ${last}` : last);
  }
  const min = typeof s.minimum === "number" ? s.minimum : undefined;
  const max = typeof s.maximum === "number" && s.maximum < MAX_SAFE ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) parts.push(`${min} to ${max}`);
  else if (min !== undefined) parts.push(`at least ${min}`);
  else if (max !== undefined) parts.push(`at most ${max}`);
  for (const m of (s["x-allowed"] ?? []) as string[]) parts.push(m);
  if (s.format === "uri") parts.push("a URL");
  if (s.minLength === 1 && s.type === "string") parts.push("not empty");
  if (typeof s.maxLength === "number") parts.push(`at most ${s.maxLength} characters`);
  if (s.minItems === 1) parts.push("at least one item");
  if (s.propertyNames?.["x-allowed"]) {
    parts.push(`keys: ${(s.propertyNames["x-allowed"] as string[]).join(", ")}`);
  }
  return parts.join("; ");
}

/** Every field of a kind, depth first in the schema's order. */
export function fieldRows(schema: JsonSchema): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (s: JsonSchema, path: string, required: boolean): void => {
    const isObject = s.type === "object" && s.properties !== undefined;
    const isObjectList = s.type === "array" && s.items?.properties !== undefined;
    // Objects without a description are implied by the paths of their fields.
    if (path !== "" && (!isObject || s.description !== undefined)) {
      rows.push({
        path,
        type: typeName(s),
        required,
        ...(s.default !== undefined ? { default: s.default } : {}),
        allowed: allowedOf(s),
        description: s.description ?? "",
      });
    }
    const fields = isObject ? s : isObjectList ? s.items : undefined;
    if (!fields) return;
    const base = isObjectList ? `${path}[]` : path;
    const needed = new Set<string>(fields.required ?? []);
    for (const [key, child] of Object.entries(fields.properties as Record<string, JsonSchema>)) {
      visit(child, childPath(base, key), needed.has(key));
    }
  };
  visit(schema, "", true);
  return rows;
}

/**
 * Every value of the example clusters' files, by `<file name> <field path>` (lists as `[]`), in
 * the order of `files`. Files that do not parse are skipped: validate reports them.
 */
export function collectExamples(files: readonly { path: string; text: string }[]): FieldExamples {
  const out = new Map<string, FieldExample[]>();
  const add = (key: string, value: unknown, file: string) => {
    const list = out.get(key) ?? [];
    list.push({ value, file });
    out.set(key, list);
  };
  for (const f of files) {
    let data: unknown;
    try {
      data = parse(f.text);
    } catch {
      continue;
    }
    const name = basename(f.path);
    const walk = (v: unknown, path: string) => {
      if (path !== "") add(`${name} ${path}`, v, f.path);
      if (Array.isArray(v)) v.forEach((item) => walk(item, `${path}[]`));
      else if (v !== null && typeof v === "object") {
        for (const [k, child] of Object.entries(v)) walk(child, childPath(path, k));
      }
    };
    walk(data, "");
  }
  return out;
}

const MAX_EXAMPLE = 60;

function flow(v: unknown): string {
  if (typeof v === "string") return v;
  return stringify(v, { collectionStyle: "flow", lineWidth: 0 }).trim();
}

/** The example of a row: the first value that differs from the default, else the first. */
function exampleCell(row: FieldRow, candidates: readonly FieldExample[] | undefined): string {
  // An object's or a list of objects' example is its fields' examples.
  if (row.type === "object" || row.type === "list of objects") return "";
  if (!candidates || candidates.length === 0) return "";
  const dflt = JSON.stringify(row.default);
  const pick = candidates.find((c) => JSON.stringify(c.value) !== dflt) ?? candidates[0];
  if (!pick) return "";
  const text = flow(pick.value);
  if (text.length > MAX_EXAMPLE || text.includes("\n")) return `see ${code(pick.file)}`;
  return code(text);
}

function defaultCell(row: FieldRow): string {
  if (row.default !== undefined) return code(flow(row.default));
  return row.required ? "required" : "unset";
}

/** What the file-level fields mean; the schema leaves them undescribed. */
const BUILTIN_DESCRIPTIONS: Readonly<Record<string, string>> = {
  apiVersion: "The format's group and version.",
  kind: "Which file of the cluster folder this is.",
};

/** Fields of upstream formats (Alertmanager's configuration, Prometheus rule files). */
function upstreamDescription(path: string): string {
  const am = /^spec\.notification\.config\.(\w+)$/.exec(path);
  if (am) return `Alertmanager's \`${am[1]}\`, merged over the defaults below.`;
  const rule = /^spec\.extraRules\.groups\[\]\.rules\[\]\.(\w+)$/.exec(path);
  if (rule) return `The rule's \`${rule[1]}\`, as in a Prometheus rule file.`;
  const group = /^spec\.extraRules\.groups\[\]\.(\w+)$/.exec(path);
  if (group) return `The rule group's \`${group[1]}\`, as in a Prometheus rule file.`;
  return "";
}

function descriptionCell(row: FieldRow, tunes: ReadonlyMap<string, readonly string[]>): string {
  const text = row.description || BUILTIN_DESCRIPTIONS[row.path] || upstreamDescription(row.path);
  const alerts = tunes.get(row.path.replace(/^spec\.rules\./, "")) ?? [];
  if (!row.path.startsWith("spec.rules.") || alerts.length === 0) return text;
  const links = alerts.map((a) => `[${a}](alerts.md#${a.toLowerCase()})`).join(", ");
  return `${text} Tunes ${links}.`;
}

const INTRO = (kinds: readonly KindReference[]) => [
  "# Configuration reference: the cluster folder",
  "",
  "A cluster is one folder, `clusters/<name>/`, in this repository. `deno task generate` turns it",
  "into `overlays/<name>/`, `deno task validate` checks both, and Argo CD or Flux applies the",
  "overlay. This page lists every field of every file; it is generated from the zod schema, so it",
  "says exactly what `deno task validate` accepts.",
  "",
  "```",
  "clusters/<name>/",
  ...kinds.map((k) =>
    `  ${k.file.padEnd(20)}kind: ${k.kind.padEnd(19)}${
      k.file === "cluster.yaml" ? "(required)" : "(optional: absent = the defaults)"
    }`
  ),
  "  routes-test.yaml    Alertmanager route tests (amtool, run by validate)",
  "  rules-tests/*.yaml  promtool unit tests of spec.extraRules (run by validate)",
  "```",
  "",
  `- ${code("cluster.yaml")} has ${code(`apiVersion: ${CLUSTER_API_VERSION}`)}; the three CSC ` +
  "files (MetalK8s' Cluster and Services Configuration format) have " +
  `${CSC_API_VERSIONS.map((v) => code(`apiVersion: ${v}`)).join(" or ")}.`,
  `- Start each file with ${
    code(`# yaml-language-server: $schema=../../${CLUSTER_SCHEMA_PATH}`)
  } and an editor completes and checks the fields as you type.`,
  "- A value you write is merged over the defaults the way MetalK8s merges them: maps key by " +
  "key, recursively; lists appended after the defaults' items (an item already there is not " +
  "added twice); anything else replaced.",
  "- Every mistake is reported with the file, line, column and field path, and nothing is " +
  "generated until it is fixed.",
  "",
  'In the tables, **Default** is what an absent field means ("required": no default; empty: ' +
  "absent means unset), **Allowed** is what validate accepts, and **Example** is the value " +
  "the example cluster folder [examples/clusters/example/](../examples/clusters/example/) sets, " +
  "a folder that sets every field and that you may copy from (the other folders of " +
  "[examples/clusters/](../examples/clusters/) show the choices it cannot make at the same " +
  "time).",
  "",
];

const NOTES: Partial<Record<ClusterFileName, string[]>> = {
  "cluster.yaml": [
    `\`metadata.name\` must equal the folder's name. Every Prometheus also carries the external ` +
    `labels \`cluster: <name>\` and \`${REPLICA_LABEL}\` (one value per replica, which Thanos ` +
    "Query deduplicates); neither may be set in `spec.externalLabels`.",
    "`spec.ingress.thanosAuth` is required with an Ingress: Thanos Query's UI and API are " +
    "exposed whole, and it has no login of its own ([Thanos Query](installation.md#thanos-query)).",
  ],
  "prometheus.yaml": [
    `A single replica is refused unless \`spec.deployment.highAvailability: false\`: ${
      inline(SINGLE_PROMETHEUS_LOSS)
    }.`,
    "`spec.config.retention_size` must not exceed `spec.storage.prometheus.size` of " +
    "cluster.yaml. The alerts each `spec.rules` parameter tunes are listed in " +
    "[alerts.md](alerts.md). `spec.extraRules.groups` are checked like the default rules " +
    "(`promtool check rules`) and may have unit tests in `rules-tests/` " +
    "([Add an extra alert](operations.md#add-an-extra-alert)).",
  ],
  "alertmanager.yaml": [
    `Fewer than two replicas are refused unless \`spec.deployment.highAvailability: false\`: ${
      inline(SINGLE_ALERTMANAGER_LOSS)
    }. \`spec.heartbeat\` sends the always-firing Watchdog alert to a dead man's switch ` +
    "([Know that alerting works](operations.md#know-that-alerting-works)).",
    "`spec.notification.config` is an Alertmanager configuration merged over the defaults shown " +
    "below. Credentials never appear in the repository: a receiver reads them from files of the " +
    "Secret `alertmanager-receivers`, mounted at `/etc/alertmanager/secrets/alertmanager-receivers/` " +
    "(`api_url_file`, `routing_key_file`, `url_file`, …); an inline credential is an error. " +
    "Routes are proven by `routes-test.yaml` " +
    "([Add a receiver and a route](operations.md#add-a-receiver-and-a-route)).",
  ],
  "grafana.yaml": [
    '`spec.config["grafana.ini"]` sections and keys are merged over `base/grafana/grafana.ini` ' +
    "and the settings that follow from cluster.yaml (`server.domain`, `server.root_url` and " +
    "`security.cookie_secure` from the ingress). Secrets go through `$__file{…}` or environment " +
    "variables, never inline ([Single sign-on](installation.md#single-sign-on)). More than one " +
    "replica needs `spec.database`, a database they share: with SQLite each pod keeps its own " +
    "users and sessions ([Scale the replicas](operations.md#scale-the-replicas)).",
  ],
};

function kindSection(
  k: KindReference,
  examples: FieldExamples,
  tunes: ReadonlyMap<string, readonly string[]>,
): string[] {
  const rows = fieldRows(k.schema);
  return [
    `## ${k.file} (${k.kind})`,
    "",
    ...(k.schema.description ? [inline(k.schema.description), ""] : []),
    ...(NOTES[k.file] ?? []).flatMap((n) => [n, ""]),
    "| Field | Type | Default | Allowed | Description | Example |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows.map((r) =>
      `| ${
        [
          code(r.path),
          r.type,
          defaultCell(r),
          r.allowed,
          descriptionCell(r, tunes),
          exampleCell(r, examples.get(`${k.file} ${r.path}`)),
        ].map(cell).join(" | ")
      } |`
    ),
    "",
    "<details><summary>The file with every default written out</summary>",
    "",
    "```yaml",
    `# yaml-language-server: $schema=../../${CLUSTER_SCHEMA_PATH}`,
    stringify(k.defaults, { lineWidth: 0 }).trimEnd(),
    "```",
    "",
    "</details>",
    "",
  ];
}

/**
 * The whole document (pure: same inputs, same text). `tunes` maps a rule parameter's key
 * (`node_exporter.….warning.hours`) to the alerts it tunes, for links to alerts.md.
 */
export function renderConfigurationDoc(
  kinds: readonly KindReference[],
  examples: FieldExamples,
  tunes: ReadonlyMap<string, readonly string[]> = new Map(),
): string {
  return [
    generatedHeader(CONFIGURATION_SOURCES),
    ...INTRO(kinds),
    ...kinds.flatMap((k) => kindSection(k, examples, tunes)),
  ].join("\n").replace(/\n+$/, "\n");
}
