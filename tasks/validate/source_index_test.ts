import { deepEqual as assertEquals } from "node:assert/strict";
import { SourceIndex } from "./source_index.ts";

const base = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: grafana
spec:
  replicas: 1
  template:
    spec:
      containers:
        - name: grafana
          image: grafana/grafana
          securityContext:
            runAsNonRoot: true
`;
const overlayPatch = `kind: Deployment
metadata:
  name: grafana
spec:
  replicas: 3
`;
const kustomization = `resources: [../../base]
patches:
  - path: patches/q.yaml
    target: { kind: Deployment, name: thanos-query }
secretGenerator:
  - name: alertmanager-main-config
    files: [alertmanager.yaml=config/alertmanager.yaml]
`;
const jsonPatch = `- op: test
  path: /spec/template/spec/containers/0/name
  value: thanos-query
- op: replace
  path: /spec/template/spec/containers/0/args/3
  value: --query.replica-label=x
`;

function index(): SourceIndex {
  const files = new Map([["overlays/a/patches/q.yaml", jsonPatch]]);
  const i = new SourceIndex();
  i.add({ path: "base/grafana/deployment.yaml", text: base }, false);
  const forked = i.fork();
  forked.add({ path: "overlays/a/patches/grafana.yaml", text: overlayPatch }, true);
  forked.add(
    { path: "overlays/a/kustomization.yaml", text: kustomization },
    true,
    (p) => files.get(p),
  );
  return forked;
}

Deno.test("SourceIndex.locate() prefers the overlay patch that sets the field", () => {
  assertEquals(index().locate("Deployment", "grafana", "spec.replicas"), {
    file: "overlays/a/patches/grafana.yaml",
    line: 5,
    column: 3,
  });
});

Deno.test("SourceIndex.locate() finds list items by name in the base", () => {
  assertEquals(
    index().locate(
      "Deployment",
      "grafana",
      "spec.template.spec.containers[grafana].securityContext.runAsNonRoot",
    ),
    { file: "base/grafana/deployment.yaml", line: 13, column: 13 },
  );
  // A field nobody writes: the deepest part that exists.
  assertEquals(
    index().locate("Deployment", "grafana", "spec.template.spec.containers[grafana].resources"),
    { file: "base/grafana/deployment.yaml", line: 10, column: 11 },
  );
});

Deno.test("SourceIndex.locate() reads JSON 6902 patch files and generators", () => {
  assertEquals(
    index().locate("Deployment", "thanos-query", "spec.template.spec.containers[0].args"),
    { file: "overlays/a/patches/q.yaml", line: 4, column: 3 },
  );
  assertEquals(index().locate("Secret", "alertmanager-main-config"), {
    file: "overlays/a/kustomization.yaml",
    line: 6,
    column: 11,
  });
  assertEquals(index().locate("ConfigMap", "nothing"), null);
});
