import assert from "node:assert/strict";
import type { ConfigMap, Secret } from "../render/objects.ts";
import { manifestDiff, shown } from "./manifest_diff.ts";

const SECRET = "S3cretToken0123456789abcdefXYZ";

function b64(s: string): string {
  return btoa(String.fromCharCode(...new TextEncoder().encode(s)));
}

function amSecret(config: string): Secret {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "alertmanager-main-config", namespace: "monitoring" },
    data: { "alertmanager.yaml": b64(config) },
  };
}

function cm(name: string, value: string): ConfigMap {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "monitoring" },
    data: { key: value },
  };
}

Deno.test("manifestDiff() lists objects added, removed and changed, with unified hunks", () => {
  const before = [cm("kept", "1"), cm("gone", "x"), cm("grafana-config-aaaaaaaaaa", "a")];
  const after = [cm("kept", "2"), cm("grafana-config-bbbbbbbbbb", "b"), cm("new", "y")];
  const d = manifestDiff(before, after);
  assert.deepEqual(d.objects, [
    { op: "-", id: "ConfigMap monitoring/gone", added: 0, removed: 7 },
    { op: "~", id: "ConfigMap monitoring/grafana-config-bbbbbbbbbb", added: 2, removed: 2 },
    { op: "~", id: "ConfigMap monitoring/kept", added: 1, removed: 1 },
    { op: "+", id: "ConfigMap monitoring/new", added: 7, removed: 0 },
  ]);
  const kept = d.lines.indexOf("--- before/ConfigMap/monitoring/kept");
  assert.deepEqual(d.lines.slice(kept, kept + 9), [
    "--- before/ConfigMap/monitoring/kept",
    "+++ after/ConfigMap/monitoring/kept",
    "@@ -4,4 +4,4 @@",
    "   name: kept",
    "   namespace: monitoring",
    " data:",
    '-  key: "1"',
    '+  key: "2"',
    "--- /dev/null",
  ]);
  assert.deepEqual(manifestDiff(before, structuredClone(before)), { objects: [], lines: [] });
});

Deno.test("manifestDiff() shows the Alertmanager configuration decoded, never a credential", () => {
  const config = (channel: string) =>
    `receivers:\n  - name: chat\n    slack_configs:\n      - channel: "${channel}"\n` +
    `        api_url: https://hooks.slack.com/services/${SECRET}\n`;
  const d = manifestDiff([amSecret(config("#a"))], [amSecret(config("#b"))]);
  const text = d.lines.join("\n");
  assert.ok(!text.includes(SECRET), text);
  assert.match(text, /^-\s+- channel: "#a"$/m);
  assert.match(text, /^\+\s+- channel: "#b"$/m);
  assert.match(text, /api_url: \(redacted\)/);
});

Deno.test("shown() hides the data of other Secrets, and manifestDiff() says when it changed", () => {
  const other = (v: string): Secret => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "grafana-admin" },
    data: { password: b64(v) },
  });
  assert.deepEqual(shown(other("hunter2"))["data (decoded)"], { password: "(redacted) (7 bytes)" });
  const d = manifestDiff([other("hunter2")], [other("hunter3")]);
  assert.deepEqual(d.objects, [{ op: "~", id: "Secret grafana-admin", added: 0, removed: 0 }]);
  assert.equal(d.lines.at(-1), "@@ secret data changed; values not shown @@");
  assert.ok(!d.lines.join("\n").includes("hunter"));
});
