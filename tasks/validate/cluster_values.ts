/**
 * Where the values generate takes from a cluster folder are written. generate copies a cluster's
 * replicas, retention, external labels, intervals, volume sizes, spread, ingress, rule
 * parameters, extra rules, Alertmanager configuration, heartbeat, Grafana database and
 * grafana.ini into `overlays/<name>/`, files nobody edits; a finding about one of those values
 * points at its line in `clusters/<name>/` instead.
 *
 * The map is keyed by the rendered objects (kind, name and field), not by the overlay's files,
 * so it holds however generate lays out its patches. generated_lines_test.ts changes each field
 * of examples/clusters/example/ in turn and fails on any generated line it cannot trace back:
 * a new per-cluster field gets its line in clusterFieldOf() (or ofGrafanaIni(), heartbeatField()).
 */
import { CLUSTER_LABEL, type ClusterFileName } from "../model/cluster.ts";
import { WATCHDOG_RECEIVER } from "../model/merged_cluster.ts";
import { templatePlaceholders } from "../rules/templates.ts";
import { formatPath, parsePath, type Segment } from "../model/field_path.ts";
import { type ParsedYaml, parseYamlFile, positionInDoc } from "../model/yaml_locate.ts";

/** A place in a cluster's file. */
export interface ClusterSpot {
  file: string;
  line: number;
  column: number;
  /** The field in that file (`spec.deployment.replicas`). */
  field: string;
  /** false when the file does not set the field (a default applies): the spot is where it goes. */
  written: boolean;
}

type Path = Array<string | number>;

/** A field of a cluster file; `oneOf`: the first of these whose value is the rendered one. */
export type ClusterField =
  | { file: ClusterFileName; path: Path }
  | { file: ClusterFileName; oneOf: Path[] };

/** Where the Alertmanager configuration and grafana.ini sit in their CSC files. */
export const ALERTMANAGER_CONFIG_PATH: Path = ["spec", "notification", "config"];
export const GRAFANA_INI_PATH: Path = ["spec", "config", "grafana.ini"];

const C = (...path: Path): ClusterField => ({ file: "cluster.yaml", path });
const P = (...path: Path): ClusterField => ({ file: "prometheus.yaml", path });
const A = (...path: Path): ClusterField => ({ file: "alertmanager.yaml", path });
const G = (...path: Path): ClusterField => ({ file: "grafana.yaml", path });

/** The two host names of cluster.yaml, told apart by the rendered value. */
const INGRESS_HOSTS: ClusterField = {
  file: "cluster.yaml",
  oneOf: [["spec", "ingress", "grafanaHost"], ["spec", "ingress", "thanosHost"]],
};

function startsWith(field: readonly Segment[], prefix: readonly string[]): boolean {
  return prefix.every((p, i) => field[i] === p);
}

/** A volumeClaimTemplate's size and class, from `spec.storage.<volume>` of cluster.yaml. */
function volume(which: "prometheus" | "alertmanager", rest: readonly Segment[]): ClusterField {
  const claim = ["volumeClaimTemplate", "spec"];
  if (startsWith(rest, [...claim, "resources", "requests", "storage"])) {
    return C("spec", "storage", which, "size");
  }
  if (startsWith(rest, [...claim, "storageClassName"])) {
    return C("spec", "storage", which, "storageClassName");
  }
  return C("spec", "storage", which);
}

/** Plain segments (a `[name]` selector has no counterpart in the cluster's files). */
function plain(rest: readonly Segment[]): Path {
  const out: Path = [];
  for (const s of rest) {
    if (typeof s === "object") break;
    out.push(s);
  }
  return out;
}

/** The anti-affinity generate writes from `spec.spread` of cluster.yaml. */
function spread(rest: readonly Segment[]): ClusterField {
  return rest.at(-1) === "topologyKey"
    ? C("spec", "spread", "topologyKey")
    : rest.length > 1
    ? C("spec", "spread", "mode")
    : C("spec", "spread");
}

/** The name of the env variable `field` is in (`…containers[0].env[1].value`), if any. */
function envName(field: readonly Segment[], object: unknown): string | undefined {
  const at = field.indexOf("env");
  if (at < 0 || field[at + 1] === undefined) return undefined;
  const name = valueAt(object, [...field.slice(0, at + 2), "name"]);
  return typeof name === "string" ? name : undefined;
}

/** The container variables generate sets from a cluster's files, by `<deployment>/<name>`. */
function envField(
  deployment: string,
  variable: string | undefined,
  field: readonly Segment[],
): ClusterField | null {
  switch (`${deployment}/${variable}`) {
    case "thanos-query/CLUSTER_DOMAIN":
      return C("spec", "clusterDomain");
    case "grafana/PROMETHEUS_SCRAPE_INTERVAL":
      return C("spec", "scrapeInterval");
    case "grafana/GF_DATABASE_PASSWORD": {
      const last = field.at(-1);
      return last === "name" || last === "key"
        ? G("spec", "database", "passwordSecret", last)
        : G("spec", "database", "passwordSecret");
    }
  }
  return null;
}

/** The annotations of the Thanos Query Ingress that `spec.ingress.thanosAuth` sets. */
const AUTH_ANNOTATIONS: Readonly<Record<string, string>> = {
  "nginx.ingress.kubernetes.io/auth-url": "authUrl",
  "nginx.ingress.kubernetes.io/auth-signin": "signinUrl",
  "nginx.ingress.kubernetes.io/auth-type": "basicAuthSecret",
  "nginx.ingress.kubernetes.io/auth-secret": "basicAuthSecret",
  "nginx.ingress.kubernetes.io/auth-realm": "basicAuthSecret",
  "monitoring.dev/unauthenticated": "unauthenticated",
};

/**
 * The cluster field generate renders into `field` of the object `kind`/`name` (`object`, the
 * rendered object or the patch, names the env variable a field is in); null when the value
 * comes from base/ or versions.json.
 */
export function clusterFieldOf(
  kind: string,
  name: string,
  field: readonly Segment[],
  object?: unknown,
): ClusterField | null {
  if (startsWith(field, ["metadata", "namespace"])) return C("spec", "destination", "namespace");
  const is = (...prefix: string[]) => startsWith(field, prefix);
  // kustomize suffixes the names of the ConfigMaps and Secrets it generates with a hash.
  const base = kind === "ConfigMap" || kind === "Secret"
    ? name.replace(/-[a-z0-9]{10}$/, "")
    : name;
  switch (`${kind}/${base}`) {
    case "Prometheus/k8s": {
      if (is("spec", "replicas")) return P("spec", "deployment", "replicas");
      if (is("spec", "externalLabels")) {
        const label = field[2];
        if (typeof label !== "string") return C("spec", "externalLabels");
        return label === CLUSTER_LABEL ? C("metadata", "name") : C("spec", "externalLabels", label);
      }
      if (is("spec", "scrapeInterval")) return C("spec", "scrapeInterval");
      if (is("spec", "evaluationInterval")) return C("spec", "evaluationInterval");
      if (is("spec", "retention")) return P("spec", "config", "retention_time");
      if (is("spec", "retentionSize")) return P("spec", "config", "retention_size");
      if (is("spec", "enableAdminAPI")) return P("spec", "config", "enable_admin_api");
      if (is("spec", "storage")) return volume("prometheus", field.slice(2));
      if (is("spec", "affinity")) return spread(field.slice(2));
      return null;
    }
    case "Alertmanager/main": {
      if (is("spec", "replicas")) return A("spec", "deployment", "replicas");
      if (is("spec", "storage")) return volume("alertmanager", field.slice(2));
      if (is("spec", "affinity")) return spread(field.slice(2));
      return null;
    }
    case "Deployment/grafana":
    case "Deployment/thanos-query": {
      if (is("spec", "replicas")) {
        return base === "grafana"
          ? G("spec", "deployment", "replicas")
          : C("spec", "thanosQuery", "replicas");
      }
      if (is("spec", "template", "spec", "affinity") && base === "thanos-query") {
        return spread(field.slice(4));
      }
      return envField(base, envName(field, object), field);
    }
    case "Ingress/grafana":
    case "Ingress/thanos-query": {
      if (is("spec", "ingressClassName")) return C("spec", "ingress", "className");
      if (is("spec", "tls") && field[3] === "hosts") return INGRESS_HOSTS;
      if (is("spec", "tls")) return C("spec", "ingress", "tlsSecretName");
      if (is("spec", "rules") && field[3] === "host") return INGRESS_HOSTS;
      const auth = is("metadata", "annotations") && typeof field[2] === "string"
        ? AUTH_ANNOTATIONS[field[2]]
        : undefined;
      return auth ? C("spec", "ingress", "thanosAuth", auth) : null;
    }
    case "NetworkPolicy/grafana-from-ingress-controller":
    case "NetworkPolicy/thanos-query-from-ingress-controller":
      return is("spec", "ingress") && field.includes("namespaceSelector")
        ? C("spec", "ingress", "controllerNamespace")
        : null;
    case "PrometheusRule/extra-rules":
      return is("spec", "groups")
        ? P("spec", "extraRules", "groups", ...plain(field.slice(2)))
        : null;
    case "Secret/alertmanager-main-config":
      return is("data", "alertmanager.yaml") || is("stringData", "alertmanager.yaml")
        ? A(...ALERTMANAGER_CONFIG_PATH)
        : null;
    case "ConfigMap/grafana-config":
      return is("data", "grafana.ini") ? G(...GRAFANA_INI_PATH) : null;
  }
  return null;
}

/** The cluster value a field of a merged configuration comes from: maps by key, list items by value. */
export function ownPath(merged: unknown, own: unknown, path: readonly Segment[]): {
  path: Path;
  complete: boolean;
} {
  const out: Path = [];
  let m = merged;
  let o = own;
  for (const seg of path) {
    if (Array.isArray(m) && Array.isArray(o) && typeof seg === "number") {
      // Lists are appended: an item the cluster wrote is in its own list, equal.
      const item = JSON.stringify(m[seg]);
      const j = o.findIndex((x) => JSON.stringify(x) === item);
      if (j < 0) return { path: out, complete: false };
      out.push(j);
      m = m[seg];
      o = o[j];
    } else if (isRecord(m) && isRecord(o) && typeof seg === "string" && seg in o) {
      out.push(seg);
      m = m[seg];
      o = o[seg];
    } else return { path: out, complete: false };
  }
  return { path: out, complete: true };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The field of `spec.heartbeat` a part of the Watchdog's route or receiver comes from (generate
 * points them at the cluster's dead man's switch); null for any other part.
 */
function heartbeatField(path: readonly Segment[], merged: unknown): Path | null {
  const [top, i, key] = path;
  if (top === "route" && i === "routes" && typeof key === "number") {
    if (valueAt(merged, ["route", "routes", key, "receiver"]) !== WATCHDOG_RECEIVER) return null;
    const field = path[3];
    if (field === "group_interval" || field === "repeat_interval") {
      return ["spec", "heartbeat", "interval"];
    }
    return field === "group_wait" ? ["spec", "heartbeat"] : null;
  }
  if (top === "receivers" && typeof i === "number" && path[2] === "webhook_configs") {
    if (valueAt(merged, ["receivers", i, "name"]) !== WATCHDOG_RECEIVER) return null;
    return path.includes("url_file") ? ["spec", "heartbeat", "urlFile"] : ["spec", "heartbeat"];
  }
  return null;
}

/** The value at `path` (`[name]` selects the list item of that name, as in field paths). */
export function valueAt(value: unknown, path: readonly Segment[]): unknown {
  let v = value;
  for (const seg of path) {
    if (typeof v !== "object" || v === null) return undefined;
    if (typeof seg === "object") {
      v = Array.isArray(v)
        ? v.find((x) => isRecord(x) && x.name === seg.name)
        : (v as Record<string, unknown>)[seg.name];
    } else v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** One cluster folder's files, for positions of the values generate takes from them. */
export class ClusterValues {
  readonly #parsed = new Map<string, ParsedYaml | null>();
  readonly #templates = new Map<string, unknown>();

  /**
   * `files`: the folder's files by name (`prometheus.yaml`); `dir`: `clusters/<name>`;
   * `ruleTemplates`: the default rule templates by the name of the PrometheusRule generate
   * renders from each (`node-exporter-rules`), whose `${…}` placeholders are the cluster's
   * rule parameters.
   */
  constructor(
    readonly dir: string,
    readonly files: ReadonlyMap<string, string>,
    readonly ruleTemplates: ReadonlyMap<string, string> = new Map(),
  ) {}

  #doc(file: ClusterFileName): ParsedYaml | null {
    if (!this.#parsed.has(file)) {
      const text = this.files.get(file);
      let parsed: ParsedYaml | null = null;
      if (text !== undefined) {
        try {
          parsed = parseYamlFile(text);
        } catch {
          parsed = null;
        }
      }
      this.#parsed.set(file, parsed);
    }
    return this.#parsed.get(file) ?? null;
  }

  /** The value at `path` of a cluster file, as parsed. */
  value(file: ClusterFileName, path: Path): unknown {
    const doc = this.#doc(file)?.docs[0];
    if (!doc || doc.errors.length > 0) return undefined;
    return valueAt(doc.toJS(), path);
  }

  /** The spot of `path` in a cluster file; null when the folder has no such file. */
  at(file: ClusterFileName, path: Path): ClusterSpot | null {
    const parsed = this.#doc(file);
    if (!parsed) return null;
    const doc = parsed.docs[0];
    const field = formatPath(path);
    if (!doc || doc.errors.length > 0) {
      return { file: `${this.dir}/${file}`, line: 1, column: 1, field, written: false };
    }
    const p = positionInDoc(doc, parsed.lc, path);
    return { file: `${this.dir}/${file}`, line: p.line, column: p.column, field, written: p.exact };
  }

  /**
   * Where this cluster sets `field` (`spec.replicas`) of a rendered object. `hint.value` is the
   * rendered value, which tells fields of the same kind apart (the two ingress hosts);
   * `hint.line` the line within a multi-line value (an alert's expression) a finding is on;
   * `hint.object` the object (or the patch) the field is in.
   */
  ofObject(
    kind: string,
    name: string,
    field: string | readonly Segment[],
    hint: { value?: unknown; line?: number | undefined; object?: unknown } = {},
  ): ClusterSpot | null {
    const segments = typeof field === "string" ? parsePath(field) : field;
    if (kind === "PrometheusRule" && this.ruleTemplates.has(name)) {
      return this.#ruleParameter(name, segments, hint.line);
    }
    const target = clusterFieldOf(kind, name, segments, hint.object);
    if (!target) return null;
    if ("path" in target) return this.at(target.file, target.path);
    const path = target.oneOf.find((p) => this.value(target.file, p) === hint.value);
    return path ? this.at(target.file, path) : null;
  }

  /**
   * A field of a default rule: the rule parameter its template fills in there, preferring one
   * the cluster's prometheus.yaml sets (`spec.rules.node_exporter.….warning.threshold`).
   */
  #ruleParameter(name: string, field: readonly Segment[], line?: number): ClusterSpot | null {
    // tasks/rules/templates.ts adds each alert's runbook_url from the cluster's base URL.
    if (field.at(-1) === "runbook_url" && field.at(-2) === "annotations") {
      return this.at("cluster.yaml", ["spec", "runbookBaseUrl"]);
    }
    if (!this.#templates.has(name)) {
      let groups: unknown;
      try {
        groups = parseYamlFile(this.ruleTemplates.get(name) ?? "").docs[0]?.toJS();
      } catch {
        groups = undefined;
      }
      this.#templates.set(name, groups);
    }
    // The rendered groups are the template's, placeholders filled: the same paths.
    const inTemplate = field[0] === "spec"
      ? valueAt(this.#templates.get(name), field.slice(1))
      : undefined;
    if (inTemplate === undefined) return null;
    // Filling a placeholder keeps the lines: the same line of the template names the parameter.
    const onLine = typeof inTemplate === "string" && line !== undefined
      ? inTemplate.split("\n")[line]
      : undefined;
    const text = onLine !== undefined && templatePlaceholders(onLine).length > 0
      ? onLine
      : JSON.stringify(inTemplate);
    const spots = templatePlaceholders(text).flatMap((key) => {
      const spot = this.at("prometheus.yaml", ["spec", "rules", ...key.split(".")]);
      return spot ? [spot] : [];
    });
    return spots.find((s) => s.written) ?? spots[0] ?? null;
  }

  /**
   * Where this cluster writes the value at `path` of the merged Alertmanager configuration
   * (`merged`, what the render holds), or the nearest field it writes on the way.
   */
  ofAlertmanagerConfig(path: readonly Segment[], merged: unknown): ClusterSpot | null {
    const heartbeat = heartbeatField(path, merged);
    if (heartbeat) {
      const spot = this.at("alertmanager.yaml", heartbeat);
      if (spot?.written) return spot;
    }
    const own = this.value("alertmanager.yaml", ALERTMANAGER_CONFIG_PATH);
    if (own === undefined) return null;
    const found = ownPath(merged, own, path);
    const spot = this.at("alertmanager.yaml", [...ALERTMANAGER_CONFIG_PATH, ...found.path]);
    return spot && { ...spot, written: spot.written && found.complete };
  }

  /** Where this cluster sets a grafana.ini key; null when grafana.yaml does not set it. */
  ofGrafanaIni(section: string, key: string): ClusterSpot | null {
    const spot = this.at("grafana.yaml", [...GRAFANA_INI_PATH, section, key]);
    if (spot?.written) return spot;
    // Settings generate derives from spec.database (databaseGrafanaIni()) and from the ingress
    // of cluster.yaml (defaultGrafanaIni()).
    if (section === "database" && ["type", "host", "name", "user"].includes(key)) {
      return this.at("grafana.yaml", ["spec", "database", key]);
    }
    if (section === "server" && (key === "domain" || key === "root_url")) {
      return this.at("cluster.yaml", ["spec", "ingress", "grafanaHost"]);
    }
    if (section === "security" && key === "cookie_secure") {
      return this.at("cluster.yaml", ["spec", "ingress", "tlsSecretName"]);
    }
    return null;
  }
}
