import assert from "node:assert/strict";
import type { Pod } from "../render/objects.ts";
import { ADMIN_API_FLAG, replicaSelector, rolloutPending } from "./local.ts";

function pod(name: string, args: string[], ready: boolean, deleting = false): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      ...(deleting ? { deletionTimestamp: "2026-01-01T00:00:00Z" } : {}),
    },
    spec: {
      containers: [
        { name: "prometheus", image: "prometheus", args },
        { name: "thanos-sidecar", image: "thanos", args: [] },
      ],
    },
    status: { conditions: [{ type: "Ready", status: ready ? "True" : "False" }] },
  };
}

Deno.test("rolloutPending() waits for every replica to run Ready with the admin API as asked", () => {
  const on = ["--web.enable-lifecycle", ADMIN_API_FLAG];
  const off = ["--web.enable-lifecycle"];
  assert.equal(rolloutPending([pod("p-0", on, true), pod("p-1", on, true)], 2, true), undefined);
  assert.equal(rolloutPending([pod("p-0", off, true), pod("p-1", off, true)], 2, false), undefined);
  assert.equal(
    rolloutPending([pod("p-0", off, true), pod("p-1", on, true)], 2, true),
    "p-0 still runs with the admin API off",
  );
  assert.equal(
    rolloutPending([pod("p-0", on, true), pod("p-1", on, false)], 2, true),
    "p-1 is not Ready yet",
  );
  assert.equal(
    rolloutPending([pod("p-0", on, true), pod("p-1", off, true, true)], 2, true),
    "1 of 2 replicas running, 1 stopping",
  );
  assert.equal(
    rolloutPending([pod("p-0", on, true)], 2, true),
    "1 of 2 replicas running, 0 stopping",
  );
});

Deno.test("replicaSelector() selects a Prometheus CR's pods by the operator's labels", () => {
  assert.equal(
    replicaSelector("k8s"),
    "app.kubernetes.io/name=prometheus,operator.prometheus.io/name=k8s",
  );
});
