import assert from "node:assert/strict";
import {
  buildPlan,
  coldEstimate,
  expandVersionVar,
  goArgs,
  goBinaryName,
  refusedModule,
  requiredVersion,
  versionArgs,
} from "./plan.ts";
import type { Versions } from "../model/versions.ts";

const versions: Versions = {
  deno: "2.9.6",
  images: { prometheus: { image: "quay.io/prometheus/prometheus", tag: "v3.16.0" } },
  tools: {
    prometheus: {
      module: "github.com/prometheus/prometheus",
      version: "v0.316.0",
      appVersion: "3.16.0",
      versionVars: { "github.com/prometheus/common/version.Version": "{appVersion}" },
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
      versionArgs: ["version"],
    },
  },
};

Deno.test("buildPlan() makes one step per tool: go build in a tools module, else go install", () => {
  const steps = buildPlan(versions, "/repo", { "tasks/tools/gomod/prometheus": "sum" }, "go1.26.8");
  assert.deepEqual(steps.map((s) => [s.tool, s.cwd]), [
    ["prometheus", "/repo/tasks/tools/gomod/prometheus"],
    ["thanos", "/repo/tasks/tools/gomod/thanos"],
    ["kustomize", undefined],
  ]);
  assert.deepEqual(goArgs(steps[0]!, "/out"), [
    "build",
    "-v",
    "-trimpath",
    "-ldflags",
    "-X github.com/prometheus/common/version.Version=3.16.0",
    "-o",
    "/out/",
    "github.com/prometheus/prometheus/cmd/prometheus",
    "github.com/prometheus/prometheus/cmd/promtool",
  ]);
  assert.deepEqual(goArgs(steps[1]!, "/out").slice(0, 5), [
    "build",
    "-v",
    "-trimpath",
    "-tags",
    "slicelabels",
  ]);
  assert.deepEqual(goArgs(steps[2]!, "/out"), [
    "install",
    "-v",
    "-trimpath",
    "sigs.k8s.io/kustomize/kustomize/v5@v5.8.2",
  ]);
  assert.deepEqual(versionArgs(steps[2]!, "kustomize"), ["version"]);
  assert.deepEqual(versionArgs(steps[0]!, "promtool"), ["--version"]);
  assert.match(steps[2]!.key, /^kustomize@v5\.8\.2-[0-9a-f]{12}$/);
});

Deno.test("buildPlan() changes a step's key when the go.sum or the Go version changes", () => {
  const key = (sum: string, go: string) =>
    buildPlan(versions, "/r", { "tasks/tools/gomod/prometheus": sum }, go)[0]?.key;
  assert.notEqual(key("one", "go1.26.8"), key("two", "go1.26.8"));
  assert.notEqual(key("one", "go1.26.8"), key("one", "go1.26.9"));
  assert.equal(key("one", "go1.26.8"), key("one", "go1.26.8"));
});

Deno.test("expandVersionVar() fills the version templates of an ldflags variable", () => {
  const pin = { ...versions.tools.thanos!, version: "v1.34.4", appVersion: "1.34.4" };
  assert.equal(expandVersionVar("{version}", pin), "v1.34.4");
  assert.equal(expandVersionVar("{major}.{minor}/{appVersion}", pin), "1.34/1.34.4");
});

Deno.test("goBinaryName() is the package's last element, without a major-version suffix", () => {
  assert.equal(
    goBinaryName("github.com/prometheus-operator/prometheus-operator/cmd/operator"),
    "operator",
  );
  assert.equal(goBinaryName("k8s.io/kube-state-metrics/v2"), "kube-state-metrics");
  assert.equal(goBinaryName("go.etcd.io/etcd/server/v3"), "server");
});

Deno.test("coldEstimate() sums measured minutes, or says they are unmeasured", () => {
  const steps = buildPlan(versions, "/r", {}, "go1.26.8");
  assert.equal(coldEstimate(steps), "time not yet measured");
  const measured = steps.map((s) => ({ ...s, pin: { ...s.pin, coldBuildMinutes: 2.5 } }));
  assert.equal(coldEstimate(measured), "about 8 min with an empty Go build cache on 2 cores");
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
