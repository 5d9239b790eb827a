import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { type Cluster, REPLICA_LABEL } from "../model/cluster.ts";
import { loadClusterFromSources } from "../model/load.ts";
import { CLUSTERS_DIR } from "../model/paths.ts";
import { imageRef, loadVersions } from "../model/versions.ts";
import { generatedHeader, loadOverlayInputs, renderOverlay } from "./render.ts";

const inputs = await loadOverlayInputs();
const versions = loadVersions();

function repoFiles(name: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const f of ["cluster.yaml", "prometheus.yaml", "alertmanager.yaml", "grafana.yaml"]) {
    try {
      files[f] = readFileSync(join(CLUSTERS_DIR, name, f), "utf8");
    } catch { /* optional file */ }
  }
  return files;
}

function load(name: string, files = repoFiles(name)): Cluster {
  const r = loadClusterFromSources(name, files);
  assert.deepEqual(r.findings, []);
  return r.cluster!;
}

/** Every line that differs between two renders, as `path: -old +new`. */
function diff(a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const x = (a.get(path) ?? "").split("\n");
    const y = (b.get(path) ?? "").split("\n");
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      if (x[i] !== y[i]) out.push(`${path}: -${x[i] ?? ""} +${y[i] ?? ""}`);
    }
  }
  return out;
}

// deno-lint-ignore no-explicit-any
function alertExpr(files: Map<string, string>, alert: string, severity: string): any {
  const rule = parse(files.get("rules/node-exporter.yaml")!).spec.groups
    // deno-lint-ignore no-explicit-any
    .flatMap((g: any) => g.rules)
    // deno-lint-ignore no-explicit-any
    .find((r: any) => r.alert === alert && r.labels?.severity === severity);
  return rule?.expr;
}

Deno.test("renderOverlay() gives identical bytes on a second run", async () => {
  for (const name of ["local", "staging", "production", "edge"]) {
    const first = renderOverlay(load(name), versions, inputs);
    const second = renderOverlay(load(name), versions, await loadOverlayInputs());
    assert.deepEqual([...second], [...first], name);
  }
});

Deno.test("renderOverlay() heads every file with where it is generated from", () => {
  const files = renderOverlay(load("staging"), versions, inputs);
  const header = generatedHeader({ name: "staging" });
  assert.equal(
    header,
    "# generated from clusters/staging/cluster.yaml by deno task generate; do not edit",
  );
  for (const [path, text] of files) assert.equal(text.split("\n")[0], header, path);
});

Deno.test("renderOverlay() changes one line when staging's retention_time changes", () => {
  const files = repoFiles("staging");
  const before = renderOverlay(load("staging", files), versions, inputs);
  const edited = files["prometheus.yaml"]!.replace("retention_time: 7d", "retention_time: 14d");
  assert.notEqual(edited, files["prometheus.yaml"]);
  const after = renderOverlay(
    load("staging", { ...files, "prometheus.yaml": edited }),
    versions,
    inputs,
  );
  assert.deepEqual(diff(before, after), [
    "patches/prometheus-k8s.yaml: -  retention: 7d +  retention: 14d",
  ]);
  // The other clusters are rendered from their own files only.
  const production = renderOverlay(load("production"), versions, inputs);
  assert.match(production.get("patches/prometheus-k8s.yaml")!, /^ {2}retention: 30d$/m);
});

Deno.test("renderOverlay() puts a changed threshold into that alert's expression", () => {
  const files = repoFiles("staging");
  const before = renderOverlay(load("staging", files), versions, inputs);
  const prometheus = files["prometheus.yaml"] + `  rules:
    node_exporter:
      node_filesystem_space_filling_up:
        warning:
          threshold: 35
`;
  const after = renderOverlay(
    load("staging", { ...files, "prometheus.yaml": prometheus }),
    versions,
    inputs,
  );
  const changed = diff(before, after);
  assert.equal(changed.length, 1);
  assert.match(changed[0]!, /^rules\/node-exporter\.yaml: .*< 40 \+.*< 35$/);
  assert.match(alertExpr(before, "NodeFilesystemSpaceFillingUp", "warning"), /\* 100\s+< 40\s/);
  assert.match(alertExpr(after, "NodeFilesystemSpaceFillingUp", "warning"), /\* 100\s+< 35\s/);
  assert.equal(
    alertExpr(after, "NodeFilesystemSpaceFillingUp", "critical"),
    alertExpr(before, "NodeFilesystemSpaceFillingUp", "critical"),
  );
});

Deno.test("renderOverlay() sets the replica label of Prometheus and Thanos Query from one constant", () => {
  const files = renderOverlay(load("staging"), versions, inputs);
  const prometheus = parse(files.get("patches/prometheus-k8s.yaml")!);
  assert.equal(prometheus.spec.replicaExternalLabelName, REPLICA_LABEL);
  assert.deepEqual(prometheus.spec.externalLabels, {
    cluster: "staging",
    environment: "staging",
    region: "eu-west-1",
  });
  const thanos = parse(files.get("patches/thanos-query.yaml")!);
  assert.deepEqual(thanos[1], {
    op: "replace",
    path: "/spec/template/spec/containers/0/args/3",
    value: `--query.replica-label=${REPLICA_LABEL}`,
  });
});

Deno.test("renderOverlay() takes every image from versions.json", () => {
  const files = renderOverlay(load("production"), versions, inputs);
  const prometheus = parse(files.get("patches/prometheus-k8s.yaml")!).spec;
  assert.equal(prometheus.image, imageRef(versions, "prometheus"));
  assert.equal(prometheus.thanos.image, imageRef(versions, "thanos"));
  const am = parse(files.get("patches/alertmanager-main.yaml")!).spec;
  assert.equal(am.image, imageRef(versions, "alertmanager"));
  const operator = parse(files.get("patches/prometheus-operator.yaml")!);
  assert.equal(
    operator[1].value,
    `--prometheus-config-reloader=${imageRef(versions, "prometheus-config-reloader")}`,
  );
  const kustomization = parse(files.get("kustomization.yaml")!);
  const pinned = (key: string) => ({
    name: versions.images[key]!.image,
    newTag: versions.images[key]!.tag,
  });
  assert.deepEqual(
    kustomization.images,
    ["grafana", "prometheus-operator", "node-exporter", "thanos", "kube-state-metrics"].map(pinned),
  );
});

Deno.test("renderOverlay() deletes the Ingress of a cluster without one", () => {
  const files = renderOverlay(load("local"), versions, inputs);
  assert.deepEqual(parse(files.get("patches/ingress.yaml")!), {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: { name: "monitoring" },
    $patch: "delete",
  });
  const patches = parse(files.get("kustomization.yaml")!).patches;
  assert.deepEqual(patches.at(-1), { path: "patches/ingress.yaml" });
});

Deno.test("renderOverlay() sets the hosts, class and TLS of a cluster's Ingress", () => {
  const ops = parse(
    renderOverlay(load("production"), versions, inputs).get("patches/ingress.yaml")!,
  );
  // deno-lint-ignore no-explicit-any
  assert.deepEqual(ops.filter((o: any) => o.op !== "test"), [
    { op: "add", path: "/spec/ingressClassName", value: "nginx" },
    { op: "replace", path: "/spec/rules/0/host", value: "grafana.example.com" },
    { op: "replace", path: "/spec/rules/1/host", value: "thanos.example.com" },
    {
      op: "add",
      path: "/spec/tls",
      value: [{
        hosts: ["grafana.example.com", "thanos.example.com"],
        secretName: "monitoring-tls",
      }],
    },
  ]);
});

Deno.test("renderOverlay() writes the merged Alertmanager and Grafana configurations", () => {
  const files = renderOverlay(load("production"), versions, inputs);
  const am = parse(files.get("config/alertmanager.yaml")!);
  // deno-lint-ignore no-explicit-any
  assert.deepEqual(am.receivers.map((r: any) => r.name), ["null", "watchdog", "chat", "pager"]);
  // deno-lint-ignore no-explicit-any
  assert.deepEqual(am.route.routes.map((r: any) => r.receiver), ["watchdog", "null", "pager"]);
  assert.equal(am.route.receiver, "chat");
  const ini = files.get("config/grafana.ini")!;
  assert.match(ini, /^\[server\]\ndomain = grafana\.example\.com\nhttp_port = 3000\n/m);
  assert.match(ini, /^root_url = https:\/\/grafana\.example\.com\/$/m);
  assert.match(ini, /^default_theme = light$/m);
});

Deno.test("renderOverlay() adds rules/extra.yaml only for a cluster with extra rules", () => {
  const production = renderOverlay(load("production"), versions, inputs);
  const extra = parse(production.get("rules/extra.yaml")!);
  assert.equal(extra.metadata.name, "extra-rules");
  assert.deepEqual(extra.metadata.labels, { "monitoring.dev/stack": "platform" });
  assert.equal(extra.spec.groups[0].rules[0].alert, "PaymentsPodRestarting");
  assert.ok(parse(production.get("kustomization.yaml")!).resources.includes("rules/extra.yaml"));
  assert.equal(renderOverlay(load("staging"), versions, inputs).get("rules/extra.yaml"), undefined);
});

/** Every alerting rule of an overlay's PrometheusRules. */
// deno-lint-ignore no-explicit-any
function overlayAlerts(files: Map<string, string>): any[] {
  return [...files].filter(([p]) => p.startsWith("rules/")).flatMap(([, text]) =>
    // deno-lint-ignore no-explicit-any
    parse(text).spec.groups.flatMap((g: any) => g.rules).filter((r: any) => r.alert)
  );
}

Deno.test("renderOverlay() sets every alert's runbook_url from the cluster's runbookBaseUrl", () => {
  const base = "https://git.example.org/ops/monitoring/-/blob/main/docs/alerts.md";
  const cluster = load("staging");
  const files = renderOverlay(
    { ...cluster, spec: { ...cluster.spec, runbookBaseUrl: base } },
    versions,
    inputs,
  );
  const alerts = overlayAlerts(files);
  assert.ok(alerts.length > 100, `${alerts.length} alerts`);
  for (const a of alerts) {
    assert.equal(a.annotations.runbook_url, `${base}#${a.alert.toLowerCase()}`, a.alert);
  }
  // Unset, it is the absolute placeholder the docs tell a fork to replace, never a bare path.
  for (const a of overlayAlerts(renderOverlay(cluster, versions, inputs))) {
    assert.match(a.annotations.runbook_url, /^https:\/\/git\.example\.com\/.*#[a-z0-9]+$/, a.alert);
  }
});

Deno.test("renderOverlay() scrapes every component of a self-managed cluster", () => {
  const files = renderOverlay(load("staging"), versions, inputs);
  const resources: string[] = parse(files.get("kustomization.yaml")!).resources;
  for (
    const dir of [
      "kube-apiserver",
      "kubelet",
      "kube-controller-manager",
      "kube-scheduler",
      "etcd",
      "coredns",
      "kube-proxy",
    ]
  ) {
    assert.ok(resources.includes(`../../base/kubernetes/${dir}`), dir);
  }
  for (const r of ["etcd", "kube-scheduler", "kube-apiserver", "kubelet"]) {
    assert.ok(files.has(`rules/${r}.yaml`), r);
  }
});

Deno.test("renderOverlay() leaves out the monitors and alerts of what a managed control plane hides", () => {
  const cluster = load("staging");
  const eks = {
    ...cluster,
    spec: { ...cluster.spec, components: { preset: "eks" as const, kubeProxy: true } },
  };
  const files = renderOverlay(eks, versions, inputs);
  const resources: string[] = parse(files.get("kustomization.yaml")!).resources;
  assert.deepEqual(
    resources.filter((r) => r.startsWith("../../base/kubernetes/")),
    [
      "../../base/kubernetes/kube-apiserver",
      "../../base/kubernetes/kubelet",
      "../../base/kubernetes/coredns",
      "../../base/kubernetes/kube-proxy",
    ],
  );
  for (const hidden of ["etcd", "kube-scheduler", "kube-controller-manager"]) {
    assert.equal(files.get(`rules/${hidden}.yaml`), undefined, hidden);
    assert.ok(!resources.includes(`rules/${hidden}.yaml`), hidden);
  }
  const names = new Set(overlayAlerts(files).map((a) => a.alert));
  for (const gone of ["etcdMembersDown", "KubeSchedulerDown", "KubeControllerManagerDown"]) {
    assert.ok(!names.has(gone), gone);
  }
  for (const kept of ["KubeAPIDown", "KubeletDown", "CoreDNSDown", "KubeProxyDown", "NodeDown"]) {
    assert.ok(names.has(kept), kept);
  }
});
