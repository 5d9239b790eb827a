import assert from "node:assert/strict";
import { formatTable, parseUpArgs, urlRows } from "./main.ts";

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

Deno.test("urlRows() lists the forwards and the kubeconfig", () => {
  const rows = urlRows({
    urls: {
      thanosQuery: "http://127.0.0.1:1",
      prometheus: ["http://127.0.0.1:2"],
      alertmanagers: ["http://127.0.0.1:3"],
      sink: "http://127.0.0.1:4",
    },
    kubeconfig: "/k/admin.yaml",
    dir: "/d",
  });
  assert.deepEqual(rows, [
    ["Thanos Query UI", "http://127.0.0.1:1/graph"],
    ["Prometheus 0", "http://127.0.0.1:2/targets"],
    ["Alertmanager 0", "http://127.0.0.1:3"],
    ["Notifications received", "http://127.0.0.1:4/notifications"],
    ["Cluster", "KUBECONFIG=/k/admin.yaml"],
    ["Logs and data", "/d"],
  ]);
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
