import { deepEqual as assertEquals } from "node:assert/strict";
import { parseVersions } from "../model/versions.ts";
import type { Alertmanager } from "../render/objects.ts";
import { policyFindings } from "./policies.ts";
import { SourceIndex } from "./source_index.ts";

Deno.test("policyFindings() points a rendered object's problem at the base file writing it", () => {
  const base =
    "apiVersion: monitoring.coreos.com/v1\nkind: Alertmanager\nmetadata:\n  name: main\n" +
    "spec:\n  replicas: 1\n";
  const index = new SourceIndex();
  index.add({ path: "base/alertmanager/alertmanager.yaml", text: base }, false);
  const am: Alertmanager = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: { name: "main", namespace: "monitoring" },
    spec: { replicas: 1 },
  };
  const versions = parseVersions(JSON.stringify({ deno: "2.9.6", images: {}, tools: {} }));
  const found = policyFindings([am], { versions, prometheusHaOptOut: false }, index, "k.yaml");
  assertEquals(found[0], {
    severity: "error",
    file: "base/alertmanager/alertmanager.yaml",
    line: 6,
    column: 3,
    field: "Alertmanager/monitoring/main spec.replicas",
    message: "expected at least 2 replicas of Alertmanager main (set spec.deployment.replicas in " +
      "alertmanager.yaml, or opt out with spec.deployment.highAvailability: false), found 1",
    check: "policy/ha",
  });
});
