import assert from "node:assert/strict";
import { crdToSchemas } from "./crd.ts";

const CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gadgets.example.com
spec:
  group: example.com
  names: { kind: Gadget, plural: gadgets }
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          description: A gadget.
          type: object
          properties:
            apiVersion: { type: string }
            kind: { type: string }
            metadata: { type: object }
            spec:
              type: object
              required: [size]
              properties:
                size:
                  anyOf: [{ type: integer }, { type: string }]
                  x-kubernetes-int-or-string: true
                note: { type: string, nullable: true, description: free text }
                extra:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
                  properties: { known: { type: string } }
    - name: v1beta1
      served: false
      storage: false
      schema:
        openAPIV3Schema: { type: object }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: not-a-crd }
`;

Deno.test("crdToSchemas() makes each served version strict, with apiVersion and kind pinned", () => {
  assert.deepEqual(crdToSchemas(CRD), [{
    group: "example.com",
    kind: "Gadget",
    version: "v1",
    schema: {
      type: "object",
      properties: {
        apiVersion: { type: "string", enum: ["example.com/v1"] },
        kind: { type: "string", enum: ["Gadget"] },
        metadata: { type: "object" },
        spec: {
          type: "object",
          required: ["size"],
          properties: {
            size: { anyOf: [{ type: "integer" }, { type: "string" }] },
            note: { type: ["string", "null"] },
            extra: { type: "object", properties: { known: { type: "string" } } },
          },
          additionalProperties: false,
        },
      },
      required: ["apiVersion", "kind"],
      additionalProperties: false,
    },
  }]);
});

Deno.test("crdToSchemas() puts the given ObjectMeta in place of a bare metadata object", () => {
  const objectMeta = {
    type: "object",
    properties: { name: { type: "string" } },
    additionalProperties: false,
  };
  const [gadget] = crdToSchemas(CRD, { objectMeta });
  const properties = gadget?.schema.properties as Record<string, unknown>;
  assert.deepEqual(properties.metadata, objectMeta);
});

Deno.test("crdToSchemas() fails on a served version without a schema", () => {
  const crd = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
spec:
  group: example.com
  names: { kind: Gadget }
  versions: [{ name: v2, served: true }]
`;
  assert.throws(() => crdToSchemas(crd), {
    message: "Gadget.example.com/v2 has no openAPIV3Schema",
  });
});
