import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseManifests } from "../render/kustomize.ts";
import { isKind, type Namespace } from "../render/objects.ts";
import { namespaceSelected, stackFacts, StackFactsError } from "./stack_facts.ts";

const objects = parseManifests(
  readFileSync(new URL("./testdata/render.yaml", import.meta.url), "utf8"),
);

Deno.test("stackFacts() takes replicas, labels and intervals from the Prometheus CR", () => {
  const facts = stackFacts(objects);
  assert.deepEqual(facts.prometheus, {
    name: "k8s",
    replicas: 2,
    externalLabels: { cluster: "test" },
    replicaLabel: "prometheus_replica",
    replicaNames: ["prometheus-k8s-0", "prometheus-k8s-1"],
    scrapeInterval: "2s",
    evaluationInterval: "2s",
    enableAdminAPI: false,
  });
  assert.equal(facts.namespace, "monitoring");
  assert.equal(facts.alertmanager.replicas, 3);
  assert.equal(facts.alertmanager.config.route?.receiver, "default");
});

Deno.test("stackFacts() keeps only the PrometheusRules the CR's ruleSelector picks", () => {
  assert.deepEqual(stackFacts(objects).ruleFiles.map((f) => f.name), ["monitoring-general.yaml"]);
  // Without a ruleSelector the operator loads no rule at all.
  const noSelector = objects.map((o) => {
    if (!isKind(o, "Prometheus")) return o;
    const { ruleSelector: _, ...spec } = o.spec;
    return { ...o, spec };
  });
  assert.deepEqual(stackFacts(noSelector).ruleFiles, []);
});

Deno.test("stackFacts() says what is missing from a render", () => {
  assert.throws(
    () => stackFacts(objects.filter((o) => o.kind !== "Secret")),
    new StackFactsError("the render has no Alertmanager configuration Secret"),
  );
  assert.throws(
    () => stackFacts(objects.filter((o) => o.kind !== "Prometheus")),
    new StackFactsError("the render has 0 Prometheus objects; the stack has exactly one"),
  );
});

Deno.test("namespaceSelected() reads a missing selector as the CR's own namespace, {} as all", () => {
  const shop: Namespace = {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name: "shop", labels: { team: "web" } },
  };
  assert.equal(namespaceSelected(undefined, "monitoring", "monitoring", []), true);
  assert.equal(namespaceSelected(undefined, "shop", "monitoring", [shop]), false);
  assert.equal(namespaceSelected({}, "shop", "monitoring", []), true);
  assert.equal(
    namespaceSelected({ matchLabels: { team: "web" } }, "shop", "monitoring", [shop]),
    true,
  );
  assert.equal(
    namespaceSelected({ matchLabels: { team: "web" } }, "shop", "monitoring", []),
    false,
  );
  assert.equal(
    namespaceSelected(
      { matchLabels: { "kubernetes.io/metadata.name": "shop" } },
      "shop",
      "monitoring",
      [],
    ),
    true,
  );
});
