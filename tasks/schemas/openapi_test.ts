import assert from "node:assert/strict";
import { apiVersionOf, componentFor, strictComponent, toStrictStandalone } from "./openapi.ts";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

/** A tiny OpenAPI v3 document shaped like Kubernetes' (refs wrapped in allOf, GVK extensions). */
const openapi = {
  openapi: "3.0.0",
  components: {
    schemas: {
      "io.k8s.api.apps.v1.Widget": {
        description: "A widget.",
        type: "object",
        properties: {
          apiVersion: { type: "string", description: "APIVersion defines…" },
          kind: { type: "string" },
          metadata: { allOf: [ref("meta.ObjectMeta")], default: {} },
          spec: { allOf: [ref("io.k8s.api.apps.v1.WidgetSpec")], default: {} },
        },
        "x-kubernetes-group-version-kind": [{ group: "apps", version: "v1", kind: "Widget" }],
      },
      "io.k8s.api.apps.v1.WidgetSpec": {
        type: "object",
        required: ["size"],
        properties: {
          size: { type: "integer", format: "int32" },
          port: ref("intstr.IntOrString"),
          tree: ref("io.k8s.api.apps.v1.Node"),
        },
      },
      "io.k8s.api.apps.v1.Node": {
        type: "object",
        properties: { children: { type: "array", items: ref("io.k8s.api.apps.v1.Node") } },
      },
      "meta.ObjectMeta": {
        type: "object",
        properties: {
          name: { type: "string" },
          labels: { type: "object", additionalProperties: { type: "string" } },
        },
      },
      "intstr.IntOrString": {
        format: "int-or-string",
        oneOf: [{ type: "integer" }, { type: "string" }],
      },
    },
  },
};

Deno.test("toStrictStandalone() inlines refs, closes objects and pins apiVersion and kind", () => {
  assert.deepEqual(toStrictStandalone(openapi, { group: "apps", version: "v1", kind: "Widget" }), {
    type: "object",
    properties: {
      apiVersion: { type: "string", enum: ["apps/v1"] },
      kind: { type: "string", enum: ["Widget"] },
      metadata: {
        type: ["object", "null"],
        properties: {
          name: { type: ["string", "null"] },
          labels: { type: ["object", "null"], additionalProperties: { type: "string" } },
        },
        additionalProperties: false,
      },
      spec: {
        type: ["object", "null"],
        required: ["size"],
        properties: {
          size: { type: "integer", format: "int32" },
          port: { oneOf: [{ type: "integer" }, { type: "string" }] },
          tree: {
            type: ["object", "null"],
            properties: {
              children: {
                type: ["array", "null"],
                items: { $ref: "#/definitions/io.k8s.api.apps.v1.Node" },
              },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
    required: ["apiVersion", "kind"],
    additionalProperties: false,
    definitions: {
      "io.k8s.api.apps.v1.Node": {
        type: "object",
        properties: {
          children: {
            type: ["array", "null"],
            items: { $ref: "#/definitions/io.k8s.api.apps.v1.Node" },
          },
        },
        additionalProperties: false,
      },
    },
  });
});

Deno.test("componentFor() names the component declaring a kind, or says none does", () => {
  assert.equal(
    componentFor(openapi, { group: "apps", version: "v1", kind: "Widget" }),
    "io.k8s.api.apps.v1.Widget",
  );
  assert.throws(
    () => componentFor(openapi, { group: "", version: "v1", kind: "Widget" }),
    { message: "no OpenAPI components for v1 Widget" },
  );
});

Deno.test("strictComponent() fails on a reference to a missing component", () => {
  const broken = { components: { schemas: { A: { properties: { b: ref("B") } } } } };
  assert.throws(() => strictComponent(broken, "A"), {
    message: "unresolved $ref #/components/schemas/B",
  });
});

Deno.test("apiVersionOf() leaves out the empty core group", () => {
  assert.equal(apiVersionOf({ group: "", version: "v1" }), "v1");
  assert.equal(apiVersionOf({ group: "policy", version: "v1" }), "policy/v1");
});
