import assert from "node:assert/strict";
import { join } from "node:path";
import { formatFinding } from "./finding.ts";
import {
  didYouMean,
  editDistance,
  loadAllClusters,
  loadCluster,
  loadClusterFromSources,
  locate,
} from "./load.ts";
import { CLUSTERS_DIR } from "./paths.ts";

const TESTDATA = join(import.meta.dirname!, "testdata");

const CLUSTER = `apiVersion: monitoring.dev/v1alpha1
kind: Cluster
metadata:
  name: staging
spec:
  storage:
    prometheus:
      size: 20Gi
`;

const prometheus = (spec: string) =>
  `apiVersion: addons.metalk8s.scality.com/v1alpha1
kind: PrometheusConfig
spec:
${spec}`;

/** The findings as compilers print them: what a person reads. */
function lines(files: Record<string, string>, name = "staging"): string[] {
  return loadClusterFromSources(name, files).findings.map(formatFinding);
}

Deno.test("loadClusterFromSources() builds the merged cluster from valid files", () => {
  const r = loadClusterFromSources("staging", {
    "cluster.yaml": CLUSTER,
    "prometheus.yaml": prometheus("  config:\n    retention_time: 30d\n"),
  });
  assert.deepEqual(r.findings, []);
  assert.equal(r.cluster?.name, "staging");
  assert.equal(r.cluster?.dir, "clusters/staging");
  assert.equal(r.cluster?.prometheus.config.retention_time, "30d");
  assert.equal(r.cluster?.prometheus.deployment.replicas, 2);
  assert.equal(r.cluster?.sources["prometheus.yaml"]?.path, "clusters/staging/prometheus.yaml");
  assert.equal(r.cluster?.sources["grafana.yaml"], undefined);
});

Deno.test("loadClusterFromSources() reports a YAML syntax error at its position", () => {
  assert.deepEqual(
    lines({ "cluster.yaml": CLUSTER, "prometheus.yaml": prometheus("  config: [10d\n") }),
    [
      "clusters/staging/prometheus.yaml:5:1: error: YAML: Flow sequence in block collection " +
      "must be sufficiently indented and end with a ] [yaml]",
    ],
  );
});

Deno.test("loadClusterFromSources() suggests retention_time for retension_time at the key", () => {
  const r = loadClusterFromSources("staging", {
    "cluster.yaml": CLUSTER,
    "prometheus.yaml": prometheus("  config:\n    retension_time: 30d\n"),
  });
  assert.equal(r.cluster, undefined);
  assert.deepEqual(r.findings, [{
    severity: "error",
    file: "clusters/staging/prometheus.yaml",
    line: 5,
    column: 5,
    field: "spec.config.retension_time",
    message: "unknown key `retension_time`; did you mean `retention_time`? " +
      "(expected one of: enable_admin_api, retention_size, retention_time)",
    check: "schema",
  }]);
});

Deno.test("loadClusterFromSources() refuses one Prometheus replica without the opt-out", () => {
  const r = loadClusterFromSources("staging", {
    "cluster.yaml": CLUSTER,
    "prometheus.yaml": prometheus("  deployment:\n    replicas: 1\n"),
  });
  assert.equal(r.findings.length, 1);
  const f = r.findings[0]!;
  assert.deepEqual([f.file, f.line, f.column, f.field], [
    "clusters/staging/prometheus.yaml",
    5,
    15,
    "spec.deployment.replicas",
  ]);
  assert.match(f.message, /^with one Prometheus replica there is no HA pair: while it restarts/);
  assert.match(f.message, /set spec\.deployment\.highAvailability: false to accept this$/);
  const optedOut = loadClusterFromSources("staging", {
    "cluster.yaml": CLUSTER,
    "prometheus.yaml": prometheus("  deployment:\n    replicas: 1\n    highAvailability: false\n"),
  });
  assert.deepEqual(optedOut.findings, []);
  assert.equal(optedOut.cluster?.prometheus.deployment.replicas, 1);
});

const csc = (kind: string, spec: string) =>
  `apiVersion: addons.metalk8s.scality.com/v1alpha1\nkind: ${kind}\nspec:\n${spec}`;

Deno.test("loadClusterFromSources() refuses one Alertmanager replica without the opt-out", () => {
  const am = (deployment: string) => ({
    "cluster.yaml": CLUSTER,
    "alertmanager.yaml": csc("AlertmanagerConfig", `  deployment:\n${deployment}`),
  });
  assert.deepEqual(lines(am("    replicas: 1\n")), [
    "clusters/staging/alertmanager.yaml:5:15: error: spec.deployment.replicas: with one " +
    "Alertmanager replica there is no cluster: while it restarts (upgrade, node drain, crash) " +
    "no notification goes out, so every page is late by the length of the outage, and losing " +
    "its volume loses every silence; set spec.deployment.highAvailability: false to accept " +
    "this [schema]",
  ]);
  const optedOut = loadClusterFromSources(
    "staging",
    am("    replicas: 1\n    highAvailability: false\n"),
  );
  assert.deepEqual(optedOut.findings, []);
  assert.equal(optedOut.cluster?.alertmanager.deployment.replicas, 1);
});

Deno.test("loadClusterFromSources() refuses an inline credential in any file, without its value", () => {
  const found = lines({
    "cluster.yaml": CLUSTER,
    "alertmanager.yaml": csc(
      "AlertmanagerConfig",
      `  notification:
    config:
      receivers:
        - name: pager
          pagerduty_configs:
            - routing_key: 0123456789abcdef
        - name: hook
          webhook_configs:
            - url: https://hooks.example.com/x?token=s3cr3t
              http_config:
                basic_auth:
                  username: am
                  password: s3cr3t
                authorization:
                  credentials: s3cr3t
`,
    ),
    "grafana.yaml": csc(
      "GrafanaConfig",
      `  config:
    grafana.ini:
      security:
        admin_password: s3cr3t
        secret_key: s3cr3t
      database:
        password: s3cr3t
      smtp:
        password: $__file{/etc/grafana-secrets/smtp}
`,
    ),
  });
  assert.doesNotMatch(found.join("\n"), /s3cr3t|0123456789abcdef/);
  assert.deepEqual(found.map((l) => l.replace(/: error: (\S+): .*\[(\S+)\]$/, " $1 [$2]")), [
    "clusters/staging/alertmanager.yaml:9:15 spec.notification.config.receivers[0].pagerduty_configs[0].routing_key [credentials]",
    "clusters/staging/alertmanager.yaml:12:15 spec.notification.config.receivers[1].webhook_configs[0].url [credentials]",
    "clusters/staging/alertmanager.yaml:16:19 spec.notification.config.receivers[1].webhook_configs[0].http_config.basic_auth.password [credentials]",
    "clusters/staging/alertmanager.yaml:18:19 spec.notification.config.receivers[1].webhook_configs[0].http_config.authorization.credentials [credentials]",
    'clusters/staging/grafana.yaml:7:9 spec.config["grafana.ini"].security.admin_password [credentials]',
    'clusters/staging/grafana.yaml:8:9 spec.config["grafana.ini"].security.secret_key [credentials]',
    'clusters/staging/grafana.yaml:10:9 spec.config["grafana.ini"].database.password [credentials]',
    'clusters/staging/grafana.yaml:10:19 spec.config["grafana.ini"].database.password [schema]',
  ]);
  assert.match(found[0]!, /use routing_key_file pointing at a file under \/etc\/alertmanager/);
  assert.match(found[4]!, /use \$__file\{\/path\/to\/mounted\/secret\} or \$__env\{VAR\}/);
  assert.match(found[7]!, /expected the database's password in spec\.database\.passwordSecret/);
});

Deno.test("loadClusterFromSources() refuses several Grafana replicas without a shared database", () => {
  const grafana = (spec: string) => ({
    "cluster.yaml": CLUSTER,
    "grafana.yaml": csc("GrafanaConfig", spec),
  });
  assert.deepEqual(lines(grafana("  deployment:\n    replicas: 2\n")), [
    "clusters/staging/grafana.yaml:5:15: error: spec.deployment.replicas: expected 1 Grafana " +
    "replica without a shared database: each replica would keep its own SQLite file of users, " +
    "sessions and preferences, so a login made on one pod is unknown to the next; set " +
    "spec.database (postgres or mysql) to run more, found 2 [schema]",
  ]);
  const shared = loadClusterFromSources(
    "staging",
    grafana(`  deployment:
    replicas: 2
  database:
    type: mysql
    host: db.example.com
    user: grafana
    passwordSecret:
      name: grafana-db
`),
  );
  assert.deepEqual(shared.findings, []);
  assert.deepEqual(shared.cluster?.grafana.config["grafana.ini"].database, {
    type: "mysql",
    host: "db.example.com",
    name: "grafana",
    user: "grafana",
  });
  assert.deepEqual(shared.cluster?.grafana.database?.passwordSecret, {
    name: "grafana-db",
    key: "password",
  });
});

Deno.test("loadClusterFromSources() refuses an Ingress that says nothing of Thanos Query's authentication", () => {
  const ingress = (auth: string) => ({
    "cluster.yaml": CLUSTER +
      "  ingress:\n    className: nginx\n    grafanaHost: g.example.com\n" +
      `    thanosHost: t.example.com\n${auth}`,
  });
  assert.deepEqual(lines(ingress("")), [
    "clusters/staging/cluster.yaml:9:3: error: spec.ingress.thanosAuth: Thanos Query's UI and " +
    "API have no login of their own: set spec.ingress.thanosAuth to authUrl (an authentication " +
    "service such as oauth2-proxy), basicAuthSecret (a Secret of htpasswd users) or, " +
    "knowingly, unauthenticated: <the reason> [schema]",
  ]);
  assert.deepEqual(
    lines(
      ingress(
        "    thanosAuth:\n      basicAuthSecret: users\n      authUrl: https://a.example.com/\n",
      ),
    ),
    [
      "clusters/staging/cluster.yaml:14:24: error: spec.ingress.thanosAuth.basicAuthSecret: " +
      "expected exactly one of authUrl, basicAuthSecret or unauthenticated (a reason), found " +
      "authUrl and basicAuthSecret [schema]",
    ],
  );
  assert.deepEqual(
    lines(
      ingress(
        "    thanosAuth:\n      signinUrl: https://a.example.com/start\n      unauthenticated: a lab\n",
      ),
    ),
    [
      "clusters/staging/cluster.yaml:14:18: error: spec.ingress.thanosAuth.signinUrl: expected " +
      "signinUrl only with authUrl (it is where authUrl's 401 sends a browser) [schema]",
    ],
  );
  const opted = loadClusterFromSources(
    "staging",
    ingress("    thanosAuth:\n      unauthenticated: a lab\n"),
  );
  assert.deepEqual(opted.findings, []);
  assert.equal(opted.cluster?.spec.ingress?.controllerNamespace, "ingress-nginx");
});

Deno.test("loadClusterFromSources() reads a heartbeat only from the receivers' Secret", () => {
  const am = (file: string) => ({
    "cluster.yaml": CLUSTER,
    "alertmanager.yaml": csc("AlertmanagerConfig", `  heartbeat:\n    urlFile: ${file}\n`),
  });
  assert.deepEqual(lines(am("/tmp/url")), [
    "clusters/staging/alertmanager.yaml:5:14: error: spec.heartbeat.urlFile: expected a file of " +
    "the Secret alertmanager-receivers: /etc/alertmanager/secrets/alertmanager-receivers/<key>, " +
    'found "/tmp/url" [schema]',
  ]);
  const r = loadClusterFromSources(
    "staging",
    am("/etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url"),
  );
  assert.deepEqual(r.findings, []);
  assert.equal(r.cluster?.alertmanager.heartbeat?.interval, "1m");
});

Deno.test("loadClusterFromSources() refuses a retention_size larger than the volume", () => {
  assert.deepEqual(
    lines({
      "cluster.yaml": CLUSTER,
      "prometheus.yaml": prometheus("  config:\n    retention_size: 40GB\n"),
    }),
    [
      "clusters/staging/prometheus.yaml:5:21: error: spec.config.retention_size: expected at " +
      "most the Prometheus volume (spec.storage.prometheus.size 20Gi in cluster.yaml, 20 GiB), " +
      "found 40GB (40 GiB); Prometheus reads GB as 2^30 bytes [schema]",
    ],
  );
});

Deno.test("loadClusterFromSources() refuses a metadata.name other than the folder's", () => {
  assert.deepEqual(lines({ "cluster.yaml": CLUSTER }, "production"), [
    'clusters/production/cluster.yaml:4:9: error: metadata.name: expected "production" ' +
    '(the folder\'s name), found "staging" [schema]',
  ]);
});

Deno.test("loadClusterFromSources() says expected and found for bad values", () => {
  assert.deepEqual(
    lines({
      "cluster.yaml": `apiVersion: monitoring.dev/v1alpha1
kind: Cluster
metadata:
  name: staging
spec:
  reconciler: flu
  scrapeInterval: 30 seconds
  storage:
    prometheus: { size: 50GB }
`,
      "prometheus.yaml": prometheus("  config:\n    retention_size: 0\n    enable_admin_api: 1\n"),
    }),
    [
      'clusters/staging/cluster.yaml:6:15: error: spec.reconciler: expected one of "argocd", ' +
      '"flux", "none", found "flu"; did you mean "flux"? [schema]',
      "clusters/staging/cluster.yaml:7:19: error: spec.scrapeInterval: expected a Prometheus " +
      'duration such as 30s, 10d or 1h30m (units y w d h m s ms), found "30 seconds" [schema]',
      "clusters/staging/cluster.yaml:9:25: error: spec.storage.prometheus.size: expected a " +
      'Kubernetes quantity such as 50Gi or 500Mi, found "50GB" [schema]',
      "clusters/staging/prometheus.yaml:5:21: error: spec.config.retention_size: expected a " +
      'string, found 0 (a number; quote it: "0") [schema]',
      "clusters/staging/prometheus.yaml:6:23: error: spec.config.enable_admin_api: expected " +
      "true or false, found 1 (a number) [schema]",
    ],
  );
});

Deno.test("loadClusterFromSources() points a missing field at its parent key", () => {
  assert.deepEqual(
    lines({ "cluster.yaml": "apiVersion: monitoring.dev/v1alpha1\nkind: Cluster\nmetadata: {}\n" }),
    [
      "clusters/staging/cluster.yaml:3:1: error: metadata.name: required; expected a string, " +
      "found nothing [schema]",
    ],
  );
});

Deno.test("loadClusterFromSources() reports a duplicate key where it is repeated", () => {
  assert.deepEqual(
    lines({
      "cluster.yaml": CLUSTER,
      "prometheus.yaml": prometheus("  config:\n    retention_time: 1d\n    retention_time: 2d\n"),
    }),
    [
      "clusters/staging/prometheus.yaml:6:5: error: duplicate key `retention_time`; a key may " +
      "appear once [yaml]",
    ],
  );
});

Deno.test("loadClusterFromSources() reports a wrong kind and a missing cluster.yaml", () => {
  assert.deepEqual(
    lines({
      "prometheus.yaml": "apiVersion: addons.metalk8s.scality.com\nkind: GrafanaConfig\n",
    }),
    [
      "clusters/staging/cluster.yaml: error: missing; every cluster folder has a cluster.yaml " +
      "(kind: Cluster) [schema]",
      'clusters/staging/prometheus.yaml:2:7: error: kind: expected "PrometheusConfig", found ' +
      '"GrafanaConfig" [schema]',
    ],
  );
});

Deno.test("loadClusterFromSources() locates errors inside extra rules", () => {
  assert.deepEqual(
    lines({
      "cluster.yaml": CLUSTER,
      "prometheus.yaml": prometheus(`  extraRules:
    groups:
      - name: team
        rules:
          - alert: TeamDown
            expr: up == 0
            for: 5 minutes
            labelz: { severity: critical }
`),
    }),
    [
      "clusters/staging/prometheus.yaml:10:18: error: spec.extraRules.groups[0].rules[0].for: " +
      'expected a Prometheus duration such as 0s, 5m or 1h30m, found "5 minutes" [schema]',
      "clusters/staging/prometheus.yaml:11:13: error: spec.extraRules.groups[0].rules[0].labelz: " +
      "unknown key `labelz`; did you mean `labels`? (expected one of: alert, annotations, expr, " +
      "for, keep_firing_for, labels, record) [schema]",
    ],
  );
});

Deno.test("locate() gives the line and column of a value, or of the nearest key", () => {
  const source = { path: "clusters/staging/cluster.yaml", text: CLUSTER };
  assert.deepEqual(locate(source, ["spec", "storage", "prometheus", "size"]), {
    line: 8,
    column: 13,
  });
  assert.deepEqual(locate(source, ["spec", "ingress", "className"]), { line: 5, column: 1 });
});

Deno.test("didYouMean() proposes close keys only", () => {
  assert.equal(editDistance("retension_time", "retention_time"), 1);
  assert.equal(editDistance("recievers", "receivers"), 1);
  assert.equal(didYouMean("retentionTime", ["retention_size", "retention_time"]), "retention_time");
  assert.equal(didYouMean("replicas", ["retention_time", "enable_admin_api"]), undefined);
});

Deno.test("loadCluster() reads a folder and names files from the repository root", async () => {
  const r = await loadCluster(join(TESTDATA, "clusters", "misspelt"));
  assert.equal(r.cluster, undefined);
  assert.deepEqual(r.findings.map(formatFinding), [
    "tasks/model/testdata/clusters/misspelt/prometheus.yaml:6:5: error: " +
    "spec.config.retension_time: unknown key `retension_time`; did you mean `retention_time`? " +
    "(expected one of: enable_admin_api, retention_size, retention_time) [schema]",
  ]);
});

Deno.test("loadAllClusters() loads every cluster folder and skips the reconciler folders", async () => {
  const r = await loadAllClusters(join(TESTDATA, "clusters"));
  assert.deepEqual(r.clusters.map((c) => c.name), ["tiny"]);
  assert.equal(r.findings.length, 1);
  const repo = await loadAllClusters(CLUSTERS_DIR);
  assert.deepEqual(repo.findings.map(formatFinding), []);
  assert.deepEqual(repo.clusters.map((c) => c.name), ["edge", "local", "production", "staging"]);
});

Deno.test("loadClusterFromSources() words a refinement of a scalar as expected and found", () => {
  assert.deepEqual(
    lines({
      "cluster.yaml": CLUSTER,
      "prometheus.yaml": prometheus(`  config:
    retention_time: 0s
  extraRules:
    groups:
      - name: team
        rules:
          - alert: TeamDown
            expr: up == 0
            for: ""
`),
    }),
    [
      "clusters/staging/prometheus.yaml:5:21: error: spec.config.retention_time: expected a " +
      'duration longer than 0, found "0s" [schema]',
      "clusters/staging/prometheus.yaml:12:18: error: spec.extraRules.groups[0].rules[0].for: " +
      'expected a Prometheus duration such as 0s, 5m or 1h30m, found "" [schema]',
    ],
  );
});

Deno.test("loadClusterFromSources() asks for an https API server URL", () => {
  assert.deepEqual(
    lines({
      "cluster.yaml": CLUSTER + "  destination:\n    server: http://10.0.0.1:6443\n",
    }),
    [
      "clusters/staging/cluster.yaml:10:13: error: spec.destination.server: expected an https " +
      'URL such as https://kubernetes.default.svc, found "http://10.0.0.1:6443" [schema]',
    ],
  );
});

Deno.test("loadClusterFromSources() refuses a single Thanos Query, which has no opt-out", () => {
  assert.deepEqual(lines({ "cluster.yaml": CLUSTER + "  thanosQuery:\n    replicas: 1\n" }), [
    "clusters/staging/cluster.yaml:10:15: error: spec.thanosQuery.replicas: expected at least 2, " +
    "found 1 (a number) [schema]",
  ]);
});
