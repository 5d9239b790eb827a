/** CustomResourceDefinition YAML → one strict JSON schema per served version, for kubeconform. */
import { parseAllDocuments } from "yaml";
import {
  closeObjects,
  isSchema,
  permissiveIntOrString,
  pinTypeMeta,
  type Schema,
  stripAnnotations,
  transformSchema,
} from "./jsonschema.ts";

export interface CrdSchema {
  group: string;
  kind: string;
  version: string;
  schema: Schema;
}

export interface CrdOptions {
  /**
   * A strict ObjectMeta schema put in place of a CRD's bare `metadata: {type: object}`, so a
   * misspelt `metadata.lables` is caught in custom resources as it is in built-in ones.
   */
  objectMeta?: Schema;
}

/** Every served version of every CustomResourceDefinition in a (multi-document) YAML text. */
export function crdToSchemas(crdYaml: string, opts: CrdOptions = {}): CrdSchema[] {
  const out: CrdSchema[] = [];
  for (const doc of parseAllDocuments(crdYaml)) {
    if (doc.errors.length > 0) throw new Error(`unparsable CRD YAML: ${doc.errors[0]?.message}`);
    const crd: unknown = doc.toJS({ maxAliasCount: -1 });
    if (!isSchema(crd) || crd.kind !== "CustomResourceDefinition") continue;
    if (crd.apiVersion !== "apiextensions.k8s.io/v1") {
      throw new Error(`unsupported CRD apiVersion ${String(crd.apiVersion)}`);
    }
    const spec = isSchema(crd.spec) ? crd.spec : {};
    const names = isSchema(spec.names) ? spec.names : {};
    const group = String(spec.group);
    const kind = String(names.kind);
    for (const v of Array.isArray(spec.versions) ? spec.versions : []) {
      if (!isSchema(v) || v.served !== true) continue;
      const version = String(v.name);
      const raw = isSchema(v.schema) ? v.schema.openAPIV3Schema : undefined;
      if (!isSchema(raw)) throw new Error(`${kind}.${group}/${version} has no openAPIV3Schema`);
      out.push({ group, kind, version, schema: strictCrdSchema(raw, group, version, kind, opts) });
    }
  }
  return out;
}

function strictCrdSchema(
  raw: Schema,
  group: string,
  version: string,
  kind: string,
  opts: CrdOptions,
): Schema {
  const converted = transformSchema(raw, (s) => nullable(permissiveIntOrString(s)));
  const strict = closeObjects(withObjectMeta(converted, opts.objectMeta));
  return pinTypeMeta(stripAnnotations(strict), `${group}/${version}`, kind);
}

/** OpenAPI's `nullable: true` is JSON Schema's `"null"` among the types. */
function nullable(schema: Schema): Schema {
  if (schema.nullable !== true) return schema;
  const { nullable: _nullable, ...rest } = schema;
  if (typeof rest.type === "string") return { ...rest, type: [rest.type, "null"] };
  return { anyOf: [rest, { type: "null" }] };
}

function withObjectMeta(root: Schema, objectMeta: Schema | undefined): Schema {
  const properties = isSchema(root.properties) ? root.properties : undefined;
  const metadata = properties?.metadata;
  if (!objectMeta || !properties || !isSchema(metadata) || "properties" in metadata) return root;
  return { ...root, properties: { ...properties, metadata: objectMeta } };
}
