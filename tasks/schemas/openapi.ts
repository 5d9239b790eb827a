/** Kubernetes OpenAPI v3 component schemas → standalone strict JSON schemas for kubeconform. */
import {
  allowNull,
  closeObjects,
  isSchema,
  mapSubschemas,
  permissiveIntOrString,
  pinTypeMeta,
  type Schema,
  stripAnnotations,
  transformSchema,
} from "./jsonschema.ts";

export interface GroupVersionKind {
  /** "" for the core group. */
  group: string;
  version: string;
  kind: string;
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(gvk: Pick<GroupVersionKind, "group" | "version">): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

const REF_PREFIX = "#/components/schemas/";

function componentsOf(openapi: unknown): Record<string, Schema> {
  const components = isSchema(openapi) && isSchema(openapi.components)
    ? openapi.components.schemas
    : undefined;
  if (!isSchema(components)) throw new Error("not an OpenAPI v3 document: no components.schemas");
  return components as Record<string, Schema>;
}

/** The name of the component that declares `gvk` in `x-kubernetes-group-version-kind`. */
export function componentFor(openapi: unknown, gvk: GroupVersionKind): string {
  const names = Object.entries(componentsOf(openapi))
    .filter(([, s]) =>
      Array.isArray(s["x-kubernetes-group-version-kind"]) &&
      s["x-kubernetes-group-version-kind"].some((g) =>
        isSchema(g) && g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind
      )
    )
    .map(([name]) => name);
  if (names.length !== 1) {
    throw new Error(
      `${names.length === 0 ? "no" : "several"} OpenAPI components for ${
        apiVersionOf(gvk)
      } ${gvk.kind}${names.length ? `: ${names.join(", ")}` : ""}`,
    );
  }
  return names[0]!;
}

/**
 * One component with every `$ref` inlined. A type that contains itself (JSONSchemaProps) cannot be
 * inlined; it goes to the file's own `definitions` and is referenced locally, so the file still
 * stands alone.
 */
function inlineComponent(components: Record<string, Schema>, root: string): Schema {
  const recursive = new Set<string>();
  const inline = (schema: Schema, stack: readonly string[]): Schema => {
    const target = refTarget(schema);
    if (target !== undefined) {
      if (stack.includes(target)) {
        recursive.add(target);
        return { $ref: `#/definitions/${target}` };
      }
      const component = components[target];
      if (!component) throw new Error(`unresolved $ref ${REF_PREFIX}${target}`);
      return inline(component, [...stack, target]);
    }
    return mapSubschemas(schema, (sub) => inline(sub, stack));
  };
  const result = inline(components[root] ?? {}, [root]);
  const definitions: Schema = {};
  for (let done = 0; done < recursive.size;) {
    for (const name of [...recursive].slice(done)) {
      definitions[name] = inline(components[name]!, [name]);
      done++;
    }
  }
  return recursive.size > 0 ? { ...result, definitions } : result;
}

/**
 * The component a schema stands for: `{$ref}`, or `{allOf: [{$ref}]}` (how the v3 spec attaches
 * a description or default to a reference). Its sibling keywords are annotations only.
 */
function refTarget(schema: Schema): string | undefined {
  const ref = schema.$ref ??
    (Array.isArray(schema.allOf) && schema.allOf.length === 1 && isSchema(schema.allOf[0])
      ? schema.allOf[0].$ref
      : undefined);
  if (typeof ref !== "string") return undefined;
  if (!ref.startsWith(REF_PREFIX)) throw new Error(`unsupported $ref ${ref}`);
  return ref.slice(REF_PREFIX.length);
}

/**
 * Strict, standalone schema of one named component: refs inlined, objects with properties closed,
 * int-or-string and quantities accepting both forms, optional fields accepting null (the API
 * server treats null as unset, and kubeconform's published schemas accept it too).
 */
export function strictComponent(openapi: unknown, name: string): Schema {
  const components = componentsOf(openapi);
  if (!components[name]) throw new Error(`no OpenAPI component ${name}`);
  const inlined = transformSchema(inlineComponent(components, name), (s, place) => {
    const converted = permissiveIntOrString(s);
    return place?.keyword === "properties" && !place.required ? allowNull(converted) : converted;
  });
  return stripAnnotations(closeObjects(inlined));
}

/** The strict standalone schema of one built-in kind, apiVersion and kind pinned by enum. */
export function toStrictStandalone(openapi: unknown, gvk: GroupVersionKind): Schema {
  const schema = strictComponent(openapi, componentFor(openapi, gvk));
  return pinTypeMeta(schema, apiVersionOf(gvk), gvk.kind);
}
