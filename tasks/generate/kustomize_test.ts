/**
 * The generated overlays build with the pinned kustomize, and the build carries each cluster's
 * values, each exactly once and in its place: on the committed overlays, and on a copy of the
 * repository whose base/ was edited the way a person would (a flag added near the top of a list
 * of args, entries reordered), since no generated patch depends on a position in base/.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPLICA_LABEL } from "../model/cluster.ts";
import type { Cluster } from "../model/merged_cluster.ts";
import { loadAllClusters } from "../model/load.ts";
import { BASE_DIR, CLUSTERS_DIR, OVERLAYS_DIR, toolPath } from "../model/paths.ts";
import { imageRef, loadVersions } from "../model/versions.ts";
import { expandedArgs } from "../render/container_env.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { type Container, type Deployment, type K8sObject, objectsOf } from "../render/objects.ts";
import { coreWaitsOn } from "../render/sync_waves.ts";
import { generate } from "./main.ts";

const ignore = !existsSync(toolPath("kustomize"));
const versions = loadVersions();
const { clusters } = await loadAllClusters();

function container(objects: readonly K8sObject[], name: string): [Deployment, Container] {
  const [o] = objectsOf(objects, "Deployment", name);
  assert.ok(o, `Deployment/${name}`);
  const c = o.spec.template.spec.containers.find((x) => x.name === name);
  assert.ok(c, `container ${name} of Deployment/${name}`);
  return [o, c];
}

/** The values of `--flag=` among args. */
const flag = (args: readonly string[], name: string) =>
  args.filter((a) => a.startsWith(`${name}=`)).map((a) => a.slice(name.length + 1));
const envNamed = (c: Container, name: string) => (c.env ?? []).filter((e) => e.name === name);

/**
 * What is wrong with a cluster's render: a per-cluster value missing, written twice, or not
 * where it belongs. [] when everything is in place.
 */
function perClusterValueProblems(cluster: Cluster, objects: readonly K8sObject[]): string[] {
  const problems: string[] = [];
  const expect = (what: string, found: unknown, want: unknown) => {
    if (JSON.stringify(found) !== JSON.stringify(want)) {
      problems.push(`${what}: expected ${JSON.stringify(want)}, found ${JSON.stringify(found)}`);
    }
  };
  const ns = cluster.spec.destination.namespace;
  for (const o of objects) {
    if (o.kind !== "Namespace" && o.metadata.namespace !== undefined) {
      expect(`namespace of ${o.kind}/${o.metadata.name}`, o.metadata.namespace, ns);
    }
  }

  const [prometheus] = objectsOf(objects, "Prometheus", "k8s");
  expect("Prometheus replicas", prometheus?.spec.replicas, cluster.prometheus.deployment.replicas);
  expect(
    "Prometheus retention",
    prometheus?.spec.retention,
    cluster.prometheus.config.retention_time,
  );
  expect("Prometheus cluster label", prometheus?.spec.externalLabels?.cluster, cluster.name);
  expect("Prometheus replica label", prometheus?.spec.replicaExternalLabelName, REPLICA_LABEL);
  expect(
    "Prometheus scrape interval",
    prometheus?.spec.scrapeInterval,
    cluster.spec.scrapeInterval,
  );
  expect(
    "Prometheus volume",
    prometheus?.spec.storage?.volumeClaimTemplate?.spec?.resources?.requests?.storage,
    cluster.spec.storage.prometheus.size,
  );
  const [alertmanager] = objectsOf(objects, "Alertmanager", "main");
  expect(
    "Alertmanager replicas",
    alertmanager?.spec.replicas,
    cluster.alertmanager.deployment.replicas,
  );
  const { topologyKey, mode } = cluster.spec.spread;
  const [queryObject, query] = container(objects, "thanos-query");
  for (
    const [what, affinity] of [
      ["Prometheus", prometheus?.spec.affinity],
      ["Alertmanager", alertmanager?.spec.affinity],
      ["Thanos Query", queryObject.spec.template.spec.affinity],
    ] as const
  ) {
    const anti = affinity?.podAntiAffinity ?? {};
    const terms = mode === "required"
      ? anti.requiredDuringSchedulingIgnoredDuringExecution ?? []
      : (anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((p) => p.podAffinityTerm);
    expect(`${what} anti-affinity (${mode})`, terms.map((t) => t.topologyKey), [topologyKey]);
  }

  const queryArgs = expandedArgs(query, queryObject);
  expect("Thanos Query subcommand", queryArgs[0], "query");
  expect("Thanos Query --grpc-address", flag(queryArgs, "--grpc-address"), ["0.0.0.0:10901"]);
  expect("Thanos Query --query.replica-label", flag(queryArgs, "--query.replica-label"), [
    REPLICA_LABEL,
  ]);
  expect("Thanos Query --endpoint", flag(queryArgs, "--endpoint"), [
    `dnssrv+_grpc._tcp.thanos-sidecar.${ns}.svc.${cluster.spec.clusterDomain}`,
  ]);
  expect("Thanos Query CLUSTER_DOMAIN", envNamed(query, "CLUSTER_DOMAIN").length, 1);
  expect("Thanos Query replicas", queryObject.spec.replicas, cluster.spec.thanosQuery.replicas);
  expect("Thanos Query image", query.image, imageRef(versions, "thanos"));

  const [operatorObject, operator] = container(objects, "prometheus-operator");
  expect(
    "operator --prometheus-config-reloader",
    flag(expandedArgs(operator, operatorObject), "--prometheus-config-reloader"),
    [imageRef(versions, "prometheus-config-reloader")],
  );

  const [grafanaObject, grafana] = container(objects, "grafana");
  expect(
    "Grafana PROMETHEUS_SCRAPE_INTERVAL",
    envNamed(grafana, "PROMETHEUS_SCRAPE_INTERVAL"),
    [{ name: "PROMETHEUS_SCRAPE_INTERVAL", value: cluster.spec.scrapeInterval }],
  );
  expect("Grafana admin password", envNamed(grafana, "GF_SECURITY_ADMIN_PASSWORD").length, 1);
  expect("Grafana replicas", grafanaObject.spec.replicas, cluster.grafana.deployment.replicas);

  const ingresses = objectsOf(objects, "Ingress");
  const ingress = cluster.spec.ingress;
  expect(
    "Ingress hosts",
    ingresses.flatMap((i) => (i.spec.rules ?? []).map((r) => `${i.metadata.name} ${r.host}`)),
    ingress ? [`grafana ${ingress.grafanaHost}`, `thanos-query ${ingress.thanosHost}`] : [],
  );
  const controller = objectsOf(objects, "NetworkPolicy").flatMap((p) =>
    (p.spec.ingress ?? []).flatMap((r) => r.from ?? []).flatMap((f) =>
      f.namespaceSelector ? [f.namespaceSelector.matchLabels?.["kubernetes.io/metadata.name"]] : []
    )
  );
  expect(
    "ingress controller namespace",
    controller,
    ingress ? [ingress.controllerNamespace, ingress.controllerNamespace] : [],
  );
  expect("what the core waits on", coreWaitsOn(objects), []);
  expect(
    "Secret alertmanager-main-config",
    objectsOf(objects, "Secret", "alertmanager-main-config").length,
    1,
  );
  expect(
    "extra rules",
    objectsOf(objects, "PrometheusRule", "extra-rules").length,
    cluster.prometheus.extraRules.groups.length > 0 ? 1 : 0,
  );
  return problems;
}

for (const cluster of clusters) {
  Deno.test({
    name: `kustomize build overlays/${cluster.name} carries each of the cluster's values once`,
    ignore,
    fn: async () => {
      const { objects } = await kustomizeBuild(join(OVERLAYS_DIR, cluster.name));
      assert.deepEqual(perClusterValueProblems(cluster, objects), []);
    },
  });
}

/** Edits a file of `root`, failing when `from` is not in it (the edit no longer applies). */
async function edit(root: string, path: string, from: string, to: string): Promise<void> {
  const file = join(root, path);
  const text = await readFile(file, "utf8");
  assert.ok(text.includes(from), `${path} has no ${JSON.stringify(from)}`);
  await writeFile(file, text.replace(from, to));
}

Deno.test({
  name: "kustomize build of every overlay keeps each value once after base/ is edited by hand",
  ignore,
  fn: async () => {
    const root = await mkdtemp(join(tmpdir(), "base-edited-"));
    try {
      await cp(BASE_DIR, join(root, "base"), { recursive: true });
      await cp(CLUSTERS_DIR, join(root, "clusters"), { recursive: true });
      // A flag near the top of Thanos Query's args: index-based patches would now replace
      // --grpc-address and the replica label, and leave two --endpoint flags.
      await edit(
        root,
        "base/thanos-query/deployment.yaml",
        "            - query\n",
        "            - query\n            - --query.timeout=2m\n",
      );
      // The same at the very top of the operator's args.
      await edit(
        root,
        "base/prometheus-operator/deployment.yaml",
        "          args:\n",
        "          args:\n            - --log-format=logfmt\n",
      );
      // A variable first in Grafana's env, and one first in Thanos Query's.
      await edit(
        root,
        "base/grafana/deployment.yaml",
        "          env:\n",
        "          env:\n            - name: GF_LOG_LEVEL\n              value: warn\n",
      );
      await edit(
        root,
        "base/thanos-query/deployment.yaml",
        "          env:\n",
        '          env:\n            - name: GOGC\n              value: "50"\n',
      );
      const errors: string[] = [];
      const code = await generate({ root, out: () => {}, err: (l) => errors.push(l) });
      assert.equal(code, 0, errors.join("\n"));
      for (const cluster of clusters) {
        const { objects } = await kustomizeBuild(join(root, "overlays", cluster.name));
        assert.deepEqual(perClusterValueProblems(cluster, objects), [], cluster.name);
        // The edits themselves are there, once.
        const [q, query] = container(objects, "thanos-query");
        assert.deepEqual(flag(expandedArgs(query, q), "--query.timeout"), ["2m"]);
        assert.equal(envNamed(query, "GOGC").length, 1);
        const [, operator] = container(objects, "prometheus-operator");
        assert.equal(operator.args?.[0], "--log-format=logfmt");
        const [, grafana] = container(objects, "grafana");
        assert.deepEqual(envNamed(grafana, "GF_LOG_LEVEL"), [{
          name: "GF_LOG_LEVEL",
          value: "warn",
        }]);
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  },
});
