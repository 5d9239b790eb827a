import assert from "node:assert/strict";
import { defaultOutDir, formatSnapshots, parseSnapshotArgs } from "./main.ts";

Deno.test("parseSnapshotArgs() reads the local and the cluster forms", () => {
  assert.deepEqual(parseSnapshotArgs(["--local"]), {
    local: true,
    cluster: undefined,
    context: undefined,
    out: undefined,
    print: false,
  });
  assert.deepEqual(
    parseSnapshotArgs(["--cluster", "production", "--context=prod", "--out", "x", "--print"]),
    {
      local: false,
      cluster: "production",
      context: "prod",
      out: "x",
      print: true,
    },
  );
});

Deno.test("parseSnapshotArgs() refuses mixed or incomplete forms with one line", () => {
  assert.throws(
    () => parseSnapshotArgs([]),
    new Error("give --local, or --cluster NAME and --context CONTEXT"),
  );
  assert.throws(
    () => parseSnapshotArgs(["--cluster", "x"]),
    new Error("give --local, or --cluster NAME and --context CONTEXT"),
  );
  for (const extra of [["--print"], ["--cluster", "x"], ["--context", "c"]]) {
    assert.throws(
      () => parseSnapshotArgs(["--local", ...extra]),
      new Error(
        "--local snapshots the running local cluster; --cluster, --context and --print are " +
          "for a deployed one",
      ),
    );
  }
  assert.throws(() => parseSnapshotArgs(["--out"]), new Error("--out needs a value"));
  assert.throws(() => parseSnapshotArgs(["--now"]), new Error("unknown argument --now"));
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
