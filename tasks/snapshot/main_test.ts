import assert from "node:assert/strict";
import { runCommand, UsageError } from "../cli/command.ts";
import { defaultOutDir, formatSnapshots, snapshotArgs, snapshotCommand } from "./main.ts";

Deno.test("snapshotArgs() reads the local and the cluster forms", () => {
  assert.deepEqual(snapshotArgs({ local: true, print: false }), {
    local: true,
    cluster: undefined,
    context: undefined,
    out: undefined,
    print: false,
  });
  assert.deepEqual(
    snapshotArgs({ local: false, cluster: "production", context: "prod", out: "x", print: true }),
    { local: false, cluster: "production", context: "prod", out: "x", print: true },
  );
});

Deno.test("snapshotArgs() refuses mixed or incomplete forms with one line", () => {
  const form = "give --local, or --cluster NAME and --context CONTEXT";
  assert.throws(() => snapshotArgs({ local: false, print: false }), new UsageError(form));
  assert.throws(
    () => snapshotArgs({ local: false, cluster: "x", print: false }),
    new UsageError(form),
  );
  for (const extra of [{ print: true }, { cluster: "x" }, { context: "c" }]) {
    assert.throws(
      () => snapshotArgs({ local: true, print: false, ...extra }),
      new UsageError(
        "--local snapshots the running local cluster; --cluster, --context and --print are " +
          "for a deployed one",
      ),
    );
  }
  assert.throws(
    () => snapshotArgs({ local: true, out: "", print: false }),
    new UsageError("--out needs a value"),
  );
});

Deno.test("deno task snapshot prints its help and exits 2 on usage errors", async () => {
  const run = async (args: readonly string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(snapshotCommand, args, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: deno task snapshot \[options\]/);
  assert.match(help.out, /--context <context>/);
  for (
    const [args, message] of [
      [["--now"], /Unknown option '--now'/],
      [["--out"], /Option '--out <value>' argument missing/],
      [[], /give --local, or --cluster NAME and --context CONTEXT/],
      [["--cluster", "atlantis", "--context", "c", "--print"], /kustomize build .*atlantis/],
    ] as const
  ) {
    const bad = await run(args);
    assert.equal(bad.code, 2, args.join(" "));
    assert.match(bad.err, message);
  }
});

Deno.test("defaultOutDir() is a folder per run, named for its time", () => {
  assert.equal(
    defaultOutDir(new Date("2026-11-25T04:30:05.123Z")),
    "snapshots/2026-11-25T04-30-05Z",
  );
});

Deno.test("formatSnapshots() says what was copied where and how it was verified", () => {
  assert.equal(
    formatSnapshots([{
      replica: "prometheus-k8s-0",
      name: "20261125T042935Z-72efc5866005e3e0",
      dir: "/w/snapshots/t/prometheus-k8s-0",
      blocks: [{
        ulid: "A",
        minTime: 0,
        maxTime: 1,
        samples: 10,
        chunks: 5,
        series: 5,
        sizeBytes: 3 * 2 ** 20,
      }],
      series: ["{a}", "{b}"],
      probeTime: 1,
    }], "/w"),
    "  prometheus-k8s-0: snapshot 20261125T042935Z-72efc5866005e3e0 → snapshots/t/prometheus-k8s-0\n" +
      "    1 block, 5 series, 3.0 MiB (promtool tsdb list); a Prometheus on a copy answers up with " +
      "the 2 series the replica answered",
  );
});
