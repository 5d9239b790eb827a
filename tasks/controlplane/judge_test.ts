import assert from "node:assert/strict";
import { permanentWait } from "./judge.ts";

const pod = (reason?: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p" },
  status: {
    containerStatuses: [{
      name: "grafana",
      state: reason
        ? { waiting: { reason, message: "docker.io/grafana/grafana" } }
        : { running: {} },
    }],
  },
});

Deno.test("permanentWait() names the reason only when every pod waits for one that will not pass", () => {
  assert.equal(
    permanentWait([pod("ImageNotRunnable"), pod("ImageNotRunnable")]),
    "ImageNotRunnable: docker.io/grafana/grafana",
  );
  assert.equal(permanentWait([pod("ImageNotRunnable"), pod()]), undefined);
  assert.equal(permanentWait([pod("ContainerCreating")]), undefined);
  assert.equal(permanentWait([]), undefined);
});
