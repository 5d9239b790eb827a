import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, toolPath } from "../model/paths.ts";
import { loadVersions, versionArgsOf } from "../model/versions.ts";
import { run } from "../proc/run.ts";
import { compatibilityProblems, loadOperatorCompatibility } from "./operator_compat.ts";
import { requiredVersion } from "./plan.ts";

const versions = loadVersions();

/** Prometheus 3.x is published as Go module v0.3XY.Z for release 3.XY.Z. */
function appVersionOfModule(module: string, version: string): string {
  const m = module === "github.com/prometheus/prometheus"
    ? version.match(/^v0\.3(\d\d)\.(\d+)$/)
    : null;
  return m ? `3.${Number(m[1])}.${m[2]}` : version.replace(/^v/, "");
}

Deno.test("versions.json: a tool that also runs in the cluster is at its image's version", () => {
  const linked = Object.entries(versions.tools).filter(([, pin]) => pin.image !== undefined);
  assert.ok(
    linked.length >= 6,
    "prometheus, thanos, alertmanager, node_exporter, the operator and kube-state-metrics are " +
      "linked to images",
  );
  for (const [tool, pin] of linked) {
    const image = versions.images[pin.image!];
    assert.ok(image, `${tool}: versions.json has no image "${pin.image}"`);
    assert.equal(
      image.tag.replace(/^v/, ""),
      pin.appVersion,
      `${tool}: image tag ${image.tag} vs tool ${pin.appVersion}`,
    );
  }
});

Deno.test("versions.json: every tool's module version is the release it claims", () => {
  for (const [tool, pin] of Object.entries(versions.tools)) {
    assert.equal(appVersionOfModule(pin.module, pin.version), pin.appVersion, tool);
  }
});

Deno.test("versions.json: the config reloader and the operator share one version", () => {
  assert.equal(
    versions.images["prometheus-config-reloader"]?.tag,
    versions.images["prometheus-operator"]?.tag,
  );
});

Deno.test("tools modules require exactly the pinned module versions", () => {
  for (const [tool, pin] of Object.entries(versions.tools)) {
    if (!pin.gomod) continue;
    const goMod = readFileSync(join(ROOT, pin.gomod, "go.mod"), "utf8");
    assert.equal(requiredVersion(goMod, pin.module), pin.version, `${tool}: ${pin.gomod}/go.mod`);
  }
});

Deno.test("installed tools report their pinned versions", async () => {
  for (const [tool, pin] of Object.entries(versions.tools)) {
    for (const binary of Object.keys(pin.binaries)) {
      const r = await run(toolPath(binary), versionArgsOf(pin, binary));
      assert.match(
        `${r.stdout}${r.stderr}`,
        new RegExp(pin.appVersion.replaceAll(".", "\\.")),
        `${tool}/${binary}`,
      );
    }
  }
});

Deno.test("versions.json: the operator supports the Prometheus, Thanos and Alertmanager deployed", async () => {
  const operator = Object.values(versions.tools).find((p) => p.image === "prometheus-operator");
  assert.ok(operator, "versions.json builds the operator");
  const compat = await loadOperatorCompatibility(operator.module, operator.version);
  const tag = (key: string) => versions.images[key]?.tag ?? `(no image ${key})`;
  assert.deepEqual(
    compatibilityProblems(compat, {
      prometheus: tag("prometheus"),
      thanos: tag("thanos"),
      alertmanager: tag("alertmanager"),
    }),
    [],
  );
});
