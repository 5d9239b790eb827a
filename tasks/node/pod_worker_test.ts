import assert from "node:assert/strict";
import { hostsFile, resolvConf, restarts } from "./pod_worker.ts";

Deno.test("restarts() follows the pod's restartPolicy", () => {
  assert.equal(restarts("Always", 0), true);
  assert.equal(restarts(undefined, 0), true);
  assert.equal(restarts("OnFailure", 0), false);
  assert.equal(restarts("OnFailure", 2), true);
  assert.equal(restarts("Never", 2), false);
});

Deno.test("resolvConf() and hostsFile() give a pod the cluster's DNS and its own names", () => {
  assert.equal(
    resolvConf("monitoring", { dnsServiceIP: "198.19.0.10", dnsDomain: "cluster.local" }),
    "nameserver 198.19.0.10\nsearch monitoring.svc.cluster.local svc.cluster.local " +
      "cluster.local\noptions ndots:5\n",
  );
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "prometheus-k8s-0", namespace: "monitoring" },
    spec: { subdomain: "prometheus-operated", containers: [] },
  };
  assert.match(
    hostsFile(pod, "198.18.0.9", "cluster.local"),
    /^198\.18\.0\.9\tprometheus-k8s-0\.prometheus-operated\.monitoring\.svc\.cluster\.local prometheus-k8s-0$/m,
  );
});
