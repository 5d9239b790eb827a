/**
 * A container's environment as the kubelet gives it: `env` values, `valueFrom` field and
 * resource references, ConfigMap and Secret keys, `envFrom`, and `$(VAR)` references expanded in
 * env values, `command` and `args`. Pure: ConfigMaps and Secrets come in as already read.
 */
import { expandVars } from "../render/container_env.ts";
import { parseQuantity } from "../model/units.ts";
import type { Container, Pod } from "../render/objects.ts";

export interface EnvSources {
  pod: Pod;
  /** The pod's IP and the node's, once known. */
  podIP: string;
  hostIP: string;
  configMaps: ReadonlyMap<string, Record<string, string>>;
  /** Secret data, already base64-decoded. */
  secrets: ReadonlyMap<string, Record<string, string>>;
  /** The node's allocatable CPU cores and memory bytes: the default of an unset limit. */
  nodeCpu: number;
  nodeMemory: number;
}

/** `metadata.labels['app']` and the other fieldRef paths the kubelet supports. */
export function fieldValue(path: string, src: Pick<EnvSources, "pod" | "podIP" | "hostIP">) {
  const { pod } = src;
  const keyed = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(path);
  if (keyed) return (pod.metadata[keyed[1] as "labels" | "annotations"] ?? {})[keyed[2]!] ?? "";
  switch (path) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace ?? "default";
    case "metadata.uid":
      return pod.metadata.uid ?? "";
    case "spec.nodeName":
      return pod.spec?.nodeName ?? "";
    case "spec.serviceAccountName":
      return pod.spec?.serviceAccountName ?? "default";
    case "status.podIP":
    case "status.podIPs":
      return src.podIP;
    case "status.hostIP":
    case "status.hostIPs":
      return src.hostIP;
    default:
      throw new Error(`unsupported fieldRef ${path}`);
  }
}

/** A resourceFieldRef's value: the container's limit or request, the node's when unset. */
export function resourceValue(
  ref: { containerName?: string; resource: string; divisor?: string | number },
  container: Container,
  src: Pick<EnvSources, "nodeCpu" | "nodeMemory">,
): string {
  const [kind, what] = ref.resource.split(".") as [string, string];
  const limits = kind === "limits" ? container.resources?.limits : container.resources?.requests;
  const limit = limits?.[what];
  const set = limit === undefined ? undefined : parseQuantity(limit);
  const fallback = what === "cpu" ? src.nodeCpu : src.nodeMemory;
  const value = kind === "requests" && set === undefined ? 0 : set ?? fallback;
  const divisor = parseQuantity(ref.divisor ?? 1) || 1;
  // The kubelet rounds up: 500m of CPU with divisor 1 is 1.
  return String(Math.ceil(value / divisor));
}

/** The container's environment, in order, with references resolved. Throws on a missing key
 * that is not optional, naming it (the kubelet's CreateContainerConfigError). */
export function containerEnv(container: Container, src: EnvSources): Map<string, string> {
  const vars = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    const cm = from.configMapRef, sec = from.secretRef;
    const ref = cm ?? sec;
    const data = (cm ? src.configMaps : src.secrets).get(ref?.name ?? "");
    if (!data) {
      if (ref?.optional) continue;
      throw new Error(`${cm ? "configmap" : "secret"} "${ref?.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) vars.set(`${prefix}${k}`, v);
  }
  for (const e of container.env ?? []) {
    if (e.valueFrom === undefined) {
      vars.set(e.name, expandVars(e.value ?? "", vars));
      continue;
    }
    const vf = e.valueFrom;
    if (vf.fieldRef) vars.set(e.name, fieldValue(vf.fieldRef.fieldPath, src));
    else if (vf.resourceFieldRef) {
      vars.set(e.name, resourceValue(vf.resourceFieldRef, container, src));
    } else {
      const ref = vf.configMapKeyRef ?? vf.secretKeyRef;
      if (!ref) throw new Error(`env ${e.name}: unsupported valueFrom`);
      const kind = vf.configMapKeyRef ? "configmap" : "secret";
      const data = (vf.configMapKeyRef ? src.configMaps : src.secrets).get(ref.name);
      const value = data?.[ref.key];
      if (value === undefined) {
        if (ref.optional) continue;
        throw new Error(
          data
            ? `couldn't find key ${ref.key} in ${kind} ${ref.name}`
            : `${kind} "${ref.name}" not found`,
        );
      }
      vars.set(e.name, value);
    }
  }
  return vars;
}
