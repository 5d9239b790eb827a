import assert from "node:assert/strict";
import { startOrder } from "./up.ts";

Deno.test("startOrder() starts a process once those it comes after are ready", () => {
  assert.deepEqual(
    startOrder([
      { name: "prometheus-0", after: [] },
      { name: "alertmanager-0", after: [] },
      { name: "alertmanager-1", after: ["alertmanager-0"] },
      { name: "alertmanager-2", after: ["alertmanager-0"] },
      { name: "thanos-query", after: [] },
    ]),
    [
      { start: ["prometheus-0", "alertmanager-0", "thanos-query"], awaitReady: ["alertmanager-0"] },
      { start: ["alertmanager-1", "alertmanager-2"], awaitReady: [] },
    ],
  );
});

Deno.test("startOrder() refuses a cycle", () => {
  assert.throws(
    () => startOrder([{ name: "a", after: ["b"] }, { name: "b", after: ["a"] }]),
    new Error("the processes' start order has a cycle"),
  );
});
