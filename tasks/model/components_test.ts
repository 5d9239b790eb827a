import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import {
  COMPONENT_IDS,
  componentResources,
  COMPONENTS,
  Components,
  exposedComponents,
  PRESETS,
  ruleSetsFor,
} from "./components.ts";
import { BASE_DIR } from "./paths.ts";

Deno.test("exposedComponents() exposes everything on a self-managed cluster by default", () => {
  assert.deepEqual(exposedComponents(Components.parse({})), [...COMPONENT_IDS]);
});

Deno.test("exposedComponents() follows the preset, and an explicit field overrides it", () => {
  assert.deepEqual(exposedComponents(Components.parse({ preset: "gke" })), [
    "kubeApiServer",
    "kubelet",
  ]);
  assert.deepEqual(
    exposedComponents(Components.parse({ preset: "eks", coreDns: false, kubeProxy: true })),
    ["kubeApiServer", "kubelet", "kubeProxy"],
  );
  assert.deepEqual(
    exposedComponents(Components.parse({ etcd: false })),
    COMPONENT_IDS.filter((id) => id !== "etcd"),
  );
});

Deno.test("Components refuses an unknown preset or component, naming the field", () => {
  const r = Components.safeParse({ preset: "openshift", kubeDns: true });
  assert.equal(r.success, false);
  assert.deepEqual(r.error?.issues.map((i) => i.path.join(".")).sort(), ["", "preset"]);
  assert.match(r.error?.issues.find((i) => i.path.length === 0)?.message ?? "", /kubeDns/);
});

Deno.test("every preset decides every component", () => {
  for (const [name, preset] of Object.entries(PRESETS)) {
    assert.deepEqual(Object.keys(preset).sort(), [...COMPONENT_IDS].sort(), name);
  }
});

Deno.test("ruleSetsFor() drops only the templates of hidden components", () => {
  const templates = ["general", "etcd", "kubelet", "kube-apiserver", "kubernetes-apps"].map((
    name,
  ) => ({ name }));
  assert.deepEqual(
    ruleSetsFor(templates, Components.parse({ preset: "gke" })).map((t) => t.name),
    ["general", "kubelet", "kube-apiserver", "kubernetes-apps"],
  );
  assert.deepEqual(
    ruleSetsFor(templates, Components.parse({ preset: "gke", kubelet: false })).map((t) => t.name),
    ["general", "kube-apiserver", "kubernetes-apps"],
  );
});

Deno.test("componentResources() lists the base folder of each exposed component", () => {
  assert.deepEqual(componentResources(Components.parse({ preset: "aks" })), [
    "../../base/kubernetes/kube-apiserver",
    "../../base/kubernetes/kubelet",
    "../../base/kubernetes/coredns",
  ]);
});

// deno-lint-ignore no-explicit-any
type Monitor = any;

function monitorsOf(dir: string): Monitor[] {
  const kustomization = parseAllDocuments(readFileSync(join(dir, "kustomization.yaml"), "utf8"))[0]
    ?.toJS();
  return (kustomization.resources as string[]).flatMap((r) =>
    parseAllDocuments(readFileSync(join(dir, r), "utf8")).map((d) => d.toJS())
  );
}

/**
 * The `job` a monitor gives its targets: a relabeling that sets it, else the value of the label
 * `jobLabel` names, which the selected pods or Service carry as the selector says.
 */
function jobOf(m: Monitor): string | undefined {
  const endpoints = m.spec.endpoints ?? m.spec.podMetricsEndpoints ?? [];
  const set = endpoints.flatMap((e: Monitor) => e.relabelings ?? []).find((r: Monitor) =>
    r.targetLabel === "job"
  );
  return set?.replacement ?? m.spec.selector.matchLabels[m.spec.jobLabel];
}

Deno.test("every component has a base folder of monitors selected by the stack, with its job", () => {
  for (const id of COMPONENT_IDS) {
    const info = COMPONENTS[id];
    const dir = join(BASE_DIR, "kubernetes", info.dir);
    assert.ok(existsSync(join(dir, "kustomization.yaml")), `${dir}/kustomization.yaml`);
    const monitors = monitorsOf(dir);
    assert.ok(monitors.length > 0, id);
    for (const m of monitors) {
      assert.ok(["ServiceMonitor", "PodMonitor"].includes(m.kind), `${id}: ${m.kind}`);
      assert.equal(m.metadata.labels?.["monitoring.dev/stack"], "platform", id);
      assert.equal(jobOf(m), info.job, id);
    }
  }
});

Deno.test("every component's rule templates exist and select its job", () => {
  const templates = new Set(readdirSync(join(BASE_DIR, "rules")));
  for (const id of COMPONENT_IDS) {
    for (const name of COMPONENTS[id].ruleSets) {
      assert.ok(templates.has(`${name}.rules.yaml`), name);
      const text = readFileSync(join(BASE_DIR, "rules", `${name}.rules.yaml`), "utf8");
      assert.ok(text.includes(`job="${COMPONENTS[id].job}"`), `${name} selects job ${id}`);
    }
  }
});

Deno.test("Prometheus's ClusterRole lets its token read the metrics of the API server, kubelets and control plane", () => {
  // deno-lint-ignore no-explicit-any
  const role: any = parseAllDocuments(
    readFileSync(join(BASE_DIR, "prometheus", "clusterrole.yaml"), "utf8"),
  )[0]?.toJS();
  // deno-lint-ignore no-explicit-any
  const grants = (check: (r: any) => boolean) => role.rules.some(check);
  // The kubelet authorizes /metrics, /metrics/cadvisor and /metrics/probes as nodes/metrics.
  assert.ok(grants((r) => r.resources?.includes("nodes/metrics") && r.verbs.includes("get")));
  // The API server, controller manager and scheduler authorize /metrics as a non-resource URL.
  assert.ok(grants((r) => r.nonResourceURLs?.includes("/metrics") && r.verbs.includes("get")));
  // PodMonitors discover the control plane's pods in kube-system.
  assert.ok(grants((r) => r.resources?.includes("pods") && r.verbs.includes("list")));
});
