import assert from "node:assert/strict";
import { formatTable, parseUpArgs } from "./main.ts";

Deno.test("parseUpArgs() defaults to the local cluster until Ctrl-C", () => {
  assert.deepEqual(parseUpArgs([]), { cluster: "local", forMs: undefined, json: false });
  assert.deepEqual(parseUpArgs(["staging", "--for", "10m", "--json"]), {
    cluster: "staging",
    forMs: 600_000,
    json: true,
  });
  assert.deepEqual(parseUpArgs(["--for=90s"]).forMs, 90_000);
});

Deno.test("parseUpArgs() says what is wrong in one line", () => {
  assert.throws(
    () => parseUpArgs(["--for", "soon"]),
    new Error("--for needs a duration such as 90s or 10m, got soon"),
  );
  assert.throws(
    () => parseUpArgs(["--for"]),
    new Error("--for needs a duration such as 90s or 10m, got nothing"),
  );
  assert.throws(() => parseUpArgs(["a", "b"]), new Error("one cluster only, got a and b"));
  assert.throws(() => parseUpArgs(["--fast"]), new Error("unknown option --fast"));
});

Deno.test("formatTable() aligns the URLs in one column", () => {
  assert.equal(
    formatTable([["Thanos Query UI", "http://127.0.0.1:1/graph"], [
      "node-exporter",
      "http://127.0.0.1:2/metrics",
    ]]),
    "  Thanos Query UI  http://127.0.0.1:1/graph\n  node-exporter    http://127.0.0.1:2/metrics",
  );
});
