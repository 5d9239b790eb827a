/**
 * The merged model every task reads: the defaults of the Alertmanager and Grafana configuration
 * (the only place they are written), MetalK8s' merge of a CSC file over them, the `Cluster` built
 * from a folder's parsed files, and the rules between files that no single schema can express.
 */
import {
  type AlertmanagerConfigDoc,
  type AlertmanagerConfigFile,
  AlertmanagerSpec,
  type ClusterFile,
  type ClusterFileName,
  type ClusterSpec,
  type GrafanaConfigFile,
  type GrafanaDatabase,
  type GrafanaIni,
  GrafanaSpec,
  type Heartbeat,
  type PrometheusConfigFile,
  PrometheusSpec,
} from "./cluster.ts";
import { formatBytes, parseQuantity, parseSize } from "./units.ts";

// ---------------------------------------------------------------------------------------------
// Defaults and merging (the only place the defaults of the Alertmanager and Grafana configuration
// are written)

/** The receiver and route name of the always-firing Watchdog alert. */
export const WATCHDOG_RECEIVER = "watchdog";

/**
 * The Alertmanager configuration every cluster starts from; with a heartbeat, the Watchdog
 * alert is posted to it every `interval`.
 */
export function defaultAlertmanagerConfig(heartbeat?: Heartbeat): AlertmanagerConfigDoc {
  const watchdogRoute = {
    receiver: WATCHDOG_RECEIVER,
    matchers: ['alertname = "Watchdog"'],
    // At once, then every interval: the service counts the posts, not the alerts.
    ...(heartbeat
      ? {
        group_wait: "0s",
        group_interval: heartbeat.interval,
        repeat_interval: heartbeat.interval,
      }
      : {}),
  };
  const watchdogReceiver = heartbeat
    ? {
      name: WATCHDOG_RECEIVER,
      // No "resolved" post: when Prometheus dies Alertmanager resolves Watchdog, and a service
      // that counts any post as a ping would be fooled by it.
      webhook_configs: [{ url_file: heartbeat.urlFile, send_resolved: false }],
    }
    : { name: WATCHDOG_RECEIVER };
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: "null",
      group_by: ["alertname", "cluster", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: [
        // Watchdog always fires (it proves the alerting path); it goes nowhere unless the
        // cluster sets a heartbeat (spec.heartbeat of alertmanager.yaml).
        watchdogRoute,
        // InfoInhibitor only feeds the inhibit rule below; it is never meant to notify.
        { receiver: "null", matchers: ['alertname = "InfoInhibitor"'] },
      ],
    },
    receivers: [{ name: "null" }, watchdogReceiver],
    inhibit_rules: [
      {
        source_matchers: ['severity = "critical"'],
        target_matchers: ['severity =~ "warning|info"'],
        equal: ["alertname", "cluster", "namespace"],
      },
      {
        source_matchers: ['severity = "warning"'],
        target_matchers: ['severity = "info"'],
        equal: ["alertname", "cluster", "namespace"],
      },
      {
        // An info alert alone in its namespace (base/rules/general.rules.yaml) stays quiet.
        source_matchers: ['alertname = "InfoInhibitor"'],
        target_matchers: ['severity = "info"'],
        equal: ["cluster", "namespace"],
      },
    ],
  };
}

/**
 * The grafana.ini settings that follow from cluster.yaml; the static defaults are in
 * base/grafana/grafana.ini, and generate merges base, these, then the cluster's own, in that order.
 */
export function defaultGrafanaIni(spec: ClusterSpec): GrafanaIni {
  if (!spec.ingress) return {};
  const tls = spec.ingress.tlsSecretName !== undefined;
  return {
    security: { cookie_secure: tls },
    server: {
      domain: spec.ingress.grafanaHost,
      root_url: `${tls ? "https" : "http"}://${spec.ingress.grafanaHost}/`,
    },
  };
}

/**
 * grafana.ini's `[database]` for a shared database; the password is not here; Grafana reads it
 * from GF_DATABASE_PASSWORD, which the Deployment fills from the Secret.
 */
export function databaseGrafanaIni(db: GrafanaDatabase | undefined): GrafanaIni {
  if (!db) return {};
  return { database: { type: db.type, host: db.host, name: db.name, user: db.user } };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Merges `over` onto `base` the way MetalK8s merges a CSC over its defaults: maps recursively,
 * lists appended (an item already present is not added twice, since Alertmanager refuses
 * duplicated `group_by` labels and receivers), anything else replaced.
 */
export function mergeConfig(base: unknown, over: unknown): unknown {
  if (isMap(base) && isMap(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeConfig(base[k], v) : v;
    return out;
  }
  if (Array.isArray(base) && Array.isArray(over)) {
    const out = [...base];
    for (const item of over) if (!out.some((b) => deepEqual(b, item))) out.push(item);
    return out;
  }
  return over === undefined ? base : over;
}

// ---------------------------------------------------------------------------------------------
// The merged model

/** A file of a cluster folder as read: its path from the repository root and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** A cluster with every default applied and the CSC configurations merged over ours. */
export interface Cluster {
  name: string;
  /** The cluster's folder, relative to the repository root (`clusters/staging`). */
  dir: string;
  spec: ClusterSpec;
  prometheus: PrometheusSpec;
  alertmanager: AlertmanagerSpec;
  grafana: GrafanaSpec;
  /** Each file that was read, by file name (`prometheus.yaml`), for position lookups. */
  sources: Partial<Record<ClusterFileName, SourceFile>>;
}

/** The parsed files of one cluster folder; absent CSC files mean the defaults. */
export interface ClusterParts {
  cluster: ClusterFile;
  prometheus?: PrometheusConfigFile;
  alertmanager?: AlertmanagerConfigFile;
  grafana?: GrafanaConfigFile;
}

/** Builds the merged model from parsed files (defaults for the absent ones). */
export function buildCluster(
  dir: string,
  parts: ClusterParts,
  sources: Partial<Record<ClusterFileName, SourceFile>> = {},
): Cluster {
  const spec = parts.cluster.spec;
  const am = parts.alertmanager?.spec ?? AlertmanagerSpec.parse({});
  const gf = parts.grafana?.spec ?? GrafanaSpec.parse({});
  return {
    name: parts.cluster.metadata.name,
    dir,
    spec,
    prometheus: parts.prometheus?.spec ?? PrometheusSpec.parse({}),
    alertmanager: {
      ...am,
      notification: {
        config: mergeConfig(
          defaultAlertmanagerConfig(am.heartbeat),
          am.notification.config,
        ) as AlertmanagerConfigDoc,
      },
    },
    grafana: {
      ...gf,
      config: {
        "grafana.ini": mergeConfig(
          mergeConfig(defaultGrafanaIni(spec), databaseGrafanaIni(gf.database)),
          gf.config["grafana.ini"],
        ) as GrafanaIni,
      },
    },
    sources,
  };
}

/** A rule that spans fields or files, broken: where (file and field path) and why. */
export interface RuleViolation {
  file: ClusterFileName;
  path: (string | number)[];
  message: string;
}

/** Checks that no single schema can: those between fields of different files. */
export function crossFileViolations(parts: ClusterParts): RuleViolation[] {
  const out: RuleViolation[] = [];
  const size = parts.prometheus?.spec.config.retention_size;
  if (size !== undefined && size !== "0") {
    const volume = parts.cluster.spec.storage.prometheus.size;
    const sizeBytes = parseSize(size);
    const volumeBytes = parseQuantity(volume);
    if (sizeBytes > volumeBytes) {
      out.push({
        file: "prometheus.yaml",
        path: ["spec", "config", "retention_size"],
        message: `expected at most the Prometheus volume (spec.storage.prometheus.size ${volume} ` +
          `in cluster.yaml, ${formatBytes(volumeBytes)}), found ${size} ` +
          `(${formatBytes(sizeBytes)}); Prometheus reads GB as 2^30 bytes`,
      });
    }
  }
  return out;
}
