import assert from "node:assert/strict";
import { containerVars, expandedArgs, expandVars } from "./container_env.ts";
import type { K8sObject } from "./objects.ts";

const query: K8sObject = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "thanos-query", namespace: "observability" },
};

Deno.test("expandVars() replaces known $(NAME)s, keeps unknown ones and reads $$ as $", () => {
  const vars = new Map([["A", "1"], ["B", "two"]]);
  assert.equal(expandVars("$(A)-$(B)-$(C)", vars), "1-two-$(C)");
  assert.equal(expandVars("$$(A) costs $$5", vars), "$(A) costs $5");
});

Deno.test("expandedArgs() expands a container's args from its env and its pod's namespace", () => {
  const container = {
    args: [
      "query",
      "--endpoint=dnssrv+_grpc._tcp.thanos-sidecar.$(POD_NAMESPACE).svc.$(CLUSTER_DOMAIN)",
    ],
    env: [
      { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
      { name: "CLUSTER_DOMAIN", value: "k8s.internal" },
      { name: "PASSWORD", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
    ],
  };
  assert.deepEqual(expandedArgs(container, query), [
    "query",
    "--endpoint=dnssrv+_grpc._tcp.thanos-sidecar.observability.svc.k8s.internal",
  ]);
  // A Secret's value is not known from the manifests.
  assert.deepEqual([...containerVars(container, query).keys()], [
    "POD_NAMESPACE",
    "CLUSTER_DOMAIN",
  ]);
});
