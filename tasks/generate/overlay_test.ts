import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { REPLICA_LABEL } from "../model/cluster.ts";
import type { Cluster } from "../model/merged_cluster.ts";
import { loadClusterFromSources } from "../model/load.ts";
import { BASE_DIR, CLUSTERS_DIR, ROOT } from "../model/paths.ts";
import { imageRef, loadVersions } from "../model/versions.ts";
import { readRepoFiles, under } from "../validate/repo.ts";
import {
  generatedHeader,
  loadOverlayInputs,
  overlayInputsFromFiles,
  renderOverlay,
  thanosAuthAnnotations,
  WORKLOAD_IMAGES,
} from "./overlay.ts";

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

/** The one container a Deployment patch of `files` sets. */
// deno-lint-ignore no-explicit-any
function container(files: Map<string, string>, path: string): any {
  const containers = parse(files.get(path)!).spec.template.spec.containers;
  assert.equal(containers.length, 1, path);
  return containers[0];
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

Deno.test("renderOverlay() sets the replica label Thanos Query's base deduplicates by", () => {
  const files = renderOverlay(load("staging"), versions, inputs);
  const prometheus = parse(files.get("patches/prometheus-k8s.yaml")!);
  assert.equal(prometheus.spec.replicaExternalLabelName, REPLICA_LABEL);
  assert.deepEqual(prometheus.spec.externalLabels, {
    cluster: "staging",
    environment: "staging",
    region: "eu-west-1",
  });
  const query = readFileSync(join(BASE_DIR, "thanos-query", "deployment.yaml"), "utf8");
  assert.match(query, new RegExp(`^ +- --query\\.replica-label=${REPLICA_LABEL}$`, "m"));
});

Deno.test("renderOverlay() takes every image from versions.json", () => {
  const files = renderOverlay(load("production"), versions, inputs);
  const prometheus = parse(files.get("patches/prometheus-k8s.yaml")!).spec;
  assert.equal(prometheus.image, imageRef(versions, "prometheus"));
  assert.equal(prometheus.thanos.image, imageRef(versions, "thanos"));
  const am = parse(files.get("patches/alertmanager-main.yaml")!).spec;
  assert.equal(am.image, imageRef(versions, "alertmanager"));
  assert.deepEqual(container(files, "patches/prometheus-operator.yaml").env, [
    { name: "CONFIG_RELOADER_IMAGE", value: imageRef(versions, "prometheus-config-reloader") },
  ]);
  const kustomization = parse(files.get("kustomization.yaml")!);
  assert.deepEqual(
    kustomization.images,
    WORKLOAD_IMAGES.map((k) => ({
      name: versions.images[k]?.image,
      newTag: versions.images[k]?.tag,
    }))
      .sort((a, b) => (a.name! < b.name! ? -1 : 1)),
  );
});

Deno.test("renderOverlay() patches by name, never a list item by its position", () => {
  for (const name of ["local", "staging", "production", "edge"]) {
    const files = renderOverlay(load(name), versions, inputs);
    const patches: { path: string; target?: unknown }[] = parse(files.get("kustomization.yaml")!)
      .patches;
    assert.ok(patches.length >= 5);
    for (const { path, target } of patches) {
      const patch = parse(files.get(path)!);
      // A strategic-merge patch names its object; a JSON 6902 patch (a list) would say where by
      // index (`/spec/template/spec/containers/0/args/3`).
      assert.ok(!Array.isArray(patch), `${name}/${path} is a JSON 6902 patch`);
      assert.equal(target, undefined, `${name}/${path}`);
      assert.ok(patch.kind && patch.metadata?.name, `${name}/${path} names no object`);
      for (const c of patch.spec?.template?.spec?.containers ?? []) {
        assert.ok(c.name, `${name}/${path}: a container without a name merges by position`);
      }
    }
  }
});

Deno.test("renderOverlay() sets the cluster DNS domain of Thanos Query's endpoint by name", () => {
  const staging = renderOverlay(load("staging"), versions, inputs);
  assert.deepEqual(container(staging, "patches/thanos-query.yaml").env, [
    { name: "CLUSTER_DOMAIN", value: "cluster.local" },
  ]);
  const files = repoFiles("staging");
  const other = renderOverlay(
    load("staging", {
      ...files,
      "cluster.yaml": files["cluster.yaml"] + "  clusterDomain: k8s.example.internal\n",
    }),
    versions,
    inputs,
  );
  assert.deepEqual(diff(staging, other), [
    "patches/thanos-query.yaml: -              value: cluster.local +              value: k8s.example.internal",
  ]);
});

Deno.test("renderOverlay() gives Grafana's datasource the cluster's scrape interval", () => {
  for (const [name, interval] of [["edge", "60s"], ["staging", "30s"], ["local", "2s"]]) {
    const env = container(renderOverlay(load(name!), versions, inputs), "patches/grafana.yaml").env;
    assert.deepEqual(env, [{ name: "PROMETHEUS_SCRAPE_INTERVAL", value: interval }], name);
  }
  // The datasource reads it from there.
  const ds = parse(readFileSync(join(BASE_DIR, "grafana", "datasources.yaml"), "utf8"));
  for (const d of ds.datasources) {
    assert.equal(d.jsonData.timeInterval, "$PROMETHEUS_SCRAPE_INTERVAL", d.uid);
  }
});

Deno.test("renderOverlay() points several Grafana replicas at the shared database", () => {
  const files = repoFiles("production");
  const grafana = `apiVersion: addons.metalk8s.scality.com/v1alpha1
kind: GrafanaConfig
spec:
  deployment:
    replicas: 2
  database:
    type: postgres
    host: grafana-db.databases.svc:5432
    user: grafana
    passwordSecret:
      name: grafana-database
`;
  const out = renderOverlay(
    load("production", { ...files, "grafana.yaml": grafana }),
    versions,
    inputs,
  );
  assert.deepEqual(container(out, "patches/grafana.yaml").env[1], {
    name: "GF_DATABASE_PASSWORD",
    valueFrom: { secretKeyRef: { name: "grafana-database", key: "password" } },
  });
  const ini = out.get("config/grafana.ini")!;
  assert.match(
    ini,
    /^\[database\]\nhost = grafana-db\.databases\.svc:5432\nname = grafana\ntype = postgres\nuser = grafana\n/m,
  );
  assert.doesNotMatch(ini, /password/);
  assert.equal(
    parse(out.get("kustomization.yaml")!).replicas.find((r: { name: string }) =>
      r.name === "grafana"
    )
      .count,
    2,
  );
});

Deno.test("renderOverlay() keeps the HA replicas apart on the cluster's topology key", () => {
  const affinity = (files: Map<string, string>) => [
    parse(files.get("patches/prometheus-k8s.yaml")!).spec.affinity,
    parse(files.get("patches/alertmanager-main.yaml")!).spec.affinity,
    parse(files.get("patches/thanos-query.yaml")!).spec.template.spec.affinity,
  ];
  const [prometheus, alertmanager, query] = affinity(
    renderOverlay(load("staging"), versions, inputs),
  );
  assert.deepEqual(prometheus, {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{
        topologyKey: "kubernetes.io/hostname",
        labelSelector: {
          matchLabels: {
            "app.kubernetes.io/name": "prometheus",
            "operator.prometheus.io/name": "k8s",
          },
        },
      }],
    },
  });
  assert.deepEqual(
    alertmanager.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector,
    { matchLabels: { "app.kubernetes.io/name": "alertmanager", alertmanager: "main" } },
  );
  assert.deepEqual(
    query.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector,
    { matchLabels: { "app.kubernetes.io/name": "thanos-query" } },
  );
  // The local cluster runs on one machine: the scheduler may put the replicas together.
  for (const a of affinity(renderOverlay(load("local"), versions, inputs))) {
    assert.deepEqual(Object.keys(a.podAntiAffinity), [
      "preferredDuringSchedulingIgnoredDuringExecution",
    ]);
    assert.equal(
      a.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm
        .topologyKey,
      "kubernetes.io/hostname",
    );
  }
  const files = repoFiles("staging");
  const zones = renderOverlay(
    load("staging", {
      ...files,
      "cluster.yaml": files["cluster.yaml"] +
        "  spread:\n    topologyKey: topology.kubernetes.io/zone\n",
    }),
    versions,
    inputs,
  );
  for (const a of affinity(zones)) {
    assert.equal(
      a.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey,
      "topology.kubernetes.io/zone",
    );
  }
});

Deno.test("renderOverlay() writes no Ingress for a cluster without one", () => {
  const files = renderOverlay(load("edge"), versions, inputs);
  assert.equal(files.get("ingress.yaml"), undefined);
  assert.ok(!parse(files.get("kustomization.yaml")!).resources.includes("ingress.yaml"));
});

Deno.test("renderOverlay() writes the Ingresses of Grafana and of Thanos Query whole, with its authentication", () => {
  const files = renderOverlay(load("production"), versions, inputs);
  assert.ok(parse(files.get("kustomization.yaml")!).resources.includes("ingress.yaml"));
  const objects = parseAllDocuments(files.get("ingress.yaml")!).map((d) => d.toJS());
  assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), [
    "Ingress/grafana",
    "Ingress/thanos-query",
    "NetworkPolicy/grafana-from-ingress-controller",
    "NetworkPolicy/thanos-query-from-ingress-controller",
  ]);
  const [grafana, thanos, grafanaPolicy, thanosPolicy] = objects;
  assert.deepEqual(thanos.spec, {
    ingressClassName: "nginx",
    tls: [{ hosts: ["thanos.example.com"], secretName: "monitoring-tls" }],
    // The whole UI and API: Thanos Query has no write or admin HTTP API.
    rules: [{
      host: "thanos.example.com",
      http: {
        paths: [{
          path: "/",
          pathType: "Prefix",
          backend: { service: { name: "thanos-query", port: { name: "http" } } },
        }],
      },
    }],
  });
  assert.deepEqual(thanos.metadata.annotations, {
    "argocd.argoproj.io/sync-wave": "2",
    "nginx.ingress.kubernetes.io/auth-signin":
      "https://auth.example.com/oauth2/start?rd=$scheme://$host$escaped_request_uri",
    "nginx.ingress.kubernetes.io/auth-url": "https://auth.example.com/oauth2/auth",
  });
  assert.equal(grafana.spec.rules[0].host, "grafana.example.com");
  assert.deepEqual(grafana.metadata.annotations, { "argocd.argoproj.io/sync-wave": "2" });
  for (const policy of [grafanaPolicy, thanosPolicy]) {
    assert.deepEqual(policy.spec.ingress, [{
      from: [{
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
      }],
      // The pods' port named http: its number is base/'s.
      ports: [{ port: "http", protocol: "TCP" }],
    }]);
  }
});

Deno.test("thanosAuthAnnotations() asks ingress-nginx for a password, a login or nothing, as set", () => {
  assert.deepEqual(thanosAuthAnnotations({ basicAuthSecret: "thanos-query-users" }), {
    "nginx.ingress.kubernetes.io/auth-type": "basic",
    "nginx.ingress.kubernetes.io/auth-secret": "thanos-query-users",
    "nginx.ingress.kubernetes.io/auth-realm": "Thanos Query",
  });
  assert.deepEqual(thanosAuthAnnotations({ authUrl: "https://a.example.com/oauth2/auth" }), {
    "nginx.ingress.kubernetes.io/auth-url": "https://a.example.com/oauth2/auth",
  });
  assert.deepEqual(thanosAuthAnnotations({ unauthenticated: "a private lab" }), {
    "monitoring.dev/unauthenticated": "a private lab",
  });
});

Deno.test("renderOverlay() lets the cluster's ingress controller namespace reach Grafana and Thanos Query", () => {
  const files = repoFiles("staging");
  const out = renderOverlay(
    load("staging", {
      ...files,
      "cluster.yaml": files["cluster.yaml"]!.replace(
        "    className: nginx\n",
        "    className: nginx\n    controllerNamespace: traefik\n",
      ),
    }),
    versions,
    inputs,
  );
  const policies = parseAllDocuments(out.get("ingress.yaml")!).map((d) => d.toJS())
    .filter((o) => o.kind === "NetworkPolicy");
  assert.deepEqual(
    policies.map((p) => p.spec.ingress[0].from[0].namespaceSelector.matchLabels),
    [{ "kubernetes.io/metadata.name": "traefik" }, { "kubernetes.io/metadata.name": "traefik" }],
  );
});

Deno.test("renderOverlay() posts Watchdog to the heartbeat service of a cluster that sets one", () => {
  const am = parse(
    renderOverlay(load("production"), versions, inputs).get("config/alertmanager.yaml")!,
  );
  assert.deepEqual(am.route.routes[0], {
    receiver: "watchdog",
    matchers: ['alertname = "Watchdog"'],
    group_wait: "0s",
    group_interval: "1m",
    repeat_interval: "1m",
  });
  assert.deepEqual(am.receivers[1], {
    name: "watchdog",
    webhook_configs: [{
      url_file: "/etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url",
      send_resolved: false,
    }],
  });
  // Without one, Watchdog still has its own route, to a receiver without integration.
  const staging = parse(
    renderOverlay(load("staging"), versions, inputs).get("config/alertmanager.yaml")!,
  );
  assert.deepEqual(staging.receivers[1], { name: "watchdog" });
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

Deno.test("overlayInputsFromFiles() reads the same inputs as loadOverlayInputs() from base/", async () => {
  const base = under(await readRepoFiles(ROOT, ["base"]), "base");
  assert.deepEqual(overlayInputsFromFiles(base), inputs);
  base.delete("grafana/grafana.ini");
  assert.throws(() => overlayInputsFromFiles(base), /base\/grafana\/grafana.ini is missing/);
});
