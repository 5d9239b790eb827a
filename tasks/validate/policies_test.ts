import { REPLICA_LABEL } from "../model/cluster.ts";
import { deepEqual as assertEquals } from "node:assert/strict";
import type {
  Alertmanager,
  ConfigMap,
  DaemonSet,
  Deployment,
  Ingress,
  PodDisruptionBudget,
  Prometheus,
  Secret,
  Service,
  ServicePort,
} from "../render/objects.ts";
import { parseVersions } from "../model/versions.ts";
import { haPolicies } from "./policies_ha.ts";
import { consistencyPolicies, parseEndpoint } from "./policies_consistency.ts";
import { securityPolicies } from "./policies_security.ts";

const meta = (name: string) => ({ name, namespace: "monitoring" });

function prometheus(spec: Record<string, unknown> = {}): Prometheus {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Prometheus",
    metadata: meta("k8s"),
    spec: {
      replicas: 2,
      affinity: {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{
            topologyKey: "kubernetes.io/hostname",
            labelSelector: { matchLabels: { "operator.prometheus.io/name": "k8s" } },
          }],
        },
      },
      ...spec,
    },
  };
}

const pdb = (name: string, matchLabels: Record<string, string>): PodDisruptionBudget => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: meta(name),
  spec: { maxUnavailable: 1, selector: { matchLabels } },
});

Deno.test("haPolicies() accepts an HA pair with a budget and anti-affinity", () => {
  const objs = [prometheus(), pdb("p", { "app.kubernetes.io/name": "prometheus" })];
  assertEquals(haPolicies(objs, { prometheusHaOptOut: false }), []);
});

Deno.test("haPolicies() wants 2 replicas, a budget and hostname anti-affinity", () => {
  const objs = [prometheus({ replicas: 1, affinity: undefined })];
  const found = haPolicies(objs, { prometheusHaOptOut: false }).map((f) => [f.field, f.message]);
  assertEquals(found, [
    [
      "spec.replicas",
      "expected at least 2 replicas of Prometheus k8s (set spec.deployment.replicas in " +
      "prometheus.yaml, or opt out with spec.deployment.highAvailability: false), found 1",
    ],
    [
      "",
      "expected a PodDisruptionBudget selecting the pods of Prometheus k8s " +
      "(app.kubernetes.io/name=prometheus,app.kubernetes.io/instance=k8s," +
      "app.kubernetes.io/managed-by=prometheus-operator,prometheus=k8s," +
      "operator.prometheus.io/name=k8s,operator.prometheus.io/shard=0), found none",
    ],
  ]);
  assertEquals(haPolicies(objs, { prometheusHaOptOut: true }), []);
});

Deno.test("haPolicies() accepts one Alertmanager only when the cluster opts out of its HA", () => {
  const am: Alertmanager = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "Alertmanager",
    metadata: meta("main"),
    spec: { replicas: 1 },
  };
  // The first finding is the replica count, with the way out (the second, the missing budget).
  assertEquals(
    haPolicies([am], { prometheusHaOptOut: false })[0]?.message,
    "expected at least 2 replicas of Alertmanager main (set spec.deployment.replicas in " +
      "alertmanager.yaml, or opt out with spec.deployment.highAvailability: false), found 1",
  );
  assertEquals(haPolicies([am], { prometheusHaOptOut: false, alertmanagerHaOptOut: true }), []);
});

Deno.test("haPolicies() wants the anti-affinity on the cluster's topology key", () => {
  const objs = [prometheus(), pdb("p", { "app.kubernetes.io/name": "prometheus" })];
  const ctx = { prometheusHaOptOut: false, spreadTopologyKey: "topology.kubernetes.io/zone" };
  assertEquals(haPolicies(objs, ctx).map((f) => f.message), [
    "expected pod anti-affinity (or a topology spread) on topology.kubernetes.io/zone so the " +
    "replicas of Prometheus k8s run apart, found none",
  ]);
});

Deno.test("haPolicies() refuses a budget that blocks every drain", () => {
  const budget = pdb("p", { prometheus: "k8s" });
  budget.spec = { minAvailable: 2, selector: { matchLabels: { prometheus: "k8s" } } };
  const found = haPolicies([prometheus(), budget], { prometheusHaOptOut: false });
  assertEquals(found.map((f) => [f.object.metadata.name, f.field, f.message]), [[
    "p",
    "spec.minAvailable",
    "expected a budget that lets one of the 2 pods of Prometheus k8s be evicted, found " +
    "minAvailable: 2 (it blocks every node drain)",
  ]]);
});

function query(args: string[]): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("thanos-query"),
    spec: { template: { spec: { containers: [{ name: "thanos-query", image: "thanos", args }] } } },
  };
}

const service = (
  name: string,
  selector: Record<string, string>,
  ports: ServicePort[],
): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: meta(name),
  spec: { selector, ports },
});

const sidecar = service("thanos-sidecar", { "operator.prometheus.io/name": "k8s" }, [
  { name: "grpc", port: 10901, targetPort: "grpc" },
]);
const querySvc = service("thanos-query", { app: "q" }, [{ name: "http", port: 10902 }]);

Deno.test("consistencyPolicies() accepts matching replica label, sidecar Service and endpoint", () => {
  const objs = [
    prometheus(),
    query([
      `--query.replica-label=${REPLICA_LABEL}`,
      "--endpoint=dnssrv+_grpc._tcp.thanos-sidecar.monitoring.svc.cluster.local",
    ]),
    sidecar,
    querySvc,
  ];
  assertEquals(consistencyPolicies(objs), []);
});

Deno.test("consistencyPolicies() names a replica label that differs from Prometheus's", () => {
  const objs = [prometheus(), query(["--query.replica-label=replica"]), sidecar, querySvc];
  assertEquals(consistencyPolicies(objs).map((f) => f.message), [
    `expected --query.replica-label=${REPLICA_LABEL} (the replica label of Prometheus k8s), ` +
    "found --query.replica-label=replica",
  ]);
});

Deno.test("consistencyPolicies() checks the sidecar Service selector and gRPC port", () => {
  const bad = service("thanos-sidecar", { "operator.prometheus.io/name": "other" }, [
    { name: "grpc", port: 10901, targetPort: 9090 },
  ]);
  const objs = [prometheus(), query([`--query.replica-label=${REPLICA_LABEL}`]), bad, querySvc];
  assertEquals(consistencyPolicies(objs).map((f) => f.field), [
    "spec.selector",
    "spec.ports[grpc].targetPort",
  ]);
});

Deno.test("consistencyPolicies() checks Grafana's datasource URL and the ingress backends", () => {
  const thanos = { service: { name: "thanos-query", port: { name: "http" } } };
  const ds: ConfigMap = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: meta("grafana-datasources-abc"),
    data: {
      "datasources.yaml": "datasources:\n  - name: T\n    type: prometheus\n" +
        "    url: http://thanos-query.monitoring.svc:9090\n",
    },
  };
  const ingress: Ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta("monitoring"),
    spec: {
      rules: [{
        host: "t",
        http: {
          paths: [
            // Thanos Query whole: its UI needs more than the query API, and it has no admin API.
            { path: "/", pathType: "Prefix", backend: thanos },
            { path: "/", backend: { service: { name: "prometheus-k8s", port: { name: "web" } } } },
            { path: "/x", backend: { service: { name: "thanos-query", port: { name: "grpc" } } } },
          ],
        },
      }],
    },
  };
  assertEquals(consistencyPolicies([querySvc, ds, ingress]).map((f) => [f.field, f.message]), [
    [
      'data["datasources.yaml"]',
      "expected the datasource port to be one of Service thanos-query's (http 10902), found 9090 " +
      "in http://thanos-query.monitoring.svc:9090",
    ],
    [
      "spec.rules[0].http.paths[1].backend.service.name",
      "expected the ingress to route only to grafana and thanos-query, found Service prometheus-k8s",
    ],
    [
      "spec.rules[0].http.paths[2].backend.service.port",
      "expected a port of Service thanos-query (http 10902), found grpc",
    ],
  ]);
});

Deno.test("parseEndpoint() reads dnssrv and host:port endpoints", () => {
  assertEquals(parseEndpoint("dnssrv+_grpc._tcp.thanos-sidecar.monitoring.svc"), {
    service: "thanos-sidecar",
    port: "grpc",
  });
  assertEquals(parseEndpoint("dns+thanos-store.monitoring.svc:10901"), {
    service: "thanos-store",
    port: "10901",
  });
});

const versions = parseVersions(JSON.stringify({
  deno: "2.9.6",
  images: { grafana: { image: "docker.io/grafana/grafana", tag: "12.3.0" } },
  tools: {},
}));

const hardened = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
};
const resources = {
  requests: { cpu: "10m", memory: "10Mi" },
  limits: { cpu: "1", memory: "100Mi" },
};

function grafana(container: Record<string, unknown>): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta("grafana"),
    spec: {
      template: {
        spec: {
          containers: [{
            name: "grafana",
            image: "docker.io/grafana/grafana:12.3.0",
            securityContext: hardened,
            resources,
            ...container,
          }],
        },
      },
    },
  };
}

Deno.test("securityPolicies() accepts a hardened, pinned container", () => {
  assertEquals(securityPolicies([grafana({})], { versions }), []);
});

Deno.test("securityPolicies() names every weakened setting of a container", () => {
  const found = securityPolicies([
    grafana({
      image: "grafana/grafana:latest",
      securityContext: { runAsUser: 0, capabilities: { add: ["NET_ADMIN"] } },
      resources: { requests: { cpu: "1m" } },
    }),
  ], { versions });
  assertEquals(found.map((f) => f.field), [
    "spec.template.spec.containers[grafana].securityContext.runAsNonRoot",
    "spec.template.spec.containers[grafana].securityContext.readOnlyRootFilesystem",
    "spec.template.spec.containers[grafana].securityContext.allowPrivilegeEscalation",
    "spec.template.spec.containers[grafana].securityContext.capabilities.drop",
    "spec.template.spec.containers[grafana].securityContext.capabilities.add",
    "spec.template.spec.containers[grafana].resources",
    "spec.template.spec.containers[grafana].image",
  ]);
  assertEquals(
    found[5]?.message,
    "expected requests and limits for cpu and memory, found no requests.memory, limits.cpu, limits.memory",
  );
});

Deno.test("securityPolicies() allows host access to node-exporter only", () => {
  const ds = (name: string): DaemonSet => ({
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: meta(name),
    spec: {
      template: {
        spec: {
          hostNetwork: true,
          hostPID: true,
          securityContext: { runAsNonRoot: true },
          volumes: [{ name: "proc", hostPath: { path: "/proc" } }],
          containers: [],
        },
      },
    },
  });
  assertEquals(securityPolicies([ds("node-exporter")], { versions }), []);
  assertEquals(securityPolicies([ds("agent")], { versions }).map((f) => f.field), [
    "spec.template.spec.hostNetwork",
    "spec.template.spec.hostPID",
    "spec.template.spec.volumes[proc].hostPath",
  ]);
});

Deno.test("securityPolicies() refuses Secret data except the Alertmanager configuration", () => {
  const secret = (name: string): Secret => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: meta(name),
    data: { token: "c2VjcmV0" },
  });
  assertEquals(securityPolicies([secret("alertmanager-main-config")], { versions }), []);
  assertEquals(securityPolicies([secret("api")], { versions }).map((f) => f.message), [
    "expected no Secret data in the repository (create the Secret outside it, or seal it), " +
    "found data keys token",
  ]);
});

Deno.test("securityPolicies() refuses the admin API on a Prometheus behind the ingress", () => {
  const p = prometheus({
    enableAdminAPI: true,
    image: "quay.io/prometheus/prometheus:v3.16.0",
    securityContext: { runAsNonRoot: true, runAsUser: 1000 },
    resources,
  });
  const svc = service("prometheus-k8s", { prometheus: "k8s" }, [{ name: "web", port: 9090 }]);
  const ingress: Ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta("monitoring"),
    spec: { defaultBackend: { service: { name: "prometheus-k8s", port: { name: "web" } } } },
  };
  const v = parseVersions(JSON.stringify({
    deno: "2.9.6",
    images: { prometheus: { image: "quay.io/prometheus/prometheus", tag: "v3.16.0" } },
    tools: {},
  }));
  assertEquals(securityPolicies([p, svc], { versions: v }), []);
  assertEquals(securityPolicies([p, svc, ingress], { versions: v }).map((f) => f.message), [
    "expected the admin API off on a Prometheus reachable from the ingress, found it on, " +
    "exposed through Service prometheus-k8s",
  ]);
});

Deno.test("securityPolicies() reads the config reloader's image through $(VAR) of the env", () => {
  const v = parseVersions(JSON.stringify({
    deno: "2.9.6",
    images: {
      grafana: { image: "docker.io/grafana/grafana", tag: "12.3.0" },
      "prometheus-config-reloader": {
        image: "quay.io/prometheus-operator/prometheus-config-reloader",
        tag: "v0.89.0",
      },
    },
    tools: {},
  }));
  const operator = (value: string) =>
    grafana({
      args: ["--prometheus-config-reloader=$(CONFIG_RELOADER_IMAGE)"],
      env: [{ name: "CONFIG_RELOADER_IMAGE", value }],
    });
  const pinned = "quay.io/prometheus-operator/prometheus-config-reloader:v0.89.0";
  assertEquals(securityPolicies([operator(pinned)], { versions: v }), []);
  const found = securityPolicies([operator("quay.io/other/reloader:latest")], { versions: v });
  assertEquals(found.map((f) => f.field), ["spec.template.spec.containers[grafana].args"]);
});
