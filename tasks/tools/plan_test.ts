import assert from "node:assert/strict";
import { buildPlan, refusedModule, requiredVersion } from "./plan.ts";
import type { Versions } from "../model/versions.ts";

const versions: Versions = {
  deno: "2.9.6",
  images: { prometheus: { image: "quay.io/prometheus/prometheus", tag: "v3.16.0" } },
  tools: {
    prometheus: {
      module: "github.com/prometheus/prometheus",
      version: "v0.316.0",
      appVersion: "3.16.0",
      versionVar: "github.com/prometheus/common/version.Version",
      image: "prometheus",
      gomod: "tasks/tools/gomod/prometheus",
      binaries: { prometheus: "cmd/prometheus", promtool: "cmd/promtool" },
    },
    thanos: {
      module: "github.com/thanos-io/thanos",
      version: "v0.42.4",
      appVersion: "0.42.4",
      tags: ["slicelabels"],
      gomod: "tasks/tools/gomod/thanos",
      binaries: { thanos: "cmd/thanos" },
    },
    kustomize: {
      module: "sigs.k8s.io/kustomize/kustomize/v5",
      version: "v5.8.2",
      appVersion: "5.8.2",
      binaries: { kustomize: "" },
    },
  },
};

Deno.test("buildPlan() builds tools modules with go build and the rest with go install M@V", () => {
  const steps = buildPlan(versions, "/repo", "/repo/.tools/bin", {
    "tasks/tools/gomod/prometheus": "sum",
  });
  assert.deepEqual(steps.map((s) => [s.binary, s.args[0], s.cwd]), [
    ["prometheus", "build", "/repo/tasks/tools/gomod/prometheus"],
    ["promtool", "build", "/repo/tasks/tools/gomod/prometheus"],
    ["thanos", "build", "/repo/tasks/tools/gomod/thanos"],
    ["kustomize", "install", undefined],
  ]);
  assert.deepEqual(steps[1]?.args, [
    "build",
    "-trimpath",
    "-ldflags",
    "-X github.com/prometheus/common/version.Version=3.16.0",
    "-o",
    "/repo/.tools/bin/promtool",
    "github.com/prometheus/prometheus/cmd/promtool",
  ]);
  assert.deepEqual(steps[2]?.args.slice(0, 4), ["build", "-trimpath", "-tags", "slicelabels"]);
  assert.deepEqual(steps[3]?.args, [
    "install",
    "-trimpath",
    "sigs.k8s.io/kustomize/kustomize/v5@v5.8.2",
  ]);
  assert.deepEqual(steps[3]?.versionArgs, ["version"]);
});

Deno.test("buildPlan() changes a step's stamp when the tools module's go.sum changes", () => {
  const a = buildPlan(versions, "/r", "/b", { "tasks/tools/gomod/prometheus": "one" })[0]?.stamp;
  const b = buildPlan(versions, "/r", "/b", { "tasks/tools/gomod/prometheus": "two" })[0]?.stamp;
  assert.notEqual(a, b);
});

Deno.test("requiredVersion() reads a require line of go.mod, single or in a block", () => {
  assert.equal(
    requiredVersion("module x\n\nrequire github.com/a/b v1.2.3\n", "github.com/a/b"),
    "v1.2.3",
  );
  assert.equal(
    requiredVersion("require (\n\tgithub.com/a/b v0.1.0 // indirect\n)\n", "github.com/a/b"),
    "v0.1.0",
  );
  assert.equal(requiredVersion("require github.com/a/bc v1.0.0\n", "github.com/a/b"), undefined);
});

Deno.test("refusedModule() names the module the proxy refused", () => {
  const stderr =
    "go: github.com/x/y@v9.9.9: reading https://proxy/x/y/@v/v9.9.9.info: 403 Forbidden\n";
  assert.equal(
    refusedModule(stderr, "github.com/x/y"),
    "the Go module proxy refused github.com/x/y: go: github.com/x/y@v9.9.9: reading https://proxy/x/y/@v/v9.9.9.info: 403 Forbidden",
  );
  assert.equal(refusedModule("compile error", "github.com/x/y"), undefined);
});
