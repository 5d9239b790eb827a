import assert from "node:assert/strict";
import type { K8sObject } from "../render/kustomize.ts";
import { localReplicas, withAdminApi } from "./local.ts";

Deno.test("withAdminApi() turns the admin API on in the Prometheus CR only, on a copy", () => {
  const objects: K8sObject[] = [
    {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Prometheus",
      metadata: { name: "k8s" },
      spec: { replicas: 2, enableAdminAPI: false },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name: "x" }, spec: {} },
  ];
  const out = withAdminApi(objects);
  assert.deepEqual(out[0]?.spec, { replicas: 2, enableAdminAPI: true });
  assert.equal(objects[0]?.spec.enableAdminAPI, false);
  assert.equal(out[1], objects[1]);
});

Deno.test("localReplicas() reads each replica's URL, data directory and admin API flag", () => {
  const plan = {
    replicas: ["prometheus-k8s-0", "prometheus-k8s-1"],
    urls: { prometheus: ["http://127.0.0.1:1", "http://127.0.0.1:2"] },
    processes: [
      { name: "node-exporter", binary: "node_exporter", args: [], readyUrl: "", dirs: [] },
      {
        name: "prometheus-0",
        binary: "prometheus",
        args: ["--storage.tsdb.path=/d/0", "--web.enable-admin-api"],
        readyUrl: "",
        dirs: [],
      },
      {
        name: "prometheus-1",
        binary: "prometheus",
        args: ["--storage.tsdb.path=/d/1"],
        readyUrl: "",
        dirs: [],
      },
    ],
  } as unknown as Parameters<typeof localReplicas>[0];
  assert.deepEqual(localReplicas(plan), [
    { replica: "prometheus-k8s-0", url: "http://127.0.0.1:1", dataDir: "/d/0", adminApi: true },
    { replica: "prometheus-k8s-1", url: "http://127.0.0.1:2", dataDir: "/d/1", adminApi: false },
  ]);
});
