/** The generated overlays build with the pinned kustomize, and the build carries their values. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPLICA_LABEL } from "../model/cluster.ts";
import { loadAllClusters } from "../model/load.ts";
import { OVERLAYS_DIR, toolPath } from "../model/paths.ts";
import { imageRef, loadVersions } from "../model/versions.ts";
import { findObjects, kustomizeBuild } from "../render/kustomize.ts";

const ignore = !existsSync(toolPath("kustomize"));
const versions = loadVersions();
const { clusters } = await loadAllClusters();

for (const cluster of clusters) {
  Deno.test({
    name: `kustomize build overlays/${cluster.name} carries the cluster's settings`,
    ignore,
    fn: async () => {
      const { objects } = await kustomizeBuild(join(OVERLAYS_DIR, cluster.name));
      const ns = cluster.spec.destination.namespace;
      for (const o of objects) {
        if (o.kind === "Namespace" || o.metadata.namespace === undefined) continue;
        assert.equal(o.metadata.namespace, ns, `${o.kind}/${o.metadata.name}`);
      }

      const [prometheus] = findObjects(objects, "Prometheus", "k8s");
      assert.equal(prometheus?.spec.replicas, cluster.prometheus.deployment.replicas);
      assert.equal(prometheus?.spec.retention, cluster.prometheus.config.retention_time);
      assert.equal(prometheus?.spec.externalLabels.cluster, cluster.name);
      assert.equal(prometheus?.spec.replicaExternalLabelName, REPLICA_LABEL);
      assert.equal(
        prometheus?.spec.storage.volumeClaimTemplate.spec.resources.requests.storage,
        cluster.spec.storage.prometheus.size,
      );

      const [thanos] = findObjects(objects, "Deployment", "thanos-query");
      const thanosArgs: string[] = thanos?.spec.template.spec.containers[0].args;
      assert.deepEqual(
        thanosArgs.filter((a) => a.startsWith("--query.replica-label")),
        [`--query.replica-label=${REPLICA_LABEL}`],
      );
      assert.ok(
        thanosArgs.includes("query") && thanosArgs.includes("--http-address=0.0.0.0:10902"),
      );
      assert.deepEqual(
        thanosArgs.filter((a) => a.startsWith("--endpoint=")),
        [`--endpoint=dnssrv+_grpc._tcp.thanos-sidecar.${ns}.svc.cluster.local`],
      );
      assert.equal(thanos?.spec.replicas, cluster.spec.thanosQuery.replicas);
      assert.equal(thanos?.spec.template.spec.containers[0].image, imageRef(versions, "thanos"));

      const [operator] = findObjects(objects, "Deployment", "prometheus-operator");
      const operatorArgs: string[] = operator?.spec.template.spec.containers[0].args;
      assert.deepEqual(
        operatorArgs.filter((a) => a.startsWith("--prometheus-config-reloader")),
        [`--prometheus-config-reloader=${imageRef(versions, "prometheus-config-reloader")}`],
      );

      const ingresses = findObjects(objects, "Ingress");
      if (cluster.spec.ingress) {
        assert.deepEqual(
          ingresses[0]?.spec.rules.map((r: { host: string }) => r.host),
          [cluster.spec.ingress.grafanaHost, cluster.spec.ingress.thanosHost],
        );
      } else assert.deepEqual(ingresses, []);

      assert.equal(findObjects(objects, "Secret", "alertmanager-main-config").length, 1);
      const grafanaConfig = objects.filter((o) =>
        o.kind === "ConfigMap" && o.metadata.name.startsWith("grafana-config-")
      );
      assert.equal(grafanaConfig.length, 1);
      assert.match(grafanaConfig[0]?.data["grafana.ini"], /^# generated from clusters\//);
      assert.equal(
        findObjects(objects, "PrometheusRule", "extra-rules").length,
        cluster.prometheus.extraRules.groups.length > 0 ? 1 : 0,
      );
    },
  });
}
