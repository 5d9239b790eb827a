/**
 * The settings a reviewer looks for, read from a render by name: retention time and size,
 * replicas, resources, storage, images and versions, external labels, scrape and evaluation
 * intervals, and how the replicas are spread, of the Prometheus and Alertmanager objects;
 * replicas, images, resources, environment and spread of every workload; the Ingress hosts and
 * authentication; whom the NetworkPolicies let in; the heartbeat of the Alertmanager
 * configuration; grafana.ini. Two renders' settings compared give the changes. Secret values
 * are never read out: a variable filled from a Secret says which, an inline credential reads
 * `(redacted)`.
 */
import {
  type Affinity,
  type DaemonSet,
  type Deployment,
  type EnvVar,
  isKind,
  type K8sObject,
  type KeyRef,
  type NetworkPolicyPeer,
  type NetworkPolicyPort,
  type PersistentVolumeClaim,
  type PodSpec,
  type StatefulSet,
  type TopologySpreadConstraint,
} from "../render/objects.ts";
import type { LabelSelector } from "../render/selectors.ts";
import { parseIni } from "../generate/ini.ts";
import { INGRESS_AUTH } from "../generate/overlay.ts";
import { parseAlertmanagerConfig, type Receiver } from "../model/alertmanager_config.ts";
import { WATCHDOG_RECEIVER } from "../model/merged_cluster.ts";
import { ALERTMANAGER_CONFIG_SECRET, alertmanagerConfigOf } from "../validate/routing.ts";
import { type Change, leaves, opOf, valueChanges } from "./change.ts";
import { redactConfig, redactEnvValue, redactIniValue, redactUrl } from "./redact.ts";

/** A NetworkPolicy's rule of either direction. */
interface PolicyRule {
  from?: NetworkPolicyPeer[];
  to?: NetworkPolicyPeer[];
  ports?: NetworkPolicyPort[];
}

/** `subject` and `setting` joined: what the setting is on, and its name. */
const SEP = "\u0000";

function put(out: Map<string, string>, subject: string, setting: string, value: unknown) {
  if (value === undefined || value === null) return;
  out.set(`${subject}${SEP}${setting}`, String(value));
}

function putLeaves(out: Map<string, string>, subject: string, setting: string, value: unknown) {
  if (value === undefined || value === null) return;
  for (const [path, v] of leaves(value)) {
    put(out, subject, path ? `${setting} ${path}` : setting, v);
  }
}

function storageOf(
  out: Map<string, string>,
  subject: string,
  storage:
    | { volumeClaimTemplate?: { spec?: PersistentVolumeClaim["spec"] } | undefined }
    | undefined,
) {
  const claim = storage?.volumeClaimTemplate?.spec;
  if (!claim) return;
  put(out, subject, "storage size", claim.resources?.requests?.storage);
  put(out, subject, "storage class", claim.storageClassName ?? "(cluster default)");
}

const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"];

/** The workloads whose settings a diff shows. */
function isWorkload(o: K8sObject): o is Deployment | StatefulSet | DaemonSet {
  return WORKLOADS.includes(o.kind);
}
/** kustomize's content-hash suffix of generated ConfigMaps and Secrets. */
export const HASH_SUFFIX = /-[a-z0-9]{10}$/;

function selectorText(selector: LabelSelector | undefined): string {
  const parts = [
    ...Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector?.matchExpressions ?? []).map((e) =>
      `${e.key} ${e.operator}${e.values ? ` (${e.values.join(", ")})` : ""}`
    ),
  ];
  return `{${parts.join(", ")}}`;
}

/**
 * How the replicas of a pod are kept apart, one clause per anti-affinity term or spread
 * constraint: `required apart on kubernetes.io/hostname`; undefined when nothing keeps them apart.
 */
export function spreadOf(
  affinity: Affinity | undefined,
  constraints: readonly TopologySpreadConstraint[] | undefined,
): string | undefined {
  const anti = affinity?.podAntiAffinity ?? {};
  const clauses = [
    ...(anti.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      `required apart on ${t?.topologyKey}`
    ),
    ...(anti.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) =>
      `preferred apart on ${t?.podAffinityTerm?.topologyKey} (weight ${t?.weight})`
    ),
    ...(Array.isArray(constraints) ? constraints : []).map((c: TopologySpreadConstraint) =>
      `at most ${c?.maxSkew} more on one ${c?.topologyKey} (${
        c?.whenUnsatisfiable ?? "DoNotSchedule"
      })`
    ),
  ];
  return clauses.length ? clauses.join("; ") : undefined;
}

/** A container's environment variable as shown: its value (redacted if a secret) or its source. */
function envValue(e: EnvVar): string | undefined {
  if (e?.value !== undefined) return redactEnvValue(String(e.name), String(e.value));
  const from = e?.valueFrom;
  if (!from) return "(empty)";
  const optional = (ref: KeyRef) => (ref.optional ? " (optional)" : "");
  if (from.secretKeyRef) {
    const r = from.secretKeyRef;
    return `from Secret \`${r.name}\` key \`${r.key}\`${optional(r)}`;
  }
  if (from.configMapKeyRef) {
    const r = from.configMapKeyRef;
    return `from ConfigMap \`${r.name}\` key \`${r.key}\`${optional(r)}`;
  }
  if (from.fieldRef) return `from field ${from.fieldRef.fieldPath}`;
  if (from.resourceFieldRef) return `from resource ${from.resourceFieldRef.resource}`;
  return "from elsewhere";
}

/** The authentication an Ingress puts in front of its backend, or undefined when none is set. */
export function ingressAuthOf(annotations: Readonly<Record<string, string>>): string | undefined {
  const url = annotations[INGRESS_AUTH.url];
  if (url !== undefined) {
    const signin = annotations[INGRESS_AUTH.signin];
    return `service at ${redactUrl(url)}${
      signin !== undefined ? `, sign-in at ${redactUrl(signin)}` : ""
    }`;
  }
  const type = annotations[INGRESS_AUTH.type];
  if (type !== undefined) {
    return `${type}, users in Secret \`${annotations[INGRESS_AUTH.secret] ?? "(none)"}\``;
  }
  const reason = annotations[INGRESS_AUTH.unauthenticated];
  if (reason !== undefined) return `none (${reason})`;
  return undefined;
}

function peerText(p: NetworkPolicyPeer): string {
  if (p?.ipBlock) {
    return `${p.ipBlock.cidr}${p.ipBlock.except ? ` except ${p.ipBlock.except.join(", ")}` : ""}`;
  }
  const named = p?.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
  const onlyName = named !== undefined &&
    Object.keys(p.namespaceSelector?.matchLabels ?? {}).length === 1 &&
    !p.namespaceSelector?.matchExpressions;
  const ns = p?.namespaceSelector === undefined
    ? ""
    : onlyName
    ? `namespace \`${named}\``
    : `namespaces ${selectorText(p.namespaceSelector)}`;
  const pods = p?.podSelector === undefined ? "" : `pods ${selectorText(p.podSelector)}`;
  return pods && ns ? `${pods} in ${ns}` : pods || ns || "anyone";
}

/** A NetworkPolicy's rules of one direction: `namespace \`ingress-nginx\` on 3000/TCP`. */
function policyRules(
  rules: readonly PolicyRule[] | undefined,
  peers: "from" | "to",
): string | undefined {
  if (!Array.isArray(rules)) return undefined;
  if (rules.length === 0) return "none";
  return rules.map((r: PolicyRule) => {
    const who = (r?.[peers] ?? []).map(peerText);
    const ports = (r?.ports ?? []).map((p) =>
      `${p.port ?? "any port"}${p.endPort ? `-${p.endPort}` : ""}/${p.protocol ?? "TCP"}`
    );
    return `${who.length ? who.join(", ") : "anyone"}${
      ports.length ? ` on ${ports.join(", ")}` : ""
    }`;
  }).join("; ");
}

/** The heartbeat (where the Watchdog alert is posted, how often) of an Alertmanager configuration. */
function heartbeatOf(out: Map<string, string>, text: string | null) {
  if (text === null) return;
  const config = parseAlertmanagerConfig(text);
  if (config === null) return;
  const receiver = (config?.receivers ?? []).find((r) => r?.name === WATCHDOG_RECEIVER);
  if (!receiver) return;
  const s = "Alertmanager configuration";
  const shown = redactConfig(receiver) as Receiver;
  const targets = Object.entries(shown).filter(([k]) => k.endsWith("_configs")).flatMap((
    [kind, configs],
  ) =>
    (Array.isArray(configs) ? configs : []).map((c: Record<string, unknown> | null) => {
      const where = Object.entries(c ?? {}).filter(([k, v]) =>
        typeof v === "string" && (k.endsWith("_file") || k === "url" || k.endsWith("_url"))
      ).map(([k, v]) => `${k} ${v}`);
      return `${kind.replace(/_configs$/, "")}${where.length ? ` (${where.join(", ")})` : ""}`;
    })
  );
  put(out, s, "heartbeat", targets.length ? targets.join("; ") : "off (Watchdog goes nowhere)");
  const route = (config?.route?.routes ?? []).find((r) => r?.receiver === WATCHDOG_RECEIVER);
  if (targets.length) put(out, s, "heartbeat interval", route?.repeat_interval);
}

/** The settings of a render: `subject\0setting` → value. */
export function settingsOf(objects: readonly K8sObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    const name = o.metadata.name;
    if (isKind(o, "Prometheus")) {
      const spec = o.spec ?? {};
      const s = `Prometheus \`${name}\``;
      put(out, s, "replicas", spec.replicas ?? 1);
      put(out, s, "retention time", spec.retention ?? "(operator default)");
      put(out, s, "retention size", spec.retentionSize ?? "off");
      put(out, s, "image", spec.image);
      put(out, s, "version", spec.version);
      for (const [k, v] of Object.entries(spec.externalLabels ?? {})) {
        put(out, s, `external label \`${k}\``, v);
      }
      put(out, s, "replica label", spec.replicaExternalLabelName);
      put(out, s, "scrape interval", spec.scrapeInterval);
      put(out, s, "evaluation interval", spec.evaluationInterval);
      put(out, s, "admin API", spec.enableAdminAPI ? "enabled" : "disabled");
      storageOf(out, s, spec.storage);
      put(out, s, "spread", spreadOf(spec.affinity, spec.topologySpreadConstraints));
      putLeaves(out, s, "resources", spec.resources);
      put(out, s, "Thanos sidecar image", spec.thanos?.image);
      put(out, s, "Thanos sidecar version", spec.thanos?.version);
      putLeaves(out, s, "Thanos sidecar resources", spec.thanos?.resources);
    } else if (isKind(o, "Alertmanager")) {
      const spec = o.spec ?? {};
      const s = `Alertmanager \`${name}\``;
      put(out, s, "replicas", spec.replicas ?? 1);
      put(out, s, "image", spec.image);
      put(out, s, "version", spec.version);
      put(out, s, "retention", spec.retention);
      storageOf(out, s, spec.storage);
      put(out, s, "spread", spreadOf(spec.affinity, spec.topologySpreadConstraints));
      putLeaves(out, s, "resources", spec.resources);
    } else if (isWorkload(o)) {
      const spec: Partial<StatefulSet["spec"]> = o.spec ?? {};
      const s = `${o.kind} \`${name}\``;
      if (o.kind !== "DaemonSet") put(out, s, "replicas", spec.replicas ?? 1);
      const pod: Partial<PodSpec> = spec.template?.spec ?? {};
      put(out, s, "spread", spreadOf(pod.affinity, pod.topologySpreadConstraints));
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        put(out, s, `container \`${c.name}\` image`, c.image);
        putLeaves(out, s, `container \`${c.name}\` resources`, c.resources);
        for (const e of c.env ?? []) {
          put(out, s, `container \`${c.name}\` env ${e.name}`, envValue(e));
        }
      }
      storageOf(out, s, { volumeClaimTemplate: spec.volumeClaimTemplates?.[0] });
    } else if (isKind(o, "Ingress")) {
      const spec = o.spec ?? {};
      const s = `Ingress \`${name}\``;
      put(out, s, "class", spec.ingressClassName);
      const hosts = (spec.rules ?? []).map((r) => r.host).filter(Boolean);
      if (hosts.length) put(out, s, "hosts", hosts.join(", "));
      const tls = (spec.tls ?? []).map((t) => t.secretName);
      put(out, s, "TLS", tls.length ? `Secret ${tls.join(", ")}` : "off");
      put(out, s, "authentication", ingressAuthOf(o.metadata.annotations ?? {}));
    } else if (isKind(o, "NetworkPolicy")) {
      const spec = o.spec ?? {};
      const s = `NetworkPolicy \`${name}\``;
      put(out, s, "ingress from", policyRules(spec.ingress, "from"));
      put(out, s, "egress to", policyRules(spec.egress, "to"));
    } else if (
      o.kind === "Secret" && name.replace(HASH_SUFFIX, "") === ALERTMANAGER_CONFIG_SECRET
    ) {
      heartbeatOf(out, alertmanagerConfigOf([o]));
    } else if (isKind(o, "ConfigMap") && name.replace(HASH_SUFFIX, "") === "grafana-config") {
      const text = o.data?.["grafana.ini"];
      if (typeof text !== "string") continue;
      let ini;
      try {
        ini = parseIni(text);
      } catch {
        put(out, "Grafana", "grafana.ini", "(not parsable)");
        continue;
      }
      for (const [section, keys] of Object.entries(ini)) {
        for (const [k, v] of Object.entries(keys)) {
          put(out, "Grafana", `grafana.ini [${section}] ${k}`, redactIniValue(k, String(v)));
        }
      }
    }
  }
  return out;
}

/** Every setting added, removed or changed, as `Prometheus \`k8s\`: retention time`. */
export function settingChanges(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): Change[] {
  // In the order of the new render, a removed setting where it was in the old one.
  const order = [...after.keys()];
  let prev = -1;
  for (const key of before.keys()) {
    const at = order.indexOf(key);
    if (at >= 0) prev = at;
    else order.splice(++prev, 0, key);
  }
  const at = (key: string) => order.indexOf(key);
  const changes = valueChanges(before, after);
  return changes.sort((a, b) => at(a.key) - at(b.key)).map((v) => {
    const [subject, setting] = v.key.split(SEP);
    return {
      op: opOf(v),
      subject: `${subject}: ${setting}`,
      ...(v.from !== undefined ? { from: v.from } : {}),
      ...(v.to !== undefined ? { to: v.to } : {}),
    };
  });
}
