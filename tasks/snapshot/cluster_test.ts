import assert from "node:assert/strict";
import {
  type ClusterSnapshotTarget,
  clusterTarget,
  copyOut,
  gitSteps,
  planText,
  portForward,
  removeInPod,
  shellWord,
} from "./cluster.ts";

const T: ClusterSnapshotTarget = {
  cluster: "staging",
  context: "stg",
  namespace: "monitoring",
  prometheus: "k8s",
  pods: ["prometheus-k8s-0", "prometheus-k8s-1"],
  adminApiInGit: false,
};

Deno.test("clusterTarget() takes the names from the render", () => {
  assert.deepEqual(
    clusterTarget("staging", "stg", {
      namespace: "monitoring",
      prometheus: {
        name: "k8s",
        replicaNames: ["prometheus-k8s-0", "prometheus-k8s-1"],
        enableAdminAPI: false,
      } as never,
    }),
    T,
  );
});

Deno.test("the kubectl commands name the context, the namespace, the pod and the container", () => {
  assert.deepEqual(portForward(T, "prometheus-k8s-0", 41234), [
    "kubectl",
    "--context",
    "stg",
    "--namespace",
    "monitoring",
    "port-forward",
    "--address",
    "127.0.0.1",
    "pod/prometheus-k8s-0",
    "41234:9090",
  ]);
  assert.deepEqual(copyOut(T, "prometheus-k8s-1", "20261125T042935Z-72efc5866005e3e0", "out/p1"), [
    "kubectl",
    "--context",
    "stg",
    "--namespace",
    "monitoring",
    "cp",
    "--container",
    "prometheus",
    "prometheus-k8s-1:/prometheus/snapshots/20261125T042935Z-72efc5866005e3e0",
    "out/p1",
  ]);
  assert.deepEqual(removeInPod(T, "prometheus-k8s-1", "n").slice(5), [
    "exec",
    "prometheus-k8s-1",
    "--container",
    "prometheus",
    "--",
    "rm",
    "-rf",
    "/prometheus/snapshots/n",
  ]);
});

Deno.test("shellWord() quotes only what a shell would read differently", () => {
  assert.equal(shellWord("pod/prometheus-k8s-0"), "pod/prometheus-k8s-0");
  assert.equal(shellWord("jsonpath={.spec.enableAdminAPI}"), "'jsonpath={.spec.enableAdminAPI}'");
  assert.equal(shellWord("it's"), "'it'\\''s'");
});

Deno.test("gitSteps() turns the admin API on and off through the cluster's prometheus.yaml", () => {
  assert.deepEqual(gitSteps(T, true), [
    "Set spec.config.enable_admin_api: true in clusters/staging/prometheus.yaml.",
    "Run `deno task generate staging` and `deno task validate staging`.",
    "Open a pull request with both changes, merge it, and wait for the sync (Argo CD or Flux): " +
    "the operator restarts the replicas one at a time.",
    "Check: `kubectl --context stg --namespace monitoring get prometheus k8s -o " +
    "'jsonpath={.spec.enableAdminAPI}'` prints true.",
  ]);
  assert.equal(
    gitSteps(T, false)[0],
    "Remove spec.config.enable_admin_api from clusters/staging/prometheus.yaml (the default is " +
      "false) or set it to false.",
  );
});

Deno.test("planText() prints every step for every replica, then the way back", () => {
  const text = planText(T, "snapshots/2026-11-25T04-30-00Z");
  const lines = text.split("\n");
  assert.equal(
    lines[0],
    "# Prometheus snapshots of cluster staging (kubectl context stg, namespace monitoring, 2 replicas).",
  );
  assert.ok(
    lines.includes(
      "#    - Set spec.config.enable_admin_api: true in clusters/staging/prometheus.yaml.",
    ),
  );
  for (const pod of T.pods) {
    assert.ok(lines.includes(
      `kubectl --context stg --namespace monitoring port-forward --address 127.0.0.1 pod/${pod} 9090:9090 &`,
    ));
    assert.ok(lines.includes(
      `kubectl --context stg --namespace monitoring cp --container prometheus ` +
        `'${pod}:/prometheus/snapshots/<name>' snapshots/2026-11-25T04-30-00Z/${pod}`,
    ));
    assert.ok(lines.includes(`promtool tsdb list snapshots/2026-11-25T04-30-00Z/${pod}`));
  }
  assert.equal(
    lines.filter((l) =>
      l.startsWith("curl -fsS -X POST http://127.0.0.1:9090/api/v1/admin/tsdb/snapshot")
    ).length,
    2,
  );
  assert.ok(lines.includes("# 4. The admin API off again, through git:"));
  assert.ok(
    planText({ ...T, adminApiInGit: true }, "s").includes(
      "clusters/staging/prometheus.yaml already sets spec.config.enable_admin_api: true",
    ),
  );
});
