import { deepEqual as assertEquals } from "node:assert/strict";
import { parseArgs } from "./main.ts";

Deno.test("parseArgs() reads clusters, the format and --no-cache", () => {
  assertEquals(parseArgs(["a", "--format", "github", "b", "--no-cache"]), {
    clusters: ["a", "b"],
    format: "github",
    cache: false,
  });
  assertEquals(parseArgs(["--format=json"]), { clusters: [], format: "json", cache: true });
});

Deno.test("parseArgs() explains a bad format or option", () => {
  assertEquals(
    String(parseArgs(["--format", "xml"])).split("\n")[0],
    "--format expects text, github or json, found xml",
  );
  assertEquals(String(parseArgs(["-x"])).split("\n")[0], "unknown option -x");
});
