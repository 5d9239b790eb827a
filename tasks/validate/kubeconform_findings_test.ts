import assert from "node:assert/strict";
import { kubeconformFindings } from "./kubeconform_findings.ts";
import { SourceIndex } from "./source_index.ts";

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: grafana }
spec:
  template:
    spec:
      containers:
        - name: grafana
          imagePullPolicy: Sometimes
          colour: blue
`;

Deno.test("kubeconformFindings() points at the field, an unknown one at itself, else the overlay", () => {
  const index = new SourceIndex();
  index.add({ path: "base/grafana/deployment.yaml", text: deployment }, false);
  const object = { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "grafana" } };
  const containers = "spec.template.spec.containers[0]";
  const found = kubeconformFindings(
    [
      {
        object,
        resource: "Deployment/grafana",
        field: `${containers}.imagePullPolicy`,
        message: "bad enum",
      },
      {
        object,
        resource: "Deployment/grafana",
        field: containers,
        message: "additionalProperties 'colour' not allowed",
      },
      { resource: "Widget/x", field: "spec", message: "no schema for Widget" },
    ],
    index,
    "overlays/a/kustomization.yaml",
  );
  assert.deepEqual(found.map((f) => [f.file, f.line, f.field, f.message]), [
    [
      "base/grafana/deployment.yaml",
      9,
      `Deployment/grafana ${containers}.imagePullPolicy`,
      "bad enum",
    ],
    [
      "base/grafana/deployment.yaml",
      10,
      `Deployment/grafana ${containers}.colour`,
      "additionalProperties 'colour' not allowed",
    ],
    ["overlays/a/kustomization.yaml", 1, "Widget/x", "spec: no schema for Widget"],
  ]);
});
