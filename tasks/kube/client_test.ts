import assert from "node:assert/strict";
import { collectionPath, objectPath, splitApiVersion } from "./client.ts";

Deno.test("splitApiVersion() separates the group from the version", () => {
  assert.deepEqual(splitApiVersion("apps/v1"), ["apps", "v1"]);
  assert.deepEqual(splitApiVersion("v1"), ["", "v1"]);
});

Deno.test("collectionPath() and objectPath() build core, grouped and namespaced paths", () => {
  const sts = {
    group: "apps",
    version: "v1",
    kind: "StatefulSet",
    resource: "statefulsets",
    namespaced: true,
  };
  assert.equal(
    collectionPath(sts, "monitoring"),
    "/apis/apps/v1/namespaces/monitoring/statefulsets",
  );
  assert.equal(
    objectPath(
      { group: "", version: "v1", kind: "Node", resource: "nodes", namespaced: false },
      undefined,
      "n1",
    ),
    "/api/v1/nodes/n1",
  );
});
