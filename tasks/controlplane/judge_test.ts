import assert from "node:assert/strict";
import type { Pod } from "../render/objects.ts";
import { missingFromOutside, permanentWait } from "./judge.ts";

const pod = (reason?: string): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p" },
  spec: { containers: [] },
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

Deno.test("missingFromOutside() names a Secret the render does not hold, not one it does", () => {
  const provided = new Set(["Secret/monitoring/alertmanager-main-config"]);
  assert.equal(
    missingFromOutside(
      'MountVolume: secret "alertmanager-receivers" not found',
      "monitoring",
      provided,
    ),
    "waits for Secret monitoring/alertmanager-receivers, which the platform creates outside the " +
      "repository",
  );
  assert.equal(
    missingFromOutside(
      'MountVolume: secret "alertmanager-main-config" not found',
      "monitoring",
      provided,
    ),
    undefined,
  );
  assert.equal(missingFromOutside("claim is not bound yet", "monitoring", provided), undefined);
});

Deno.test("permanentWait() judges pods waiting for a Secret from outside as blocked", () => {
  const waiting: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "am-0", namespace: "monitoring" },
    spec: { containers: [] },
    status: {
      containerStatuses: [{
        name: "alertmanager",
        state: {
          waiting: {
            reason: "ContainerCreating",
            message: 'MountVolume: secret "alertmanager-receivers" not found',
          },
        },
      }],
    },
  };
  assert.match(permanentWait([waiting]) ?? "", /alertmanager-receivers, which the platform/);
});
