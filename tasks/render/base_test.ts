/**
 * base/ rendered by the pinned kustomize: the names the other parts rely on exist, every pod
 * is locked down, and the values that must agree across components do.
 */
import { REPLICA_LABEL } from "../model/cluster.ts";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { BASE_DIR, CLUSTERS_DIR } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { expandedArgs } from "./container_env.ts";
import { kustomizeBuild, resourceId } from "./kustomize.ts";
import {
  type DaemonSet,
  type Deployment,
  type K8sObject,
  type KindOf,
  objectsOf,
  type PodSpec,
  type SecurityContext,
  type StatefulSet,
} from "./objects.ts";
import { type LabelSelector, labelSelectorMatches, mapSelectorMatches } from "./selectors.ts";
import { coreWaitsOn, SYNC_WAVES, waveOf } from "./sync_waves.ts";
import { podLabelsOf } from "../validate/k8s_objects.ts";

/** A Grafana datasource of the provisioning file, the fields these tests read. */
interface Datasource {
  uid: string;
  type: string;
  isDefault: boolean;
  url: string;
  jsonData?: { customQueryParameters?: string };
}

/**
 * The fields these tests read of the reconcilers' objects in clusters/argocd and clusters/flux:
 * Argo CD's ApplicationSet and AppProject, Flux's GitRepository and Kustomization.
 */
interface ReconcilerObject extends K8sObject {
  spec: {
    goTemplate?: boolean;
    generators?: {
      git: { repoURL: string; files: { path: string }[] };
      selector: LabelSelector;
    }[];
    template?: {
      metadata: { annotations?: Record<string, string> };
      spec: {
        project: string;
        source: { repoURL: string; targetRevision?: string; path: string };
        syncPolicy: { automated?: unknown; syncOptions?: string[] };
      };
    };
    sourceRepos?: string[];
    url?: string;
    ref?: unknown;
    path?: string;
    prune?: boolean;
    dependsOn?: { name: string }[];
    sourceRef?: { name: string };
  };
}

let rendered: Promise<K8sObject[]> | undefined;
function baseObjects(): Promise<K8sObject[]> {
  rendered ??= kustomizeBuild(BASE_DIR).then((r) => r.objects);
  return rendered;
}

function one<K extends string>(objects: readonly K8sObject[], kind: K, name: string): KindOf<K> {
  const found = objectsOf(objects, kind, name);
  assert.equal(found.length, 1, `expected one ${kind}/${name}, found ${found.length}`);
  return found[0] as KindOf<K>;
}

const WORKLOADS = new Set(["Deployment", "DaemonSet", "StatefulSet"]);

/** The stack's own workloads: their pods come from a template. */
function isWorkload(o: K8sObject): o is Deployment | DaemonSet | StatefulSet {
  return WORKLOADS.has(o.kind);
}

/** Host access a pod spec asks for: hostNetwork, hostPID, hostIPC, hostPath volumes. */
function hostAccess(pod: PodSpec): string[] {
  const out: string[] = [];
  for (const f of ["hostNetwork", "hostPID", "hostIPC"] as const) if (pod[f] === true) out.push(f);
  for (const v of pod.volumes ?? []) if (v.hostPath) out.push(`hostPath ${v.hostPath.path}`);
  return out;
}

/** What a workload's containers lack of the stack's pod security; [] when nothing. */
function containerProblems(o: Deployment | DaemonSet | StatefulSet): string[] {
  const pod = o.spec.template.spec;
  const id = resourceId(o);
  const problems: string[] = [];
  const podSc: SecurityContext = pod.securityContext ?? {};
  if (podSc.seccompProfile?.type !== "RuntimeDefault") {
    problems.push(`${id}: seccompProfile is not RuntimeDefault`);
  }
  for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
    const where = `${id} container ${c.name}`;
    const sc = { ...podSc, ...(c.securityContext ?? {}) };
    if (sc.runAsNonRoot !== true) problems.push(`${where}: runAsNonRoot is not true`);
    if (sc.runAsUser === 0) problems.push(`${where}: runs as uid 0`);
    if (c.securityContext?.readOnlyRootFilesystem !== true) {
      problems.push(`${where}: root filesystem is writable`);
    }
    if (c.securityContext?.allowPrivilegeEscalation !== false) {
      problems.push(`${where}: privilege escalation is allowed`);
    }
    if (c.securityContext?.privileged === true) problems.push(`${where}: privileged`);
    const drop: string[] = c.securityContext?.capabilities?.drop ?? [];
    if (!drop.includes("ALL")) problems.push(`${where}: capabilities are not all dropped`);
    if ((c.securityContext?.capabilities?.add ?? []).length > 0) {
      problems.push(`${where}: adds capabilities`);
    }
    for (const kind of ["requests", "limits"] as const) {
      for (const r of ["cpu", "memory"]) {
        if (c.resources?.[kind]?.[r] === undefined) problems.push(`${where}: no ${r} ${kind}`);
      }
    }
  }
  return problems;
}

Deno.test("kustomizeBuild(base) renders every object the overlays, checks and docs rely on", async () => {
  const objects = await baseObjects();
  const expected = [
    "Namespace/monitoring",
    // prometheus-operator
    "ServiceAccount/monitoring/prometheus-operator",
    "ClusterRole/prometheus-operator",
    "ClusterRoleBinding/prometheus-operator",
    "Deployment/monitoring/prometheus-operator",
    "Service/monitoring/prometheus-operator",
    "ServiceMonitor/monitoring/prometheus-operator",
    // prometheus
    "ServiceAccount/monitoring/prometheus-k8s",
    "ClusterRole/prometheus-k8s",
    "ClusterRoleBinding/prometheus-k8s",
    "Prometheus/monitoring/k8s",
    "Service/monitoring/prometheus-k8s",
    "Service/monitoring/thanos-sidecar",
    "PodDisruptionBudget/monitoring/prometheus-k8s",
    "ServiceMonitor/monitoring/prometheus-k8s",
    "ServiceMonitor/monitoring/thanos-sidecar",
    // thanos-query
    "ServiceAccount/monitoring/thanos-query",
    "Deployment/monitoring/thanos-query",
    "Service/monitoring/thanos-query",
    "PodDisruptionBudget/monitoring/thanos-query",
    "ServiceMonitor/monitoring/thanos-query",
    // alertmanager
    "ServiceAccount/monitoring/alertmanager-main",
    "Alertmanager/monitoring/main",
    "Service/monitoring/alertmanager-main",
    "PodDisruptionBudget/monitoring/alertmanager-main",
    "ServiceMonitor/monitoring/alertmanager-main",
    // grafana
    "ServiceAccount/monitoring/grafana",
    "Deployment/monitoring/grafana",
    "Service/monitoring/grafana",
    "ServiceMonitor/monitoring/grafana",
    // exporters
    "ServiceAccount/monitoring/node-exporter",
    "DaemonSet/monitoring/node-exporter",
    "Service/monitoring/node-exporter",
    "ServiceMonitor/monitoring/node-exporter",
    "ServiceAccount/monitoring/kube-state-metrics",
    "ClusterRole/kube-state-metrics",
    "ClusterRoleBinding/kube-state-metrics",
    "Deployment/monitoring/kube-state-metrics",
    "Service/monitoring/kube-state-metrics",
    "ServiceMonitor/monitoring/kube-state-metrics",
    // network policies (the Ingresses are the overlays': every value of theirs is per cluster)
    "NetworkPolicy/monitoring/default-deny-ingress",
    "NetworkPolicy/monitoring/prometheus-operator",
    "NetworkPolicy/monitoring/prometheus-k8s",
    "NetworkPolicy/monitoring/thanos-query",
    "NetworkPolicy/monitoring/alertmanager-main",
    "NetworkPolicy/monitoring/grafana",
    "NetworkPolicy/monitoring/kube-state-metrics",
  ];
  const ids = new Set(objects.map(resourceId));
  assert.deepEqual(expected.filter((id) => !ids.has(id)), []);
  // Generated ConfigMaps carry a content hash, so they are found by prefix.
  const configMaps = objectsOf(objects, "ConfigMap").map((o) => o.metadata.name);
  for (const prefix of ["grafana-config-", "grafana-datasources-", "grafana-dashboard-provider-"]) {
    assert.equal(configMaps.filter((n) => n.startsWith(prefix)).length, 1, prefix);
  }
  // Namespaced objects all land in the stack's namespace.
  const elsewhere = objects.filter((o) =>
    o.metadata.namespace !== undefined && o.metadata.namespace !== "monitoring"
  );
  assert.deepEqual(elsewhere.map(resourceId), []);
});

Deno.test("kustomizeBuild(base) locks down every container, node-exporter's host access excepted", async () => {
  const objects = await baseObjects();
  const workloads = objects.filter(isWorkload);
  assert.deepEqual(workloads.map(resourceId).sort(), [
    "DaemonSet/monitoring/node-exporter",
    "Deployment/monitoring/grafana",
    "Deployment/monitoring/kube-state-metrics",
    "Deployment/monitoring/prometheus-operator",
    "Deployment/monitoring/thanos-query",
  ]);
  assert.deepEqual(workloads.flatMap(containerProblems), []);
  const withHostAccess = workloads
    .map((o) => [resourceId(o), hostAccess(o.spec.template.spec)] as const)
    .filter(([, access]) => access.length > 0);
  assert.deepEqual(withHostAccess, [[
    "DaemonSet/monitoring/node-exporter",
    ["hostNetwork", "hostPID", "hostPath /proc", "hostPath /sys", "hostPath /"],
  ]]);
  // The host's filesystems are only read.
  const nodeExporter = one(objects, "DaemonSet", "node-exporter").spec.template.spec;
  const mounts = nodeExporter.containers[0]?.volumeMounts ?? [];
  assert.deepEqual(mounts.map((m) => [m.mountPath, m.readOnly]), [
    ["/host/proc", true],
    ["/host/sys", true],
    ["/host/root", true],
  ]);
});

Deno.test("kustomizeBuild(base) runs Prometheus and Alertmanager non-root with requests and limits", async () => {
  const objects = await baseObjects();
  for (const [kind, name] of [["Prometheus", "k8s"], ["Alertmanager", "main"]] as const) {
    const spec = one(objects, kind, name).spec;
    assert.deepEqual(
      {
        runAsNonRoot: spec.securityContext?.runAsNonRoot,
        nonZeroUser: (spec.securityContext?.runAsUser ?? 0) > 0,
        seccomp: spec.securityContext?.seccompProfile?.type,
        requests: Object.keys(spec.resources?.requests ?? {}).sort(),
        limits: Object.keys(spec.resources?.limits ?? {}).sort(),
      },
      {
        runAsNonRoot: true,
        nonZeroUser: true,
        seccomp: "RuntimeDefault",
        requests: ["cpu", "memory"],
        limits: ["cpu", "memory"],
      },
      `${kind}/${name}`,
    );
  }
  const thanos = one(objects, "Prometheus", "k8s").spec.thanos;
  assert.deepEqual(Object.keys(thanos?.resources?.limits ?? {}).sort(), ["cpu", "memory"]);
});

Deno.test("kustomizeBuild(base) makes Thanos Query deduplicate by the Prometheus replica label", async () => {
  const objects = await baseObjects();
  const prometheus = one(objects, "Prometheus", "k8s");
  const args = one(objects, "Deployment", "thanos-query").spec.template.spec.containers[0]?.args ??
    [];
  const replicaLabels = args
    .filter((a) => a.startsWith("--query.replica-label="))
    .map((a) => a.slice("--query.replica-label=".length));
  assert.deepEqual(replicaLabels, [REPLICA_LABEL]);
  assert.equal(prometheus.spec.replicaExternalLabelName, REPLICA_LABEL);
  assert.equal(prometheus.spec.replicas, 2);
  // The namespace from the pod, the DNS domain from the overlay (spec.clusterDomain), by name.
  assert.deepEqual(
    args.filter((a) => a.startsWith("--endpoint=")),
    ["--endpoint=dnssrv+_grpc._tcp.thanos-sidecar.$(POD_NAMESPACE).svc.$(CLUSTER_DOMAIN)"],
  );
  const query = one(objects, "Deployment", "thanos-query");
  const container = query.spec.template.spec.containers[0];
  assert.ok(container);
  assert.deepEqual(
    expandedArgs({
      ...container,
      env: [...(container.env ?? []), { name: "CLUSTER_DOMAIN", value: "c.l" }],
    }, query)
      .filter((a) => a.startsWith("--endpoint=")),
    ["--endpoint=dnssrv+_grpc._tcp.thanos-sidecar.monitoring.svc.c.l"],
  );
});

Deno.test("kustomizeBuild(base) has the thanos-sidecar Service select the Prometheus pods' gRPC port", async () => {
  const objects = await baseObjects();
  const podLabels = podLabelsOf(one(objects, "Prometheus", "k8s")) ?? {};
  const sidecar = one(objects, "Service", "thanos-sidecar");
  assert.equal(sidecar.spec.clusterIP, "None");
  // A restarting replica stays listed; Thanos Query judges its store by asking it.
  assert.equal(sidecar.spec.publishNotReadyAddresses, true);
  assert.ok(
    mapSelectorMatches(sidecar.spec.selector, podLabels),
    JSON.stringify(sidecar.spec.selector),
  );
  assert.deepEqual(
    sidecar.spec.ports?.find((p) => p.name === "grpc"),
    { name: "grpc", port: 10901, targetPort: "grpc" },
  );
  // The PodDisruptionBudget and the Service of Prometheus cover the same pods.
  const pdb = one(objects, "PodDisruptionBudget", "prometheus-k8s").spec;
  assert.ok(labelSelectorMatches(pdb.selector, podLabels));
  assert.equal(pdb.maxUnavailable, 1);
  assert.ok(mapSelectorMatches(one(objects, "Service", "prometheus-k8s").spec.selector, podLabels));
});

Deno.test("kustomizeBuild(base) points Grafana's datasources at the thanos-query Service", async () => {
  const objects = await baseObjects();
  const cm = objectsOf(objects, "ConfigMap").find((o) =>
    o.metadata.name.startsWith("grafana-datasources-")
  );
  assert.ok(cm);
  const datasources: Datasource[] = parse(cm.data?.["datasources.yaml"] ?? "").datasources;
  assert.deepEqual(datasources.map((d) => [d.uid, d.type, d.isDefault]), [
    ["thanos-query", "prometheus", true],
    ["thanos-query-replicas", "prometheus", false],
  ]);
  const [ds, replicas] = datasources;
  assert.ok(ds && replicas);
  // The second one is the same Thanos Query, without deduplication.
  assert.equal(replicas.url, ds.url);
  assert.equal(replicas.jsonData?.customQueryParameters, "dedup=false");
  const url = new URL(ds.url);
  const service = one(objects, "Service", "thanos-query");
  const http = service.spec.ports?.find((p) => p.name === "http");
  assert.ok(http);
  // The short name: Grafana runs in the Service's namespace, whichever a cluster picks.
  assert.equal(url.hostname, service.metadata.name);
  assert.equal(service.metadata.namespace, cm.metadata.namespace);
  assert.equal(Number(url.port), http.port);
  assert.equal(http.port, 10902);
  // The Deployment mounts this very ConfigMap as its datasource provisioning.
  const volumes = one(objects, "Deployment", "grafana").spec.template.spec.volumes ?? [];
  assert.equal(
    volumes.find((v) => v.name === "datasources")?.configMap?.name,
    cm.metadata.name,
  );
});

Deno.test("kustomizeBuild(base) mounts every grafana_dashboard ConfigMap into Grafana", async () => {
  const objects = await baseObjects();
  const dashboards = objectsOf(objects, "ConfigMap")
    .filter((o) => o.metadata.labels?.grafana_dashboard === "1")
    .map((o) => o.metadata.name)
    .sort();
  const volumes = one(objects, "Deployment", "grafana").spec.template.spec.volumes ?? [];
  const mounted = volumes.flatMap((v) => v.configMap?.name ?? []).filter((n) =>
    n.startsWith("grafana-dashboards-")
  ).sort();
  assert.ok(dashboards.length > 0);
  assert.deepEqual(mounted, dashboards);
});

Deno.test("kustomizeBuild(base) lets only Prometheus reach Grafana and Thanos Query, plus Grafana the latter", async () => {
  // The ingress controller's namespace is per cluster: the overlays add its policies.
  const objects = await baseObjects();
  const peers = (name: string) =>
    (one(objects, "NetworkPolicy", name).spec.ingress ?? []).flatMap((r) => r.from);
  const prometheus = {
    podSelector: {
      matchLabels: { "app.kubernetes.io/name": "prometheus", "operator.prometheus.io/name": "k8s" },
    },
  };
  assert.deepEqual(peers("grafana"), [prometheus]);
  assert.deepEqual(peers("thanos-query"), [
    { podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } },
    prometheus,
  ]);
  assert.deepEqual(objectsOf(objects, "Ingress"), []);
});

Deno.test("kustomizeBuild(base) labels every ServiceMonitor so the Prometheus selectors pick it up", async () => {
  const objects = await baseObjects();
  const spec = one(objects, "Prometheus", "k8s").spec;
  const stack = { "monitoring.dev/stack": "platform" };
  for (const s of ["serviceMonitor", "podMonitor", "rule"] as const) {
    assert.deepEqual(spec[`${s}Selector` as const], { matchLabels: stack }, s);
    assert.deepEqual(spec[`${s}NamespaceSelector` as const], {}, s);
  }
  const unlabelled = objectsOf(objects, "ServiceMonitor")
    .filter((o) => !labelSelectorMatches(spec.serviceMonitorSelector, o.metadata.labels ?? {}));
  assert.deepEqual(unlabelled.map(resourceId), []);
  // Each ServiceMonitor selects exactly one Service of base, and names ports it has.
  const services = objectsOf(objects, "Service");
  const mismatches = objectsOf(objects, "ServiceMonitor").flatMap((sm) => {
    const matched = services.filter((s) =>
      labelSelectorMatches(sm.spec.selector, s.metadata.labels ?? {})
    );
    if (matched.length !== 1) return [`${sm.metadata.name}: selects ${matched.length} Services`];
    const ports = new Set((matched[0]?.spec.ports ?? []).map((p) => p.name));
    return sm.spec.endpoints
      .filter((e) => !ports.has(e.port))
      .map((e) => `${sm.metadata.name}: no port ${e.port}`);
  });
  assert.deepEqual(mismatches, []);
});

Deno.test("kustomizeBuild(base) puts nothing that depends on the outside world before the core", async () => {
  const objects = await baseObjects();
  assert.deepEqual(coreWaitsOn(objects), []);
  const waves = (kind: string, name: string) => waveOf(one(objects, kind, name));
  assert.deepEqual(
    [
      waves("Deployment", "prometheus-operator"),
      waves("Prometheus", "k8s"),
      waves("Deployment", "thanos-query"),
      waves("Deployment", "grafana"),
      waves("DaemonSet", "node-exporter"),
    ],
    [
      SYNC_WAVES.operator,
      SYNC_WAVES.core,
      SYNC_WAVES.core,
      SYNC_WAVES.outsideWorld,
      SYNC_WAVES.outsideWorld,
    ],
  );
});

Deno.test("kustomizeBuild(base) orders the operator's custom resources after the CRDs in Argo CD", async () => {
  const objects = await baseObjects();
  const crs = objects.filter((o) => o.apiVersion.startsWith("monitoring.coreos.com/"));
  assert.ok(crs.length > 0);
  const unordered = crs.filter((o) =>
    o.metadata.annotations?.["argocd.argoproj.io/sync-wave"] !== "1" ||
    o.metadata.annotations?.["argocd.argoproj.io/sync-options"] !==
      "SkipDryRunOnMissingResource=true"
  );
  assert.deepEqual(unordered.map(resourceId), []);
});

Deno.test("kustomizeBuild(base) uses versions.json images without a tag, for the overlays to pin", async () => {
  const objects = await baseObjects();
  const pinned = new Set(Object.values(loadVersions().images).map((p) => p.image));
  const images = objects
    .filter(isWorkload)
    .flatMap((o) => o.spec.template.spec.containers.map((c) => c.image));
  assert.deepEqual(images.filter((i) => !pinned.has(i)), []);
  // The config reloader's image comes from a variable the overlay sets (versions.json).
  const operatorArgs =
    one(objects, "Deployment", "prometheus-operator").spec.template.spec.containers[0]?.args ?? [];
  assert.deepEqual(
    operatorArgs.filter((a) => a.startsWith("--prometheus-config-reloader")),
    ["--prometheus-config-reloader=$(CONFIG_RELOADER_IMAGE)"],
  );
});

Deno.test("kustomizeBuild() of base under another namespace moves every object and RBAC subject", async () => {
  const dir = await Deno.makeTempDir({ prefix: "base-namespace-" });
  try {
    await Deno.writeTextFile(
      join(dir, "kustomization.yaml"),
      `namespace: observability\nresources:\n  - ${relative(dir, BASE_DIR)}\n`,
    );
    const { objects } = await kustomizeBuild(dir);
    const namespaces = new Set(
      objects.filter((o) => o.metadata.namespace !== undefined).map((o) => o.metadata.namespace),
    );
    assert.deepEqual([...namespaces], ["observability"]);
    assert.deepEqual(objectsOf(objects, "Namespace").map((o) => o.metadata.name), [
      "observability",
    ]);
    const subjects = objectsOf(objects, "ClusterRoleBinding")
      .flatMap((b) => (b.subjects ?? []).map((s) => `${s.namespace}/${s.name}`))
      .sort();
    assert.deepEqual(subjects, [
      "observability/kube-state-metrics",
      "observability/prometheus-k8s",
      "observability/prometheus-operator",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

function readDocs(path: string): ReconcilerObject[] {
  return parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS());
}

/** The one document of a file of clusters/. */
function readDoc(path: string): ReconcilerObject {
  const [doc] = readDocs(path);
  assert.ok(doc, `${path} holds a document`);
  return doc;
}

Deno.test("clusters/argocd and clusters/flux pin the operator's CRDs at versions.json's tag", () => {
  const tag = loadVersions().images["prometheus-operator"]?.tag;
  assert.match(tag ?? "", /^v\d+\.\d+\.\d+$/);
  const argo = readDoc(join(CLUSTERS_DIR, "argocd", "crds.yaml"));
  assert.deepEqual(argo.spec.template?.spec.source, {
    repoURL: "https://github.com/prometheus-operator/prometheus-operator.git",
    targetRevision: tag,
    path: "example/prometheus-operator-crd",
  });
  assert.equal(argo.spec.template?.metadata.annotations?.["argocd.argoproj.io/sync-wave"], "-1");
  assert.deepEqual(argo.spec.template?.spec.syncPolicy.syncOptions, ["ServerSideApply=true"]);
  const flux = readDocs(join(CLUSTERS_DIR, "flux", "sources.yaml"))
    .find((d) => d.metadata.name === "prometheus-operator");
  assert.deepEqual(flux?.spec.ref, { tag });
  const crds = readDoc(join(CLUSTERS_DIR, "flux", "crds.yaml"));
  assert.equal(crds.spec.path, "./example/prometheus-operator-crd");
  assert.equal(crds.spec.prune, false);
});

Deno.test("clusters/argocd makes one Application per Argo CD cluster file (not flux, not none), on this repository", () => {
  const appset = readDoc(join(CLUSTERS_DIR, "argocd", "applicationset.yaml"));
  const crds = readDoc(join(CLUSTERS_DIR, "argocd", "crds.yaml"));
  const project = readDoc(join(CLUSTERS_DIR, "argocd", "project.yaml"));
  const template = appset.spec.template;
  assert.ok(template);
  const repo = template.spec.source.repoURL;
  for (const set of [appset, crds]) {
    assert.equal(set.spec.goTemplate, true);
    const [generator] = set.spec.generators ?? [];
    assert.ok(generator);
    assert.deepEqual(generator.git.files, [{ path: "clusters/*/cluster.yaml" }]);
    assert.equal(generator.git.repoURL, repo);
    assert.deepEqual(generator.selector.matchExpressions, [
      { key: "spec.reconciler", operator: "NotIn", values: ["flux", "none"] },
    ]);
    assert.equal(set.spec.template?.spec.project, project.metadata.name);
  }
  assert.equal(template.spec.source.path, "overlays/{{ .metadata.name }}");
  assert.deepEqual(template.spec.syncPolicy.automated, { prune: true, selfHeal: true });
  assert.deepEqual(template.spec.syncPolicy.syncOptions, [
    "CreateNamespace=true",
    "ServerSideApply=true",
  ]);
  assert.ok(project.spec.sourceRepos?.includes(repo));
  const fluxRepo = readDoc(join(CLUSTERS_DIR, "flux", "sources.yaml"));
  assert.equal(fluxRepo.spec.url, repo);
});

Deno.test("clusters/flux has a Kustomization after the CRDs for every Flux cluster", () => {
  const fluxClusters = [...Deno.readDirSync(CLUSTERS_DIR)]
    .filter((e) => e.isDirectory)
    .map((e) => join(CLUSTERS_DIR, e.name, "cluster.yaml"))
    .filter((path) => {
      try {
        return parse(readFileSync(path, "utf8"))?.spec?.reconciler === "flux";
      } catch {
        return false; // clusters/argocd and clusters/flux have no cluster.yaml
      }
    })
    .map((path) => parse(readFileSync(path, "utf8")).metadata.name as string)
    .sort();
  assert.ok(fluxClusters.length > 0);
  const files: string[] =
    parse(readFileSync(join(CLUSTERS_DIR, "flux", "kustomization.yaml"), "utf8"))
      .resources;
  const kustomizations = files
    .flatMap((f) => readDocs(join(CLUSTERS_DIR, "flux", f)))
    .filter((d) => d.kind === "Kustomization" && d.metadata.name !== "monitoring-crds");
  assert.deepEqual(
    kustomizations.map((k) => ({
      name: k.metadata.name,
      path: k.spec.path,
      dependsOn: k.spec.dependsOn,
      source: k.spec.sourceRef?.name,
    })),
    fluxClusters.map((name) => ({
      name: `monitoring-${name}`,
      path: `./overlays/${name}`,
      dependsOn: [{ name: "monitoring-crds" }],
      source: "monitoring",
    })),
  );
});
