import assert from "node:assert/strict";
import { routeTestChanges } from "./route_tests.ts";

Deno.test("routeTestChanges() lists only the cases that reach other receivers now", () => {
  const changes = routeTestChanges([
    {
      name: "critical alerts page",
      labels: { severity: "critical" },
      expected: ["pager"],
      before: ["pager"],
      after: ["chat"],
    },
    {
      name: "warnings go to chat",
      labels: { severity: "warning" },
      expected: ["chat"],
      before: ["null"],
      after: ["chat"],
    },
    {
      name: "unchanged",
      labels: { alertname: "Watchdog" },
      expected: ["watchdog"],
      before: ["watchdog"],
      after: ["watchdog"],
    },
  ]);
  assert.deepEqual(changes, [
    {
      op: "~",
      subject: 'route test "critical alerts page" {severity=critical}',
      from: "pager",
      to: "chat",
      note: "the test expects pager: it now fails, update routes-test.yaml or the routes",
    },
    {
      op: "~",
      subject: 'route test "warnings go to chat" {severity=warning}',
      from: "null",
      to: "chat",
      note: "as the test expects",
    },
  ]);
});
