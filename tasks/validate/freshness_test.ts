import { deepEqual as assertEquals } from "node:assert/strict";
import { firstDifference, firstHunk, orphanOverlays, overlayFreshness } from "./freshness.ts";

Deno.test("firstDifference() names the first differing line", () => {
  assertEquals(firstDifference("a\nb\nc", "a\nB\nc"), { line: 2, expected: "b", actual: "B" });
  assertEquals(firstDifference("a", "a"), null);
});

Deno.test("overlayFreshness() reports edited, missing and extra files with the command", () => {
  const expected = new Map([["kustomization.yaml", "a\nreplicas: 2\n"], ["x.yaml", "x"]]);
  const actual = new Map([["kustomization.yaml", "a\nreplicas: 3\n"], ["y.yaml", "y"]]);
  assertEquals(overlayFreshness("staging", expected, actual), [
    {
      severity: "error",
      file: "overlays/staging/kustomization.yaml",
      line: 2,
      column: 1,
      field: "",
      message: "stale: expected what generate writes now (line 2: `replicas: 2`), found " +
        "`replicas: 3`; an overlay is never edited by hand, and a change of clusters/staging/ " +
        "needs generate: run `deno task generate staging`",
      check: "freshness",
    },
    {
      severity: "error",
      file: "overlays/staging/x.yaml",
      line: 0,
      column: 0,
      field: "",
      message: "expected this generated file, found it missing; run `deno task generate staging`",
      check: "freshness",
    },
    {
      severity: "error",
      file: "overlays/staging/y.yaml",
      line: 0,
      column: 0,
      field: "",
      message: "expected only files generate writes, found one it does not; run " +
        "`deno task generate staging` (it removes it)",
      check: "freshness",
    },
  ]);
});

Deno.test("orphanOverlays() reports an overlay without its cluster", () => {
  assertEquals(orphanOverlays(["a", "b"], ["a"]).map((f) => f.file), [
    "overlays/b/kustomization.yaml",
  ]);
});

Deno.test("overlayFreshness() reports a stale line at the cluster value generate writes it from", () => {
  const expected = new Map([["patches/p.yaml", "# header\nretention: 8d\n"]]);
  const actual = new Map([["patches/p.yaml", "# header\nretention: 7d\n"]]);
  const source = (path: string, line: number) =>
    path === "patches/p.yaml" && line === 2
      ? {
        file: "clusters/staging/prometheus.yaml",
        line: 6,
        column: 5,
        field: "spec.config.retention_time",
        written: true,
      }
      : null;
  assertEquals(overlayFreshness("staging", expected, actual, source), [{
    severity: "error",
    file: "clusters/staging/prometheus.yaml",
    line: 6,
    column: 5,
    field: "spec.config.retention_time",
    message: "stale: overlays/staging/patches/p.yaml:2 has `retention: 7d` where generate now " +
      "writes `retention: 8d` from spec.config.retention_time here; an overlay is never edited " +
      "by hand, and a change of clusters/staging/ needs generate: run `deno task generate staging`",
    check: "freshness",
  }]);
});

Deno.test("firstHunk() tells a changed line from an added or a removed one", () => {
  assertEquals(firstHunk("a\nb: 1\nc", "a\nb: 2\nc"), {
    expectedLine: 2,
    expected: ["b: 1"],
    actualLine: 2,
    actual: ["b: 2"],
  });
  assertEquals(firstHunk("a\nc\nd: 1", "a\nx\nc\nd: 2"), {
    expectedLine: 2,
    expected: [],
    actualLine: 2,
    actual: ["x"],
  });
  assertEquals(firstHunk("a\nnew\nc", "a\nc"), {
    expectedLine: 2,
    expected: ["new"],
    actualLine: 2,
    actual: [],
  });
  assertEquals(firstHunk("a", "a"), null);
});

Deno.test("overlayFreshness() keeps a line added by hand on the overlay", () => {
  const expected = new Map([["p.yaml", "spec:\n  replicas: 3\n  storage: {}\n"]]);
  const actual = new Map([["p.yaml", "spec:\n  replicas: 3\n  replica: 3\n  storage: {}\n"]]);
  const source = () => ({
    file: "clusters/a/cluster.yaml",
    line: 9,
    column: 3,
    field: "x",
    written: true,
  });
  assertEquals(
    overlayFreshness("a", expected, actual, source).map((f) => [f.file, f.line]),
    [["overlays/a/p.yaml", 3]],
  );
});
