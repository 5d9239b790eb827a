import assert from "node:assert/strict";
import { builtinSchemaPath, crdSchemaPath, kubeconformSchemaArgs } from "./layout.ts";

Deno.test("builtinSchemaPath() names files as kubeconform's KindSuffix template does", () => {
  assert.equal(
    builtinSchemaPath("1.34.4", { group: "apps", version: "v1", kind: "Deployment" }),
    "v1.34.4-standalone-strict/deployment-apps-v1.json",
  );
  assert.equal(
    builtinSchemaPath("1.34.4", { group: "", version: "v1", kind: "ConfigMap" }),
    "v1.34.4-standalone-strict/configmap-v1.json",
  );
  assert.equal(
    builtinSchemaPath("1.34.4", {
      group: "rbac.authorization.k8s.io",
      version: "v1",
      kind: "ClusterRoleBinding",
    }),
    "v1.34.4-standalone-strict/clusterrolebinding-rbac-v1.json",
  );
});

Deno.test("crdSchemaPath() keeps the full group", () => {
  assert.equal(
    crdSchemaPath({ group: "kustomize.toolkit.fluxcd.io", version: "v1", kind: "Kustomization" }),
    "crds/kustomize.toolkit.fluxcd.io/kustomization_v1.json",
  );
});

Deno.test("kubeconformSchemaArgs() points kubeconform at the cache only, built-ins first", () => {
  assert.deepEqual(kubeconformSchemaArgs("/c"), [
    "-schema-location",
    "/c/{{ .NormalizedKubernetesVersion }}-standalone-strict/{{ .ResourceKind }}{{ .KindSuffix }}.json",
    "-schema-location",
    "/c/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json",
  ]);
});
