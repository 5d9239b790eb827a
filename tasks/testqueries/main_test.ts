import assert from "node:assert/strict";
import { runCommand, UsageError } from "../cli/command.ts";
import { testQueriesArgs, testQueriesCommand, type TestQueriesOptions } from "./main.ts";

const options = (over: Partial<TestQueriesOptions>): TestQueriesOptions => ({
  local: false,
  format: "text",
  expressions: false,
  ...over,
});

Deno.test("testQueriesArgs() reads the local and the cluster forms", () => {
  assert.deepEqual(testQueriesArgs(options({ local: true, format: "json" })), {
    local: true,
    url: undefined,
    alertmanager: undefined,
    cluster: undefined,
    format: "json",
    expressions: false,
  });
  assert.deepEqual(
    testQueriesArgs(options({
      url: "https://thanos.example.com/",
      alertmanager: "http://localhost:9093",
      cluster: "production",
    })),
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

Deno.test("testQueriesArgs() refuses incomplete or contradictory options", () => {
  for (
    const [over, message] of [
      [{ url: "http://x" }, "give --local, or all of --url, --alertmanager and --cluster"],
      [
        { local: true, url: "http://x" },
        "--local tests the running local cluster; --url, --alertmanager and --cluster are for " +
        "a deployed one",
      ],
      [{ local: true, format: "xml" }, "--format is text or json, got xml"],
      [{ cluster: "" }, "--cluster needs a value"],
    ] as const
  ) {
    assert.throws(() => testQueriesArgs(options(over)), new UsageError(message));
  }
});

Deno.test("testQueriesArgs() reads --expressions, which needs no Alertmanager", () => {
  const args = testQueriesArgs(options({
    expressions: true,
    url: "https://thanos.example.com",
    cluster: "production",
  }));
  assert.equal(args.expressions, true);
  assert.equal(args.alertmanager, undefined);
  assert.equal(testQueriesArgs(options({ local: true, expressions: true })).expressions, true);
});

Deno.test("deno task test-queries prints its help, and exits 2 on usage errors and unknown clusters", async () => {
  const run = async (args: readonly string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(testQueriesCommand, args, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: deno task test-queries \[options\]/);
  assert.match(help.out, /--alertmanager <url>/);
  assert.match(help.out, /exit codes: 0 ok, 1 a check failed, 2 usage or input error/);
  for (
    const [args, message] of [
      [["--cluster"], /Option '--cluster <value>' argument missing/],
      [["--nope"], /Unknown option '--nope'/],
      [["--url", "http://x"], /give --local, or all of --url, --alertmanager and --cluster/],
      [
        ["--url", "http://127.0.0.1:1", "--expressions", "--cluster", "atlantis"],
        /no overlay .*overlays\/atlantis; run `deno task generate atlantis` first/,
      ],
    ] as const
  ) {
    const bad = await run(args);
    assert.equal(bad.code, 2, args.join(" "));
    assert.match(bad.err, message);
  }
});
