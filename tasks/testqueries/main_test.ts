import assert from "node:assert/strict";
import { parseTestQueriesArgs } from "./main.ts";

Deno.test("parseTestQueriesArgs() reads the local and the cluster forms", () => {
  assert.deepEqual(parseTestQueriesArgs(["--local", "--format", "json"]), {
    local: true,
    url: undefined,
    alertmanager: undefined,
    cluster: undefined,
    format: "json",
    expressions: false,
  });
  assert.deepEqual(
    parseTestQueriesArgs([
      "--url=https://thanos.example.com/",
      "--alertmanager",
      "http://localhost:9093",
      "--cluster",
      "production",
    ]),
    {
      local: false,
      url: "https://thanos.example.com",
      alertmanager: "http://localhost:9093",
      cluster: "production",
      format: "text",
      expressions: false,
    },
  );
});

Deno.test("parseTestQueriesArgs() refuses incomplete or contradictory arguments", () => {
  assert.throws(
    () => parseTestQueriesArgs(["--url", "http://x"]),
    new Error("give --local, or all of --url, --alertmanager and --cluster"),
  );
  assert.throws(
    () => parseTestQueriesArgs(["--local", "--url", "http://x"]),
    new Error(
      "--local tests the running local cluster; --url, --alertmanager and --cluster are for " +
        "a deployed one",
    ),
  );
  assert.throws(
    () => parseTestQueriesArgs(["--format", "xml", "--local"]),
    new Error("--format is text or json, got xml"),
  );
  assert.throws(() => parseTestQueriesArgs(["--cluster"]), new Error("--cluster needs a value"));
});

Deno.test("parseTestQueriesArgs() reads --expressions, which needs no Alertmanager", () => {
  const args = parseTestQueriesArgs([
    "--expressions",
    "--url",
    "https://thanos.example.com",
    "--cluster",
    "production",
  ]);
  assert.equal(args.expressions, true);
  assert.equal(args.alertmanager, undefined);
  assert.equal(parseTestQueriesArgs(["--local", "--expressions"]).expressions, true);
});
