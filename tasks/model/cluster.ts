/**
 * The cluster files' schemas: one zod schema per file of a cluster folder (`cluster.yaml` and the
 * three MetalK8s-style CSC files). The TypeScript types, the editors' JSON Schema and the
 * reference documentation all come from these schemas; merged_cluster.ts builds the `Cluster`
 * every task reads from the parsed files.
 */
import { z } from "zod";
import { RuleFileSchema } from "../rules/rule_group.ts";
import { RECEIVER_SECRETS_DIR } from "./credentials.ts";
import { RuleParams } from "./rule_params.ts";
import { Components } from "./components.ts";
import { Duration, expected, Quantity, Size } from "./units.ts";
// The local cluster and the test plan still import it from here.
export { parseDuration } from "./units.ts";

/** Our own kind's apiVersion. */
export const CLUSTER_API_VERSION = "monitoring.dev/v1alpha1";
/** The CSC files' apiVersion, with or without its version suffix (MetalK8s accepts both). */
export const CSC_API_VERSIONS = [
  "addons.metalk8s.scality.com",
  "addons.metalk8s.scality.com/v1alpha1",
] as const;

/**
 * The external label that tells the replicas of one Prometheus apart. The Prometheus CR's
 * `replicaExternalLabelName` and Thanos Query's `--query.replica-label` both come from here, so
 * deduplication can never silently break on a renamed label.
 */
export const REPLICA_LABEL = "prometheus_replica";
/** The external label every Prometheus carries, set to the cluster's name. */
export const CLUSTER_LABEL = "cluster";

/** The file names of a cluster folder, and which kind each holds. */
export const CLUSTER_FILES = {
  "cluster.yaml": "Cluster",
  "prometheus.yaml": "PrometheusConfig",
  "alertmanager.yaml": "AlertmanagerConfig",
  "grafana.yaml": "GrafanaConfig",
} as const;
export type ClusterFileName = keyof typeof CLUSTER_FILES;

// ---------------------------------------------------------------------------------------------
// Scalars

const DNS_LABEL = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "a DNS label (lower case letters, digits and -)")
  .max(63);
const DNS_NAME = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    "a DNS name (lower case letters, digits, - and .)",
  )
  .max(253);
const LABEL_NAME = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a Prometheus label name such as region")
  .refine((s) => !s.startsWith("__"), expected("a label name not starting with __ (reserved)"));
const Labels = z.record(LABEL_NAME, z.string());
/** A Kubernetes label key: an optional DNS prefix and `/`, then a name. */
const LABEL_KEY = z
  .string()
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/,
    "a Kubernetes label key such as kubernetes.io/hostname",
  )
  .max(316);

// ---------------------------------------------------------------------------------------------
// cluster.yaml

/**
 * The default of `spec.runbookBaseUrl`: docs/alerts.md of this repository on its forge, with the
 * same placeholder host as the reconciler entry points (clusters/argocd/), which a fork replaces.
 */
export const PLACEHOLDER_RUNBOOK_BASE_URL =
  "https://git.example.com/platform/monitoring/blob/main/docs/alerts.md";

const Volume = (size: string, what: string) =>
  z.strictObject({
    size: Quantity.default(size).describe(`Size of each ${what} volume (default ${size}).`),
    storageClassName: z.string().min(1).optional().describe(
      "StorageClass of the volumes; absent = the cluster's default StorageClass.",
    ),
  });

/** The node label the HA replicas are spread over unless a cluster says otherwise. */
export const DEFAULT_SPREAD_TOPOLOGY_KEY = "kubernetes.io/hostname";

/** What Thanos Query's Ingress asks of a caller before letting a request through. */
export const ThanosAuth = z.strictObject({
  authUrl: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).optional().describe(
    "Authentication by a service: the ingress controller asks this URL before each request " +
      "and lets it through on a 2xx answer (ingress-nginx `auth-url`), e.g. oauth2-proxy's " +
      "https://auth.example.com/oauth2/auth.",
  ),
  signinUrl: z.url({ protocol: /^https?$/, error: "an http(s) URL" }).optional().describe(
    "With authUrl: where a browser is sent to log in when authUrl answers 401 " +
      "(ingress-nginx `auth-signin`), e.g. https://auth.example.com/oauth2/start?rd=$escaped_request_uri.",
  ),
  basicAuthSecret: DNS_NAME.optional().describe(
    "Authentication by password: the Secret (key `auth`, htpasswd lines) of the users the " +
      "ingress controller accepts (ingress-nginx `auth-type: basic`); created outside the " +
      "repository.",
  ),
  unauthenticated: z.string().min(1).optional().describe(
    "No authentication: Thanos Query's UI and API are open to whoever reaches the host. The " +
      "reason, which the Ingress keeps as its annotation monitoring.dev/unauthenticated.",
  ),
}).superRefine((a, ctx) => {
  const set = (["authUrl", "basicAuthSecret", "unauthenticated"] as const).filter((k) =>
    a[k] !== undefined
  );
  if (set.length !== 1) {
    ctx.addIssue({
      code: "custom",
      path: set.length > 1 ? [set[1] as string] : [],
      message: `expected exactly one of authUrl, basicAuthSecret or unauthenticated (a reason), ` +
        `found ${set.length === 0 ? "none" : set.join(" and ")}`,
    });
  }
  if (a.signinUrl !== undefined && a.authUrl === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["signinUrl"],
      message: "expected signinUrl only with authUrl (it is where authUrl's 401 sends a browser)",
    });
  }
});
export type ThanosAuth = z.infer<typeof ThanosAuth>;

/** Said when a cluster exposes Thanos Query without saying how callers authenticate. */
export const THANOS_AUTH_MISSING =
  "Thanos Query's UI and API have no login of their own: set spec.ingress.thanosAuth to " +
  "authUrl (an authentication service such as oauth2-proxy), basicAuthSecret (a Secret of " +
  "htpasswd users) or, knowingly, unauthenticated: <the reason>";

const Ingress = z.strictObject({
  className: z.string().min(1).describe("IngressClass, e.g. nginx."),
  grafanaHost: DNS_NAME.describe("Host name of Grafana."),
  thanosHost: DNS_NAME.describe("Host name of Thanos Query's UI and API."),
  tlsSecretName: DNS_NAME.optional().describe(
    "Secret (type kubernetes.io/tls) with the certificate of both hosts; absent = plain HTTP.",
  ),
  thanosAuth: ThanosAuth.optional().describe(
    "Required: how a caller of Thanos Query authenticates at the ingress controller (Grafana " +
      "has its own login).",
  ),
  controllerNamespace: DNS_LABEL.default("ingress-nginx").describe(
    "Namespace of the ingress controller's pods: the NetworkPolicies let them reach Grafana " +
      "and Thanos Query (default ingress-nginx).",
  ),
}).superRefine((ingress, ctx) => {
  if (ingress.thanosAuth === undefined) {
    ctx.addIssue({ code: "custom", path: ["thanosAuth"], message: THANOS_AUTH_MISSING });
  }
});

export const ClusterSpec = z.strictObject({
  reconciler: z.enum(["argocd", "flux", "none"]).default("argocd").describe(
    "What applies overlays/<name> to the cluster: argocd (the ApplicationSet in clusters/argocd), " +
      "flux (clusters/flux), or none (not deployed from git, e.g. the local cluster).",
  ),
  destination: z.strictObject({
    server: z.url({
      protocol: /^https$/,
      error: "an https URL such as https://kubernetes.default.svc",
    }).default("https://kubernetes.default.svc").describe(
      "API server URL of the cluster, as Argo CD knows it.",
    ),
    namespace: DNS_LABEL.default("monitoring").describe("Namespace of the stack."),
  }).prefault({}).describe("Where the stack is deployed."),
  ingress: Ingress.optional().describe(
    "Ingress for Grafana and Thanos Query; absent = no Ingress (reach them with port-forward).",
  ),
  externalLabels: Labels.default({})
    .superRefine((labels, ctx) => {
      for (const reserved of [CLUSTER_LABEL, REPLICA_LABEL]) {
        if (reserved in labels) {
          ctx.addIssue({
            code: "custom",
            path: [reserved],
            message: reserved === CLUSTER_LABEL
              ? "`cluster` is always set to metadata.name; remove it"
              : `\`${REPLICA_LABEL}\` is set by the operator on each replica; remove it`,
          });
        }
      }
    })
    .describe("External labels of every Prometheus; `cluster: <name>` is always added."),
  scrapeInterval: Duration.default("30s").describe("Default scrape interval (default 30s)."),
  evaluationInterval: Duration.default("30s").describe(
    "Rule evaluation interval (default 30s).",
  ),
  storage: z.strictObject({
    prometheus: Volume("50Gi", "Prometheus").prefault({}),
    alertmanager: Volume("1Gi", "Alertmanager").prefault({}),
  }).prefault({}).describe("Persistent volumes, one per replica."),
  thanosQuery: z.strictObject({
    replicas: z.int().min(2).max(10).default(2).describe(
      "Thanos Query replicas (default 2, at least 2: the one query endpoint survives a node).",
    ),
  }).prefault({}),
  clusterDomain: DNS_NAME.default("cluster.local").describe(
    "DNS domain of the cluster's Services (the kubelet's --cluster-domain): Thanos Query finds " +
      "the sidecars at thanos-sidecar.<namespace>.svc.<clusterDomain> (default cluster.local).",
  ),
  spread: z.strictObject({
    topologyKey: LABEL_KEY.default(DEFAULT_SPREAD_TOPOLOGY_KEY).describe(
      "Node label over whose values the replicas of Prometheus, Alertmanager and Thanos Query " +
        "are spread: kubernetes.io/hostname (default) puts each on its own node, " +
        "topology.kubernetes.io/zone each in its own zone.",
    ),
    mode: z.enum(["required", "preferred"]).default("required").describe(
      "required (default): two replicas never share a value of topologyKey, and a replica " +
        "that finds no free one stays Pending; preferred: the scheduler spreads them when it " +
        "can and puts them together when it cannot (a cluster of one node, such as local).",
    ),
  }).prefault({}).describe(
    "How the replicas of each HA component are kept apart, so one node (or zone) lost never " +
      "takes every replica with it.",
  ),
  components: Components.prefault({}),
  runbookBaseUrl: z.url({
    protocol: /^https?$/,
    error:
      "an http(s) URL such as https://git.example.com/platform/monitoring/blob/main/docs/alerts.md",
  }).default(PLACEHOLDER_RUNBOOK_BASE_URL).describe(
    "Where each alert's runbook_url points: this page followed by #<alert name in lower case>, " +
      "the alert's section of docs/alerts.md as your fork publishes it. The default is a " +
      "placeholder: set it to your fork's docs.",
  ),
});
export type ClusterSpec = z.infer<typeof ClusterSpec>;

export const ClusterFile = z.strictObject({
  apiVersion: z.literal(CLUSTER_API_VERSION),
  kind: z.literal("Cluster"),
  metadata: z.strictObject({
    name: DNS_LABEL.describe("The cluster's name; equals its folder's name."),
  }),
  spec: ClusterSpec.prefault({}),
}).describe("clusters/<name>/cluster.yaml: where and how this cluster is deployed.");
export type ClusterFile = z.infer<typeof ClusterFile>;

// ---------------------------------------------------------------------------------------------
// PrometheusConfig

const CscApiVersion = z.enum(CSC_API_VERSIONS);

/** Extra rules are Prometheus rule groups, checked by the same schema as the default rules. */
export type { Rule, RuleGroup } from "../rules/rule_group.ts";

/** What a single Prometheus loses; said whenever one replica is asked for. */
export const SINGLE_PROMETHEUS_LOSS =
  "with one Prometheus replica there is no HA pair: while it restarts (upgrade, node drain, " +
  "crash) nothing is scraped, no alert is evaluated, and Thanos Query has no second replica " +
  "to fill the gap, so the history keeps a blank; set spec.deployment.highAvailability: false " +
  "to accept this";

export const PrometheusSpec = z.strictObject({
  deployment: z.strictObject({
    replicas: z.int().min(1).max(10).default(2).describe(
      "Prometheus replicas, each scraping every target (default 2, an HA pair).",
    ),
    highAvailability: z.boolean().default(true).describe(
      "false accepts a single replica and the blanks it leaves in the history.",
    ),
  }).superRefine((d, ctx) => {
    if (d.replicas === 1 && d.highAvailability) {
      ctx.addIssue({ code: "custom", path: ["replicas"], message: SINGLE_PROMETHEUS_LOSS });
    }
  }).prefault({}),
  config: z.strictObject({
    retention_time: Duration.default("10d").describe("How long samples are kept (default 10d)."),
    retention_size: Size.default("0").describe(
      "Most bytes of blocks kept per replica; 0 = no limit. Must fit the Prometheus volume.",
    ),
    enable_admin_api: z.boolean().default(false).describe(
      "Enables the TSDB admin API (needed for snapshots only).",
    ),
  }).prefault({}),
  rules: RuleParams.prefault({}).describe(
    "Parameters of the default alerts: <group>.<alert>.<severity>.<parameter>.",
  ),
  extraRules: z.strictObject({
    groups: RuleFileSchema.shape.groups.default([]).describe(
      "Prometheus rule groups added to this cluster (rule-group format).",
    ),
  }).prefault({}),
});
export type PrometheusSpec = z.infer<typeof PrometheusSpec>;

export const PrometheusConfigFile = z.strictObject({
  apiVersion: CscApiVersion,
  kind: z.literal("PrometheusConfig"),
  spec: PrometheusSpec.prefault({}),
}).describe("clusters/<name>/prometheus.yaml: the MetalK8s PrometheusConfig CSC.");
export type PrometheusConfigFile = z.infer<typeof PrometheusConfigFile>;

// ---------------------------------------------------------------------------------------------
// AlertmanagerConfig

const Loose = z.record(z.string(), z.unknown());

/** An Alertmanager configuration's top level; below it, Alertmanager's own checks apply. */
export const AlertmanagerConfigDoc = z.strictObject({
  global: Loose.optional(),
  route: Loose.optional(),
  receivers: z.array(Loose).optional(),
  inhibit_rules: z.array(Loose).optional(),
  templates: z.array(z.string()).optional(),
  time_intervals: z.array(Loose).optional(),
  mute_time_intervals: z.array(Loose).optional(),
});
export type AlertmanagerConfigDoc = z.infer<typeof AlertmanagerConfigDoc>;

/** What a single Alertmanager loses; said whenever fewer than two replicas are asked for. */
export const SINGLE_ALERTMANAGER_LOSS =
  "with one Alertmanager replica there is no cluster: while it restarts (upgrade, node drain, " +
  "crash) no notification goes out, so every page is late by the length of the outage, and " +
  "losing its volume loses every silence; set spec.deployment.highAvailability: false to " +
  "accept this";

/** The file of the heartbeat URL must be in the Secret the operator mounts for receivers. */
const RECEIVER_FILE_RE = new RegExp(
  `^${RECEIVER_SECRETS_DIR.replaceAll(".", "\\.")}[A-Za-z0-9._-]+$`,
);

export const Heartbeat = z.strictObject({
  urlFile: z.string().regex(
    RECEIVER_FILE_RE,
    `a file of the Secret alertmanager-receivers: ${RECEIVER_SECRETS_DIR}<key>`,
  ).describe(
    "File holding the URL of the dead man's switch service (a key of the Secret " +
      "alertmanager-receivers, created outside the repository); Alertmanager posts the " +
      "Watchdog alert to it as a webhook.",
  ),
  interval: Duration.default("1m").describe(
    "How often the Watchdog alert is posted while alerting works (default 1m); the service " +
      "should raise its alarm after two intervals without one.",
  ),
});
export type Heartbeat = z.infer<typeof Heartbeat>;

export const AlertmanagerSpec = z.strictObject({
  deployment: z.strictObject({
    replicas: z.int().min(1).max(10).default(3).describe(
      "Alertmanager replicas, gossiping as one cluster (default 3).",
    ),
    highAvailability: z.boolean().default(true).describe(
      "false accepts a single replica, and the late pages and lost silences that come with it.",
    ),
  }).superRefine((d, ctx) => {
    if (d.replicas < 2 && d.highAvailability) {
      ctx.addIssue({ code: "custom", path: ["replicas"], message: SINGLE_ALERTMANAGER_LOSS });
    }
  }).prefault({}),
  heartbeat: Heartbeat.optional().describe(
    "A dead man's switch: the always-firing Watchdog alert is posted to an outside service, " +
      "which raises its own alarm when the posts stop (alerting is broken); absent = Watchdog " +
      "goes nowhere.",
  ),
  notification: z.strictObject({
    config: AlertmanagerConfigDoc.default({}).describe(
      "Alertmanager configuration merged over the defaults (maps recursively, lists appended). " +
        "Credentials only through *_file fields under /etc/alertmanager/secrets/.",
    ),
  }).prefault({}),
});
export type AlertmanagerSpec = z.infer<typeof AlertmanagerSpec>;

export const AlertmanagerConfigFile = z.strictObject({
  apiVersion: CscApiVersion,
  kind: z.literal("AlertmanagerConfig"),
  spec: AlertmanagerSpec.prefault({}),
}).describe("clusters/<name>/alertmanager.yaml: the MetalK8s AlertmanagerConfig CSC.");
export type AlertmanagerConfigFile = z.infer<typeof AlertmanagerConfigFile>;

// ---------------------------------------------------------------------------------------------
// GrafanaConfig

const IniValue = z.union([z.string(), z.number(), z.boolean()]);
const IniSection = z.record(z.string().regex(/^[A-Za-z0-9_.\-]+$/, "a grafana.ini key"), IniValue);
export type GrafanaIni = Record<string, Record<string, string | number | boolean>>;

/** Kubernetes Secret data keys. */
const SECRET_KEY = z.string().regex(/^[-._a-zA-Z0-9]+$/, "a Secret key such as password")
  .max(253);

export const GrafanaDatabase = z.strictObject({
  type: z.enum(["postgres", "mysql"]).describe("The database server's kind."),
  host: z.string().regex(
    /^[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:\d{1,5})?$/,
    "a host and optional port such as grafana-db.databases.svc:5432",
  ).describe("host:port of the database server."),
  name: z.string().min(1).default("grafana").describe("The database's name (default grafana)."),
  user: z.string().min(1).describe("The user Grafana logs in as."),
  passwordSecret: z.strictObject({
    name: DNS_NAME.describe("The Secret, created outside the repository."),
    key: SECRET_KEY.default("password").describe(
      "Its key holding the password (default password).",
    ),
  }).describe(
    "Where the user's password is: Grafana reads it from GF_DATABASE_PASSWORD, filled from this " +
      "Secret; never written in the repository.",
  ),
});
export type GrafanaDatabase = z.infer<typeof GrafanaDatabase>;

/** grafana.ini's database keys that spec.database sets, and the field that sets each. */
const DATABASE_INI_KEYS: Readonly<Record<string, string>> = {
  type: "type",
  host: "host",
  name: "name",
  user: "user",
  password: "passwordSecret",
};

/** Why more than one Grafana needs a shared database. */
export const GRAFANA_REPLICAS_NEED_DATABASE =
  "expected 1 Grafana replica without a shared database: each replica would keep its own " +
  "SQLite file of users, sessions and preferences, so a login made on one pod is unknown to " +
  "the next; set spec.database (postgres or mysql) to run more";

export const GrafanaSpec = z.strictObject({
  deployment: z.strictObject({
    replicas: z.int().min(1).max(10).default(1).describe(
      "Grafana replicas (default 1; more only with spec.database).",
    ),
  }).prefault({}),
  database: GrafanaDatabase.optional().describe(
    "A database shared by every Grafana replica; absent = a SQLite file per pod (one replica).",
  ),
  config: z.strictObject({
    "grafana.ini": z.record(
      z.string().regex(/^[A-Za-z0-9_.\-]+$/, "a grafana.ini section name"),
      IniSection,
    ).default({}).describe("grafana.ini sections and keys, merged over ours."),
  }).prefault({}),
}).superRefine((g, ctx) => {
  if (g.deployment.replicas > 1 && g.database === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["deployment", "replicas"],
      message: `${GRAFANA_REPLICAS_NEED_DATABASE}, found ${g.deployment.replicas}`,
    });
  }
  for (const key of Object.keys(g.config["grafana.ini"].database ?? {})) {
    const field = DATABASE_INI_KEYS[key];
    if (field === undefined) continue;
    ctx.addIssue({
      code: "custom",
      path: ["config", "grafana.ini", "database", key],
      message: `expected the database's ${key} in spec.database.${field}, found it in grafana.ini`,
    });
  }
});
export type GrafanaSpec = z.infer<typeof GrafanaSpec>;

export const GrafanaConfigFile = z.strictObject({
  apiVersion: CscApiVersion,
  kind: z.literal("GrafanaConfig"),
  spec: GrafanaSpec.prefault({}),
}).describe("clusters/<name>/grafana.yaml: the MetalK8s GrafanaConfig CSC.");
export type GrafanaConfigFile = z.infer<typeof GrafanaConfigFile>;

/** The schema of each file of a cluster folder. */
export const FILE_SCHEMAS = {
  "cluster.yaml": ClusterFile,
  "prometheus.yaml": PrometheusConfigFile,
  "alertmanager.yaml": AlertmanagerConfigFile,
  "grafana.yaml": GrafanaConfigFile,
} as const;
