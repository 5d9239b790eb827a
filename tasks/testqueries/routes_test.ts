import assert from "node:assert/strict";
import { parseMatcher, routesFor } from "./routes.ts";

const route = {
  receiver: "null",
  group_wait: "30s",
  repeat_interval: "12h",
  routes: [
    { receiver: "watchdog", matchers: ['alertname = "Watchdog"'], repeat_interval: "1m" },
    { receiver: "audit", match_re: { severity: "critical|warning" }, continue: true },
    { receiver: "pager", match: { severity: "critical" }, group_wait: "5s" },
  ],
};

Deno.test("routesFor() picks the first matching child and inherits the parent's timing", () => {
  assert.deepEqual(routesFor(route, { alertname: "Watchdog", severity: "none" }), [
    {
      receiver: "watchdog",
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 60_000,
    },
  ]);
});

Deno.test("routesFor() follows continue: true to the next matching route", () => {
  assert.deepEqual(
    routesFor(route, { alertname: "NodeDown", severity: "critical" }).map((r) => r.receiver),
    ["audit", "pager"],
  );
  assert.deepEqual(
    routesFor(route, { alertname: "NodeDown", severity: "critical" }).map((r) => r.groupWaitMs),
    [30_000, 5_000],
  );
});

Deno.test("routesFor() falls back to the root's receiver when no child matches", () => {
  assert.deepEqual(routesFor(route, { alertname: "X", severity: "info" }), [
    {
      receiver: "null",
      groupWaitMs: 30_000,
      groupIntervalMs: 300_000,
      repeatIntervalMs: 43_200_000,
    },
  ]);
});

Deno.test("parseMatcher() reads the four operators, with or without quotes", () => {
  assert.equal(parseMatcher('job="node"')({ job: "node" }), true);
  assert.equal(parseMatcher("job != node")({ job: "node" }), false);
  assert.equal(parseMatcher('severity=~"warn.*"')({ severity: "warning" }), true);
  assert.equal(parseMatcher('severity=~"warn"')({ severity: "warning" }), false);
  assert.equal(parseMatcher('severity!~"warn.*"')({}), true);
  assert.throws(
    () => parseMatcher("not a matcher"),
    new Error("not an Alertmanager matcher: not a matcher"),
  );
});
