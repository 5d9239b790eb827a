import assert from "node:assert/strict";
import { runCommand, UsageError } from "../cli/command.ts";
import { formatTable, upArgs, upCommand, urlRows } from "./main.ts";

Deno.test("upArgs() defaults to the local cluster until Ctrl-C", () => {
  assert.deepEqual(upArgs({ json: false }, []), {
    cluster: "local",
    forMs: undefined,
    json: false,
  });
  assert.deepEqual(upArgs({ for: "10m", json: true }, ["staging"]), {
    cluster: "staging",
    forMs: 600_000,
    json: true,
  });
});

Deno.test("upArgs() says what is wrong with --for in one line", () => {
  assert.throws(
    () => upArgs({ for: "soon", json: false }, []),
    new UsageError("--for needs a duration such as 90s or 10m, got soon"),
  );
  assert.throws(
    () => upArgs({ for: "", json: false }, []),
    new UsageError("--for needs a duration such as 90s or 10m, got nothing"),
  );
});

Deno.test("deno task up prints its help and exits 2 on usage errors, starting nothing", async () => {
  const run = async (args: readonly string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCommand(upCommand, args, {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  };
  const help = await run(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^usage: deno task up \[options\] \[cluster\]/);
  assert.match(help.out, /--for <duration>/);
  for (
    const [args, message] of [
      [["a", "b"], /expected at most 1 argument \(\[cluster\]\), found 2/],
      [["--fast"], /Unknown option '--fast'/],
      [["--for"], /Option '--for <value>' argument missing/],
      [["--for", "soon"], /--for needs a duration such as 90s or 10m, got soon/],
    ] as const
  ) {
    const bad = await run(args);
    assert.equal(bad.code, 2, args.join(" "));
    assert.match(bad.err, message);
  }
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
