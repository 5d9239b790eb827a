import { deepEqual as assertEquals } from "node:assert/strict";
import { parseArgs } from "./main.ts";

Deno.test("parseArgs() reads clusters, the format, --no-cache and --no-api-server", () => {
  assertEquals(parseArgs(["a", "--format", "github", "b", "--no-cache"]), {
    clusters: ["a", "b"],
    format: "github",
    cache: false,
    apiServer: true,
  });
  assertEquals(parseArgs(["--format=json", "--no-api-server"]), {
    clusters: [],
    format: "json",
    cache: true,
    apiServer: false,
  });
});

Deno.test("parseArgs() explains a bad format or option", () => {
  assertEquals(
    String(parseArgs(["--format", "xml"])).split("\n")[0],
    "--format expects text, github or json, found xml",
  );
  assertEquals(String(parseArgs(["-x"])).split("\n")[0], "unknown option -x");
});
