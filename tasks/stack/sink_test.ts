import assert from "node:assert/strict";
import { startSink } from "./sink.ts";

Deno.test("startSink() records each notification with its payload's receiver and serves them in order", async () => {
  const sink = startSink();
  try {
    const payload = {
      receiver: "on call",
      status: "firing",
      groupKey: '{}:{alertname="Watchdog"}',
      groupLabels: { alertname: "Watchdog" },
      commonLabels: { alertname: "Watchdog" },
      alerts: [],
    };
    for (const status of ["firing", "resolved"]) {
      const res = await fetch(`${sink.url}/notify`, {
        method: "POST",
        body: JSON.stringify({ ...payload, status }),
      });
      assert.equal(await res.text(), "ok\n");
    }
    for (const body of ["{", JSON.stringify({ status: "firing" })]) {
      const bad = await fetch(`${sink.url}/notify`, { method: "POST", body });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
    }

    const served = await (await fetch(`${sink.url}/notifications`)).json();
    assert.deepEqual(
      served.map((n: { receiver: string; payload: { status: string } }) => [
        n.receiver,
        n.payload.status,
      ]),
      [["on call", "firing"], ["on call", "resolved"]],
    );
    assert.deepEqual(served, sink.notifications());
  } finally {
    await sink.close();
  }
});
