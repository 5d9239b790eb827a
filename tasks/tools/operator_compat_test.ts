import assert from "node:assert/strict";
import {
  compareVersions,
  compatibilityProblems,
  parseOperatorDefaults,
} from "./operator_compat.ts";

const DEFAULTS = `
const (
	DefaultAlertmanagerVersion = "v0.33.1"
	DefaultThanosVersion = "v0.42.2"
)
var (
	PrometheusCompatibilityMatrix = []string{
		"v2.45.0",
		// The v2.52.1 image tag is missing.
		"v3.13.0",
		"v3.13.1",
	}
)`;

Deno.test("parseOperatorDefaults() reads the matrix and the default Thanos and Alertmanager", () => {
  assert.deepEqual(parseOperatorDefaults(DEFAULTS), {
    prometheus: ["v2.45.0", "v3.13.0", "v3.13.1"],
    thanos: "v0.42.2",
    alertmanager: "v0.33.1",
  });
});

Deno.test("parseOperatorDefaults() throws when the layout changed", () => {
  assert.throws(() => parseOperatorDefaults("package operator"), /PrometheusCompatibilityMatrix/);
});

Deno.test("compareVersions() compares release numbers, not strings", () => {
  assert.equal(compareVersions("v0.42.10", "v0.42.9"), 1);
  assert.equal(compareVersions("0.42.2", "v0.42.2"), 0);
  assert.equal(compareVersions("v3.9.1", "v3.13.0"), -1);
});

Deno.test("compatibilityProblems() names a Prometheus outside the matrix and newer Thanos", () => {
  const compat = parseOperatorDefaults(DEFAULTS);
  assert.deepEqual(
    compatibilityProblems(compat, {
      prometheus: "v3.13.1",
      thanos: "v0.42.2",
      alertmanager: "v0.31.1",
    }),
    [],
  );
  assert.deepEqual(
    compatibilityProblems(compat, {
      prometheus: "v3.16.0",
      thanos: "v0.42.4",
      alertmanager: "v0.34.0",
    }),
    [
      "Prometheus v3.16.0 is not in the operator's compatibility matrix (v2.45.0 … v3.13.1)",
      "Thanos v0.42.4 is newer than the operator's v0.42.2",
      "Alertmanager v0.34.0 is newer than the operator's v0.33.1",
    ],
  );
});
