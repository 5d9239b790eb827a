import assert from "node:assert/strict";
import { podPhase, podStatus, type PodView } from "./status.ts";

const running = { running: { startedAt: "t" } };
const view = (over: Partial<PodView>): PodView => ({
  hostIP: "198.18.0.2",
  startTime: "t0",
  restartPolicy: "Always",
  init: [],
  containers: [{ name: "a", image: "i", state: running, ready: true, restartCount: 0 }],
  initialized: true,
  sandboxReady: true,
  podIP: "198.18.0.5",
  ...over,
});

Deno.test("podPhase() is Pending until initialized, then Running, Succeeded or Failed", () => {
  assert.equal(podPhase(view({ initialized: false })), "Pending");
  assert.equal(podPhase(view({})), "Running");
  const done = (exitCode: number) => ({
    name: "a",
    image: "i",
    state: { terminated: { exitCode, reason: "x", finishedAt: "t" } },
    ready: false,
    restartCount: 0,
  });
  assert.equal(podPhase(view({ restartPolicy: "Never", containers: [done(0)] })), "Succeeded");
  assert.equal(podPhase(view({ restartPolicy: "Never", containers: [done(1)] })), "Failed");
  assert.equal(podPhase(view({ restartPolicy: "Always", containers: [done(1)] })), "Running");
});

Deno.test("podStatus() is Ready when every container is, and keeps transition times", () => {
  const s = podStatus(view({}), "now");
  assert.deepEqual(
    s.conditions.map((c) => [c.type, c.status]),
    [
      ["PodReadyToStartContainers", "True"],
      ["Initialized", "True"],
      ["ContainersReady", "True"],
      ["Ready", "True"],
      ["PodScheduled", "True"],
    ],
  );
  assert.equal(s.podIP, "198.18.0.5");
  const later = podStatus(view({}), "later", { conditions: s.conditions });
  assert.equal(later.conditions.find((c) => c.type === "Ready")?.lastTransitionTime, "now");
  const notReady = podStatus(
    view({
      containers: [{ name: "a", image: "i", state: running, ready: false, restartCount: 0 }],
    }),
    "later",
    { conditions: s.conditions },
  );
  assert.deepEqual(notReady.conditions.find((c) => c.type === "Ready"), {
    type: "Ready",
    status: "False",
    lastTransitionTime: "later",
    reason: "ContainersNotReady",
  });
});
