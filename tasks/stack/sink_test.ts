import assert from "node:assert/strict";
import { startSink } from "./sink.ts";

Deno.test("startSink() records each notification with its receiver and serves them in order", async () => {
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
    assert.equal(sink.webhookUrl("on call"), `${sink.url}/notify/on%20call`);
    for (const status of ["firing", "resolved"]) {
      const res = await fetch(sink.webhookUrl("on call"), {
        method: "POST",
        body: JSON.stringify({ ...payload, status }),
      });
      assert.equal(await res.text(), "ok\n");
    }
    const bad = await fetch(sink.webhookUrl("x"), { method: "POST", body: "{" });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();

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
