import assert from "node:assert/strict";
import { freePorts, hostPort, httpUrl } from "./ports.ts";

Deno.test("freePorts() returns distinct ports that can be bound on 127.0.0.1", () => {
  const ports = freePorts(5);
  assert.equal(new Set(ports).size, 5);
  for (const port of ports) {
    const l = Deno.listen({ hostname: "127.0.0.1", port });
    assert.equal(l.addr.port, port);
    l.close();
  }
});

Deno.test("hostPort() and httpUrl() name the loopback address", () => {
  assert.equal(hostPort(9090), "127.0.0.1:9090");
  assert.equal(httpUrl(9090), "http://127.0.0.1:9090");
});
