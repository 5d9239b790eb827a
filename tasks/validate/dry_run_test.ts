/**
 * The API server family: mistakes that kubeconform and our strict schemas accept are rejected by
 * a real kube-apiserver, each reported at the line of base/ or clusters/ that makes it.
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../model/paths.ts";
import { KubeError } from "../kube/client.ts";
import { namespacesOf, refineField, rejectionsOf } from "./dry_run.ts";
import { generate } from "../generate/main.ts";
import { validateRepo } from "./validate.ts";

Deno.test("rejectionsOf() strips the field from each cause's message", () => {
  const e = new KubeError(422, "Invalid", 'Service "grafana" is invalid: …', [
    {
      field: "spec.ports[0].port",
      message: "Invalid value: 70000: must be between 1 and 65535, inclusive",
    },
  ]);
  assert.deepEqual(rejectionsOf(e), [{
    field: "spec.ports[0].port",
    message: "Invalid value: 70000: must be between 1 and 65535, inclusive",
  }]);
  assert.deepEqual(rejectionsOf(new KubeError(400, "BadRequest", "no kind X")), [
    { field: "", message: "no kind X" },
  ]);
});

Deno.test("namespacesOf() lists every namespace an object lives in or the render defines", () => {
  const o = (kind: string, name: string, namespace?: string) => ({
    apiVersion: "v1",
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
  });
  assert.deepEqual(
    namespacesOf([
      o("Namespace", "monitoring"),
      o("Service", "a", "monitoring"),
      o("Role", "r", "kube-system"),
      o("ClusterRole", "c"),
    ]),
    ["kube-system", "monitoring"],
  );
});

Deno.test("refineField() names the key of a map whose value the server quotes as invalid", () => {
  const object = { metadata: { labels: { app: "x", team: "platform team" } } };
  assert.equal(
    refineField(object, "metadata.labels", 'Invalid value: "platform team": a valid label …'),
    "metadata.labels.team",
  );
  assert.equal(refineField(object, "metadata.labels", "Invalid value: 7: …"), "metadata.labels");
  assert.equal(refineField(object, "spec.x", 'Invalid value: "y": …'), "spec.x");
});

function lineOf(root: string, path: string, needle: string): number {
  const i = readFileSync(join(root, path), "utf8").split("\n").findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${path} has ${needle}`);
  return i + 1;
}

function edit(root: string, path: string, from: string, to: string): void {
  const text = readFileSync(join(root, path), "utf8");
  assert.ok(text.includes(from), `${path} has ${from}`);
  writeFileSync(join(root, path), text.replace(from, to));
}

Deno.test("validate: the API server rejects a port out of range, a selector not matching its template, a bad label value and a bad IngressClass name, at their lines in base/ and clusters/", async () => {
  const root = mkdtempSync(join(tmpdir(), "dry-run-"));
  try {
    for (
      const p of ["clusters", "overlays", "base", "schemas", "versions.json", "docs", "examples"]
    ) {
      cpSync(join(ROOT, p), join(root, p), { recursive: true });
    }
    edit(root, "base/grafana/service.yaml", "port: 3000", "port: 70000");
    // kustomize keeps the template's labels in step with its own label settings, so a person
    // breaks the match through the selector.
    edit(
      root,
      "base/thanos-query/deployment.yaml",
      "    matchLabels:\n      app.kubernetes.io/name: thanos-query\n",
      "    matchLabels:\n      app.kubernetes.io/name: thanos-query\n      tier: query\n",
    );
    edit(
      root,
      "base/kube-state-metrics/deployment.yaml",
      "metadata:\n  name: kube-state-metrics\n",
      "metadata:\n  name: kube-state-metrics\n  labels:\n    team: platform team\n",
    );
    // A value of the cluster's folder that only the API server refuses (an IngressClass name
    // is a DNS subdomain): reported in clusters/local/, not in the generated Ingress.
    edit(
      root,
      "clusters/local/cluster.yaml",
      "  storage:\n",
      "  ingress:\n    className: Nginx_Public\n    grafanaHost: grafana.local.example.com\n" +
        "    thanosHost: thanos.local.example.com\n    thanosAuth:\n" +
        "      basicAuthSecret: thanos-query-users\n  storage:\n",
    );
    const errors: string[] = [];
    assert.equal(
      await generate({ root, names: ["local"], out: () => {}, err: (l) => errors.push(l) }),
      0,
      errors.join("\n"),
    );
    const { findings } = await validateRepo(root, { clusters: ["local"], cacheDir: null });
    // The message up to its first colon, and the place it was rendered, when it says so.
    const api = findings.filter((f) => f.family === "api server")
      .map((f) =>
        `${f.file}:${f.line} ${f.field}: ${f.message.split(":")[0]}${
          / \(spec\.[^)]*generated into [^:]+/.exec(f.message)?.[0] ?? ""
        }`
      ).sort();
    assert.deepEqual(
      api,
      [
        `base/grafana/service.yaml:${lineOf(root, "base/grafana/service.yaml", "70000")} ` +
        "Service/monitoring/grafana spec.ports[0].port: Invalid value",
        `base/kube-state-metrics/deployment.yaml:${
          lineOf(root, "base/kube-state-metrics/deployment.yaml", "team: platform team")
        } Deployment/monitoring/kube-state-metrics metadata.labels.team: Invalid value`,
        `base/thanos-query/deployment.yaml:${
          lineOf(root, "base/thanos-query/deployment.yaml", "      labels:")
        } Deployment/monitoring/thanos-query spec.template.metadata.labels: Invalid value`,
        ...["grafana", "thanos-query"].map((name) =>
          `clusters/local/cluster.yaml:${
            lineOf(root, "clusters/local/cluster.yaml", "className: Nginx_Public")
          } spec.ingress.className: Invalid value (spec.ingress.className rendered as ` +
          `Ingress/monitoring/${name} spec.ingressClassName, generated into ` +
          `overlays/local/ingress.yaml`
        ),
      ].sort(),
    );
    for (const f of findings.filter((f) => f.family === "api server")) {
      assert.equal(f.clusters.join(), "local");
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
