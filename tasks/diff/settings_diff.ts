/**
 * The settings a reviewer looks for, read from a render by name: retention time and size,
 * replicas, resources, storage, images and versions, external labels, scrape and evaluation
 * intervals of the Prometheus and Alertmanager objects; replicas, images and resources of every
 * workload; the Ingress hosts; grafana.ini. Two renders' settings compared give the changes.
 */
import type { K8sObject } from "../render/kustomize.ts";
import { parseIni } from "../generate/ini.ts";
import { type Change, leaves, opOf, valueChanges } from "./change.ts";
import { redactIniValue } from "./redact.ts";

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

function storageOf(out: Map<string, string>, subject: string, storage: unknown) {
  // deno-lint-ignore no-explicit-any
  const claim = (storage as any)?.volumeClaimTemplate?.spec;
  if (!claim) return;
  put(out, subject, "storage size", claim.resources?.requests?.storage);
  put(out, subject, "storage class", claim.storageClassName ?? "(cluster default)");
}

const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"];
/** kustomize's content-hash suffix of generated ConfigMaps and Secrets. */
export const HASH_SUFFIX = /-[a-z0-9]{10}$/;

/** The settings of a render: `subject\0setting` → value. */
export function settingsOf(objects: readonly K8sObject[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const o of objects) {
    const spec = o.spec ?? {};
    const name = o.metadata.name;
    if (o.kind === "Prometheus") {
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
      putLeaves(out, s, "resources", spec.resources);
      put(out, s, "Thanos sidecar image", spec.thanos?.image);
      put(out, s, "Thanos sidecar version", spec.thanos?.version);
      putLeaves(out, s, "Thanos sidecar resources", spec.thanos?.resources);
    } else if (o.kind === "Alertmanager") {
      const s = `Alertmanager \`${name}\``;
      put(out, s, "replicas", spec.replicas ?? 1);
      put(out, s, "image", spec.image);
      put(out, s, "version", spec.version);
      put(out, s, "retention", spec.retention);
      storageOf(out, s, spec.storage);
      putLeaves(out, s, "resources", spec.resources);
    } else if (WORKLOADS.includes(o.kind)) {
      const s = `${o.kind} \`${name}\``;
      if (o.kind !== "DaemonSet") put(out, s, "replicas", spec.replicas ?? 1);
      const pod = spec.template?.spec ?? {};
      for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
        put(out, s, `container \`${c.name}\` image`, c.image);
        putLeaves(out, s, `container \`${c.name}\` resources`, c.resources);
      }
      storageOf(out, s, { volumeClaimTemplate: spec.volumeClaimTemplates?.[0] });
    } else if (o.kind === "Ingress") {
      const s = `Ingress \`${name}\``;
      put(out, s, "class", spec.ingressClassName);
      const hosts = (spec.rules ?? []).map((r: { host?: string }) => r.host).filter(Boolean);
      if (hosts.length) put(out, s, "hosts", hosts.join(", "));
      const tls = (spec.tls ?? []).map((t: { secretName?: string }) => t.secretName);
      put(out, s, "TLS", tls.length ? `Secret ${tls.join(", ")}` : "off");
    } else if (o.kind === "ConfigMap" && name.replace(HASH_SUFFIX, "") === "grafana-config") {
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
