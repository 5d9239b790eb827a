import assert from "node:assert/strict";
import {
  allowNull,
  closeObjects,
  permissiveIntOrString,
  pinTypeMeta,
  stripAnnotations,
} from "./jsonschema.ts";

Deno.test("closeObjects() closes every object that lists properties", () => {
  assert.deepEqual(
    closeObjects({
      type: "object",
      properties: {
        spec: { type: "object", properties: { a: { type: "string" } } },
        items: { type: "array", items: { type: "object", properties: { b: {} } } },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
    }),
    {
      type: "object",
      properties: {
        spec: {
          type: "object",
          properties: { a: { type: "string" } },
          additionalProperties: false,
        },
        items: {
          type: "array",
          items: { type: "object", properties: { b: {} }, additionalProperties: false },
        },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
      additionalProperties: false,
    },
  );
});

Deno.test("closeObjects() leaves preserve-unknown-fields objects and allOf/anyOf branches open", () => {
  const schema = {
    type: "object",
    properties: {
      raw: { type: "object", "x-kubernetes-preserve-unknown-fields": true, properties: { a: {} } },
      either: { anyOf: [{ properties: { a: {} } }, { properties: { b: {} } }] },
    },
  };
  assert.deepEqual(closeObjects(schema), { ...schema, additionalProperties: false });
});

Deno.test("closeObjects() does not mistake a default value for a schema", () => {
  const schema = { type: "object", default: { properties: { a: 1 } } };
  assert.deepEqual(closeObjects(schema), schema);
});

Deno.test("stripAnnotations() drops descriptions but keeps a property named description", () => {
  assert.deepEqual(
    stripAnnotations({
      description: "an app",
      type: "object",
      "x-kubernetes-map-type": "atomic",
      properties: { description: { type: "string", description: "free text", default: "" } },
    }),
    { type: "object", properties: { description: { type: "string" } } },
  );
});

Deno.test("permissiveIntOrString() accepts a string or an integer without the unknown format", () => {
  assert.deepEqual(permissiveIntOrString({ type: "string", format: "int-or-string" }), {
    oneOf: [{ type: "string" }, { type: "integer" }],
  });
  assert.deepEqual(
    permissiveIntOrString({
      anyOf: [{ type: "integer" }, { type: "string" }],
      pattern: "^[0-9]+%?$",
      "x-kubernetes-int-or-string": true,
    }),
    {
      anyOf: [{ type: "integer" }, { type: "string" }],
      pattern: "^[0-9]+%?$",
      "x-kubernetes-int-or-string": true,
    },
  );
  assert.deepEqual(permissiveIntOrString({ type: "integer" }), { type: "integer" });
});

Deno.test("allowNull() adds null to a single type only", () => {
  assert.deepEqual(allowNull({ type: "string" }), { type: ["string", "null"] });
  assert.deepEqual(allowNull({ oneOf: [{ type: "string" }] }), { oneOf: [{ type: "string" }] });
});

Deno.test("pinTypeMeta() fixes apiVersion and kind and requires them", () => {
  assert.deepEqual(
    pinTypeMeta(
      { type: "object", properties: { apiVersion: { type: "string" } }, required: ["spec"] },
      "apps/v1",
      "Deployment",
    ),
    {
      type: "object",
      properties: {
        apiVersion: { type: "string", enum: ["apps/v1"] },
        kind: { type: "string", enum: ["Deployment"] },
      },
      required: ["apiVersion", "kind", "spec"],
    },
  );
});
