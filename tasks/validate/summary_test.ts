import assert from "node:assert/strict";
import { dedupe, type Reported, summarize } from "./summary.ts";

const finding = (file: string, clusters: string[], severity: "error" | "warning" = "error") =>
  ({
    severity,
    file,
    line: 3,
    column: 1,
    field: "spec.replicas",
    message: "expected 2",
    check: "policy/ha",
    family: "policies",
    clusters,
  }) satisfies Reported;

Deno.test("dedupe() reports a finding of several clusters once, naming them all, in file order", () => {
  assert.deepEqual(
    dedupe([
      finding("base/x.yaml", ["b"]),
      finding("base/a.yaml", []),
      finding("base/x.yaml", ["a", "b"]),
    ]),
    [finding("base/a.yaml", []), finding("base/x.yaml", ["b", "a"])],
  );
});

Deno.test("summarize() counts errors and warnings per family, for the base and each cluster", () => {
  const s = summarize(
    [finding("base/x.yaml", []), finding("clusters/a/c.yaml", ["a"], "warning")],
    ["a"],
    1.5,
    2,
  );
  assert.deepEqual(s.clusters.map((c) => [c.cluster, c.counts.policies]), [
    ["base", { errors: 1, warnings: 0 }],
    ["a", { errors: 0, warnings: 1 }],
  ]);
  assert.deepEqual([s.errors, s.warnings, s.seconds, s.cachedRenders], [1, 1, 1.5, 2]);
});
