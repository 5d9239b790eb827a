import assert from "node:assert/strict";
import { clusterFile } from "./_testing.ts";
import {
  ClusterFile,
  PrometheusConfigFile,
  PrometheusSpec,
  REPLICA_LABEL,
  SINGLE_PROMETHEUS_LOSS,
} from "./cluster.ts";

Deno.test("ClusterFile fills every default of an empty spec", () => {
  assert.deepEqual(clusterFile().spec, {
    reconciler: "argocd",
    destination: { server: "https://kubernetes.default.svc", namespace: "monitoring" },
    externalLabels: {},
    scrapeInterval: "30s",
    evaluationInterval: "30s",
    storage: { prometheus: { size: "50Gi" }, alertmanager: { size: "1Gi" } },
    thanosQuery: { replicas: 2 },
    clusterDomain: "cluster.local",
    spread: { topologyKey: "kubernetes.io/hostname", mode: "required" },
    components: { preset: "self-managed" },
    runbookBaseUrl: "https://git.example.com/platform/monitoring/blob/main/docs/alerts.md",
  });
});

Deno.test("ClusterFile refuses the reserved external labels", () => {
  const r = ClusterFile.safeParse({
    apiVersion: "monitoring.dev/v1alpha1",
    kind: "Cluster",
    metadata: { name: "staging" },
    spec: { externalLabels: { cluster: "x", [REPLICA_LABEL]: "y" } },
  });
  assert.deepEqual(r.error?.issues.map((i) => [i.path.join("."), i.message]), [
    ["spec.externalLabels.cluster", "`cluster` is always set to metadata.name; remove it"],
    [
      `spec.externalLabels.${REPLICA_LABEL}`,
      `\`${REPLICA_LABEL}\` is set by the operator on each replica; remove it`,
    ],
  ]);
});

Deno.test("PrometheusSpec defaults to an HA pair, 10d, no size limit, no admin API", () => {
  const spec = PrometheusSpec.parse({});
  assert.deepEqual(spec.deployment, { replicas: 2, highAvailability: true });
  assert.deepEqual(spec.config, {
    retention_time: "10d",
    retention_size: "0",
    enable_admin_api: false,
  });
  assert.deepEqual(spec.extraRules, { groups: [] });
  assert.equal(spec.rules.node_exporter.node_filesystem_space_filling_up.warning.threshold, 40);
});

Deno.test("PrometheusSpec refuses one replica unless HA is given up explicitly", () => {
  const refused = PrometheusSpec.safeParse({ deployment: { replicas: 1 } });
  assert.deepEqual(refused.error?.issues.map((i) => [i.path.join("."), i.message]), [
    ["deployment.replicas", SINGLE_PROMETHEUS_LOSS],
  ]);
  assert.match(SINGLE_PROMETHEUS_LOSS, /no HA pair/);
  assert.match(SINGLE_PROMETHEUS_LOSS, /fill the gap/);
  const accepted = PrometheusSpec.parse({ deployment: { replicas: 1, highAvailability: false } });
  assert.equal(accepted.deployment.replicas, 1);
});

Deno.test("PrometheusConfigFile accepts the CSC apiVersion with and without its version", () => {
  for (
    const apiVersion of ["addons.metalk8s.scality.com", "addons.metalk8s.scality.com/v1alpha1"]
  ) {
    assert.ok(PrometheusConfigFile.safeParse({ apiVersion, kind: "PrometheusConfig" }).success);
  }
  assert.ok(
    !PrometheusConfigFile.safeParse({
      apiVersion: "addons.metalk8s.scality.com/v1",
      kind: "PrometheusConfig",
    }).success,
  );
});
