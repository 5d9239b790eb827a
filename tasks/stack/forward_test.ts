import assert from "node:assert/strict";
import { forward } from "./forward.ts";

Deno.test("forward() relays requests from its loopback port to the target and stops on close", async () => {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => new Response(`hello ${new URL(req.url).pathname}`),
  );
  const f = forward("127.0.0.1", server.addr.port);
  try {
    const res = await fetch(`${f.url}/x`);
    assert.equal(await res.text(), "hello /x");
    assert.equal(f.target, `127.0.0.1:${server.addr.port}`);
  } finally {
    f.close();
    await server.shutdown();
  }
  await assert.rejects(fetch(`${f.url}/x`));
});
