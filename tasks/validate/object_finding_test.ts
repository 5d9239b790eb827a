import { deepEqual as assertEquals } from "node:assert/strict";
import { haPolicies } from "./policies_ha.ts";
import { ClusterValues } from "./cluster_values.ts";
import { locateObjectFindings, objectFinding } from "./object_finding.ts";
import { SourceIndex } from "./source_index.ts";

const basePdb = `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: alertmanager-main
spec:
  maxUnavailable: 1
  selector:
    matchLabels: { app: am }
`;
const base = `apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata:
  name: main
spec:
  replicas: 3
  podMetadata:
    labels: { app: am }
`;
const patch = `# generated from clusters/a/cluster.yaml by deno task generate; do not edit
apiVersion: monitoring.coreos.com/v1
kind: Alertmanager
metadata:
  name: main
spec:
  replicas: 1
`;
const csc = `apiVersion: addons.metalk8s.scality.com/v1alpha1
kind: AlertmanagerConfig
spec:
  deployment:
    replicas: 1
`;

function index(): SourceIndex {
  const i = new SourceIndex();
  i.add({ path: "base/alertmanager/alertmanager.yaml", text: base }, false);
  i.add({ path: "base/alertmanager/pdb.yaml", text: basePdb }, false);
  i.add({ path: "overlays/a/patches/alertmanager-main.yaml", text: patch }, true);
  return i;
}

const rendered = {
  apiVersion: "monitoring.coreos.com/v1",
  kind: "Alertmanager",
  metadata: { name: "main", namespace: "monitoring" },
  spec: { replicas: 1, podMetadata: { labels: { app: "am" } } },
};

Deno.test("locateObjectFindings() reports a value of the cluster's folder there, not in the overlay", () => {
  const values = new ClusterValues("clusters/a", new Map([["alertmanager.yaml", csc]]));
  const found = haPolicies([rendered], { prometheusHaOptOut: false })
    .filter((f) => f.field === "spec.replicas");
  assertEquals(locateObjectFindings(found, index(), "overlays/a/kustomization.yaml", values), [{
    severity: "error",
    file: "clusters/a/alertmanager.yaml",
    line: 5,
    column: 5,
    field: "spec.deployment.replicas",
    message: "expected at least 2 replicas of Alertmanager main (set spec.deployment.replicas " +
      "in alertmanager.yaml, or opt out with spec.deployment.highAvailability: false), found 1 " +
      "(spec.deployment.replicas rendered as Alertmanager/monitoring/main spec.replicas, " +
      "generated into overlays/a/patches/alertmanager-main.yaml:7)",
    check: "policy/ha",
  }]);
  // Without the cluster's files: the generated patch, as the source index knows it.
  assertEquals(
    locateObjectFindings(found, index(), "overlays/a/kustomization.yaml").map((f) => [
      f.file,
      f.line,
      f.field,
    ]),
    [[
      "overlays/a/patches/alertmanager-main.yaml",
      7,
      "Alertmanager/monitoring/main spec.replicas",
    ]],
  );
});

Deno.test("locateObjectFindings() keeps a value of base/ in base/", () => {
  const values = new ClusterValues("clusters/a", new Map([["alertmanager.yaml", csc]]));
  const found = [objectFinding("error", rendered, "spec.podMetadata.labels", "x", "policy/test")];
  assertEquals(
    locateObjectFindings(found, index(), "overlays/a/kustomization.yaml", values).map((f) => [
      f.file,
      f.line,
    ]),
    [["base/alertmanager/alertmanager.yaml", 8]],
  );
});

Deno.test("locateObjectFindings() says when the cluster's file leaves the value to its default", () => {
  const values = new ClusterValues(
    "clusters/a",
    new Map([["alertmanager.yaml", "apiVersion: x\nkind: AlertmanagerConfig\nspec: {}\n"]]),
  );
  const found = [objectFinding("error", rendered, "spec.replicas", "too few", "policy/test")];
  assertEquals(locateObjectFindings(found, index(), "k", values), [{
    severity: "error",
    file: "clusters/a/alertmanager.yaml",
    line: 3,
    column: 1,
    field: "spec.deployment.replicas",
    message: "too few (spec.deployment.replicas not set here, so the default applies; rendered " +
      "as Alertmanager/monitoring/main spec.replicas, generated into " +
      "overlays/a/patches/alertmanager-main.yaml:7)",
    check: "policy/test",
  }]);
});
