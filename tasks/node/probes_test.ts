import assert from "node:assert/strict";
import { probeOnce, probePort, ProbeState } from "./probes.ts";

Deno.test("probePort() takes a number or a container port's name", () => {
  const ports = new Map([["http", 8080]]);
  assert.equal(probePort(9090, ports), 9090);
  assert.equal(probePort("http", ports), 8080);
  assert.throws(() => probePort("grpc", ports), /no container port named grpc/);
});

Deno.test("ProbeState decides after the success and failure thresholds", () => {
  const s = new ProbeState({ successThreshold: 2, failureThreshold: 2 });
  assert.equal(s.record(true), undefined);
  assert.equal(s.everSucceeded, false);
  assert.equal(s.record(true), true);
  assert.equal(s.everSucceeded, true);
  assert.equal(s.record(false), true);
  assert.equal(s.record(false), false);
  assert.equal(s.everSucceeded, true);
});

Deno.test("probeOnce() runs HTTP, TCP and exec probes for real", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => new Response("", { status: new URL(req.url).pathname === "/ok" ? 200 : 500 }),
  );
  const target = {
    podIP: "127.0.0.1",
    ports: new Map([["web", server.addr.port]]),
    exec: (argv: string[]) => Promise.resolve(argv[0] === "true" ? 0 : 1),
  };
  try {
    assert.equal(await probeOnce({ httpGet: { path: "/ok", port: "web" } }, target), true);
    assert.equal(await probeOnce({ httpGet: { path: "/bad", port: "web" } }, target), false);
    assert.equal(await probeOnce({ tcpSocket: { port: server.addr.port } }, target), true);
    assert.equal(await probeOnce({ exec: { command: ["true"] } }, target), true);
    assert.equal(await probeOnce({ exec: { command: ["false"] } }, target), false);
  } finally {
    await server.shutdown();
  }
  assert.equal(await probeOnce({ tcpSocket: { port: server.addr.port } }, target), false);
});
