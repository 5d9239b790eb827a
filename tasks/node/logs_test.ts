import assert from "node:assert/strict";
import { findLog } from "./logs.ts";

const folders = ["kube-system_coredns-x_u1", "monitoring_prometheus-k8s-0_u2"];
const files = (f: string) =>
  f.startsWith("monitoring") ? ["prometheus.log", "thanos-sidecar.log"] : ["coredns.log"];

Deno.test("findLog() finds a pod's container log, by name or namespace/name", () => {
  assert.deepEqual(findLog(folders, files, "coredns-x", undefined), {
    folder: "kube-system_coredns-x_u1",
    file: "coredns.log",
  });
  assert.deepEqual(findLog(folders, files, "monitoring/prometheus-k8s-0", "thanos-sidecar"), {
    folder: "monitoring_prometheus-k8s-0_u2",
    file: "thanos-sidecar.log",
  });
});

Deno.test("findLog() says what to name when the pod or container is ambiguous or absent", () => {
  assert.deepEqual(findLog(folders, files, "prometheus-k8s-0", undefined), {
    error: "pod prometheus-k8s-0 has containers prometheus, thanos-sidecar: name one",
  });
  assert.deepEqual(findLog(folders, files, "nope", undefined), {
    error: "no pod nope has run on the local cluster",
  });
  assert.deepEqual(findLog(folders, files, "coredns-x", "x"), {
    error: "pod coredns-x has no container x (it has coredns)",
  });
});
