/**
 * Schema-aware rewriting of JSON schemas (OpenAPI v3 flavour, as Kubernetes and CRDs write them).
 *
 * Only keywords whose values are schemas are walked, so data that merely looks like a schema
 * (a `default: {properties: …}`, a field called `description`) is never touched.
 */

export type Schema = { [keyword: string]: unknown };

/** Where a subschema sits in its parent. */
export type Place =
  | { keyword: "properties"; name: string; required: boolean }
  | { keyword: "patternProperties" | "definitions"; name: string }
  | { keyword: "items" | "additionalProperties" | "not" }
  | { keyword: "allOf" | "anyOf" | "oneOf"; index: number };

export function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A copy of `schema` with every direct subschema replaced by `fn(subschema, place)`. */
export function mapSubschemas(schema: Schema, fn: (sub: Schema, place: Place) => Schema): Schema {
  const out: Schema = { ...schema };
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  if (isSchema(schema.properties)) {
    out.properties = mapEntries(
      schema.properties,
      (name, sub) => fn(sub, { keyword: "properties", name, required: required.has(name) }),
    );
  }
  for (const keyword of ["patternProperties", "definitions"] as const) {
    const map = schema[keyword];
    if (isSchema(map)) out[keyword] = mapEntries(map, (name, sub) => fn(sub, { keyword, name }));
  }
  for (const keyword of ["items", "additionalProperties", "not"] as const) {
    const sub = schema[keyword];
    if (isSchema(sub)) out[keyword] = fn(sub, { keyword });
  }
  for (const keyword of ["allOf", "anyOf", "oneOf"] as const) {
    const list = schema[keyword];
    if (Array.isArray(list)) {
      out[keyword] = list.map((sub, index) => isSchema(sub) ? fn(sub, { keyword, index }) : sub);
    }
  }
  return out;
}

function mapEntries(map: Schema, fn: (name: string, sub: Schema) => Schema): Schema {
  const out: Schema = {};
  for (const [name, sub] of Object.entries(map)) out[name] = isSchema(sub) ? fn(name, sub) : sub;
  return out;
}

/** Applies `fn` bottom-up to every schema in the tree (children first, then the schema itself). */
export function transformSchema(
  schema: Schema,
  fn: (schema: Schema, place: Place | undefined) => Schema,
  place?: Place,
): Schema {
  return fn(mapSubschemas(schema, (sub, p) => transformSchema(sub, fn, p)), place);
}

const BRANCHES = new Set(["allOf", "anyOf", "oneOf", "not"]);

/**
 * Closes every object that lists its `properties` (`additionalProperties: false`), as
 * `kubectl --validate=strict` and the API server's field validation do. Left open: objects that
 * already say what extra properties may be, objects marked `x-kubernetes-preserve-unknown-fields`,
 * and the branches of allOf/anyOf/oneOf/not, which describe only part of the object.
 */
export function closeObjects(schema: Schema, inBranch = false): Schema {
  const out = mapSubschemas(
    schema,
    (sub, place) => closeObjects(sub, inBranch || BRANCHES.has(place.keyword)),
  );
  const open = out["x-kubernetes-preserve-unknown-fields"] === true;
  if (isSchema(out.properties) && !("additionalProperties" in out) && !open && !inBranch) {
    out.additionalProperties = false;
  }
  return out;
}

/** Keywords that only document or drive server-side behaviour; dropped to keep schemas small. */
const ANNOTATIONS = new Set(["description", "default", "example", "externalDocs", "nullable"]);

/** Drops documentation and `x-kubernetes-*` extensions (run after they have been interpreted). */
export function stripAnnotations(schema: Schema): Schema {
  return transformSchema(schema, (s) => {
    const out: Schema = {};
    for (const [k, v] of Object.entries(s)) {
      if (!ANNOTATIONS.has(k) && !k.startsWith("x-kubernetes-")) out[k] = v;
    }
    return out;
  });
}

/** Adds `"null"` to a schema's `type` (a no-op without a single string type). */
export function allowNull(schema: Schema): Schema {
  return typeof schema.type === "string" && schema.type !== "null"
    ? { ...schema, type: [schema.type, "null"] }
    : schema;
}

/** Int-or-string fields accept both, without a format jsonschema validators do not know. */
export function permissiveIntOrString(schema: Schema): Schema {
  const intOrString = schema.format === "int-or-string" ||
    schema["x-kubernetes-int-or-string"] === true;
  if (!intOrString) return schema;
  const { format: _format, type: _type, ...rest } = schema;
  if (Array.isArray(rest.anyOf) || Array.isArray(rest.oneOf)) return rest;
  return { ...rest, oneOf: [{ type: "string" }, { type: "integer" }] };
}

/** The object at the root of a Kubernetes kind: apiVersion and kind fixed, both required. */
export function pinTypeMeta(schema: Schema, apiVersion: string, kind: string): Schema {
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required : [];
  return {
    ...schema,
    properties: {
      ...properties,
      apiVersion: { type: "string", enum: [apiVersion] },
      kind: { type: "string", enum: [kind] },
    },
    required: [...new Set(["apiVersion", "kind", ...required])],
  };
}
