/**
 * A pod's volumes as host folders, ready to be bind-mounted at their `mountPath`: ConfigMaps and
 * Secrets (read with the node's own identity, which the Node authorizer limits to what the pods
 * bound to it use), emptyDir, downwardAPI, projected (a real service-account token from the
 * TokenRequest API, bound to the pod, with the cluster's root CA), hostPath and claims (the
 * folder of the PersistentVolume the claim is bound to). Called again while the pod runs, it
 * brings ConfigMap, Secret and token files up to date, atomically, as the kubelet does.
 */
import { chmodSync, chownSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeClient } from "../kube/client.ts";
import { type EnvSources, fieldValue, resourceValue } from "./env.ts";
import { type VolumeFile, writeAtomicDir } from "./atomic_dir.ts";
import {
  type Container,
  type DownwardItem,
  isKind,
  type KeyToPath,
  type Pod,
  type ProjectedSource,
  type Volume,
} from "../render/objects.ts";

export interface VolumeEnv {
  /** A client with the node's identity. */
  client: KubeClient;
  pod: Pod;
  /** The pod's volumes folder on the host. */
  dir: string;
  sources: Omit<EnvSources, "pod" | "configMaps" | "secrets">;
  /** The host folder of the PersistentVolume a claim is bound to; throws while it is unbound. */
  claimPath: (claimName: string) => Promise<string>;
  /** Tokens already issued for this pod, reused until 80% of their life is gone. */
  tokens: Map<string, { token: string; refreshAt: number }>;
}

export interface MountableVolume {
  /** The host path to bind. */
  path: string;
  readOnly: boolean;
}

function decode(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

/** A ConfigMap's or Secret's keys as bytes, or undefined when it does not exist. */
async function readData(
  client: KubeClient,
  kind: "ConfigMap" | "Secret",
  namespace: string,
  name: string,
): Promise<Record<string, Uint8Array | string> | undefined> {
  const obj = await client.get("v1", kind, namespace, name);
  if (!obj) return undefined;
  const out: Record<string, Uint8Array | string> = {};
  if (isKind(obj, "ConfigMap")) {
    for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = v;
    for (const [k, v] of Object.entries(obj.binaryData ?? {})) out[k] = decode(v);
  } else {
    for (const [k, v] of Object.entries(obj.data ?? {})) out[k] = decode(v as string);
  }
  return out;
}

/** The files of a ConfigMap or Secret volume source: every key, or the listed items. Pure. */
export function keyFiles(
  data: Record<string, Uint8Array | string>,
  items: readonly KeyToPath[] | undefined,
  defaultMode: number | undefined,
  what: string,
): Map<string, VolumeFile> {
  const files = new Map<string, VolumeFile>();
  const mode = defaultMode ?? 0o644;
  if (!items?.length) {
    for (const [k, v] of Object.entries(data)) files.set(k, { data: v, mode });
    return files;
  }
  for (const item of items) {
    const v = data[item.key];
    if (v === undefined) throw new Error(`${what} has no key ${item.key}`);
    files.set(item.path, { data: v, mode: item.mode ?? mode });
  }
  return files;
}

function downwardFiles(
  items: readonly DownwardItem[],
  env: VolumeEnv,
  mode: number | undefined,
): Map<string, VolumeFile> {
  const files = new Map<string, VolumeFile>();
  const src = { pod: env.pod, ...env.sources };
  for (const item of items) {
    let value: string;
    if (item.fieldRef) {
      const path = item.fieldRef.fieldPath;
      // Whole maps are written as key="value" lines, as the kubelet does.
      if (path === "metadata.labels" || path === "metadata.annotations") {
        const map = env.pod.metadata[path === "metadata.labels" ? "labels" : "annotations"] ?? {};
        value = Object.entries(map).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n");
      } else value = fieldValue(path, src);
    } else if (item.resourceFieldRef) {
      const container = env.pod.spec.containers.find((c: Container) =>
        c.name === item.resourceFieldRef?.containerName
      ) ?? env.pod.spec.containers[0]!;
      value = resourceValue(item.resourceFieldRef, container, env.sources);
    } else continue;
    files.set(item.path, { data: value, mode: item.mode ?? mode ?? 0o644 });
  }
  return files;
}

/** A token for the pod's service account from the TokenRequest API, bound to the pod. */
async function serviceAccountToken(
  env: VolumeEnv,
  source: NonNullable<ProjectedSource["serviceAccountToken"]>,
): Promise<string> {
  const expirationSeconds = Math.max(600, source.expirationSeconds ?? 3600);
  const key = `${source.audience ?? ""}/${expirationSeconds}`;
  const known = env.tokens.get(key);
  if (known && Date.now() < known.refreshAt) return known.token;
  const { pod } = env;
  const ns = pod.metadata.namespace ?? "default";
  const sa = pod.spec.serviceAccountName ?? "default";
  const res = await env.client.request<{ status: { token: string } }>(
    "POST",
    `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
    {
      body: {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: {
          audiences: source.audience ? [source.audience] : [],
          expirationSeconds,
          boundObjectRef: {
            apiVersion: "v1",
            kind: "Pod",
            name: pod.metadata.name,
            uid: pod.metadata.uid,
          },
        },
      },
    },
  );
  env.tokens.set(key, {
    token: res.status.token,
    refreshAt: Date.now() + expirationSeconds * 800,
  });
  return res.status.token;
}

async function projectedFiles(
  env: VolumeEnv,
  volume: NonNullable<Volume["projected"]>,
): Promise<Map<string, VolumeFile>> {
  const ns = env.pod.metadata.namespace ?? "default";
  const files = new Map<string, VolumeFile>();
  const mode = volume.defaultMode;
  for (const s of volume.sources) {
    if (s.serviceAccountToken) {
      files.set(s.serviceAccountToken.path, {
        data: await serviceAccountToken(env, s.serviceAccountToken),
        mode: mode ?? 0o644,
      });
    } else if (s.configMap || s.secret) {
      const kind = s.configMap ? "ConfigMap" : "Secret";
      const ref = (s.configMap ?? s.secret)!;
      const data = await readData(env.client, kind, ns, ref.name);
      if (!data) {
        if (ref.optional) continue;
        throw new Error(`${kind.toLowerCase()} "${ref.name}" not found`);
      }
      for (const [p, f] of keyFiles(data, ref.items, mode, `${kind} ${ref.name}`)) files.set(p, f);
    } else if (s.downwardAPI) {
      for (const [p, f] of downwardFiles(s.downwardAPI.items ?? [], env, mode)) files.set(p, f);
    }
  }
  return files;
}

/** A folder the pod's user can write: the pod's fsGroup owns it (setgid), as the kubelet does. */
export function writableDir(path: string, fsGroup: number | undefined): void {
  mkdirSync(path, { recursive: true });
  if (fsGroup !== undefined) {
    chownSync(path, 0, fsGroup);
    chmodSync(path, 0o2775);
  } else chmodSync(path, 0o777);
}

/** Makes or refreshes every volume of the pod; returns each one's host path by name. */
export async function syncVolumes(env: VolumeEnv): Promise<Map<string, MountableVolume>> {
  const out = new Map<string, MountableVolume>();
  const ns = env.pod.metadata.namespace ?? "default";
  const fsGroup = env.pod.spec.securityContext?.fsGroup;
  for (const v of env.pod.spec.volumes ?? []) {
    const path = join(env.dir, v.name);
    if (v.configMap || v.secret) {
      const kind = v.configMap ? "ConfigMap" : "Secret";
      const name = v.configMap?.name ?? v.secret?.secretName ?? "";
      const data = await readData(env.client, kind, ns, name);
      const optional = v.configMap?.optional ?? v.secret?.optional;
      if (!data && !optional) throw new Error(`${kind.toLowerCase()} "${name}" not found`);
      const items = v.configMap?.items ?? v.secret?.items;
      const mode = v.configMap?.defaultMode ?? v.secret?.defaultMode;
      writeAtomicDir(path, keyFiles(data ?? {}, items, mode, `${kind} ${name}`));
      out.set(v.name, { path, readOnly: true });
    } else if (v.projected) {
      writeAtomicDir(path, await projectedFiles(env, v.projected));
      out.set(v.name, { path, readOnly: true });
    } else if (v.downwardAPI) {
      writeAtomicDir(
        path,
        downwardFiles(v.downwardAPI.items ?? [], env, v.downwardAPI.defaultMode),
      );
      out.set(v.name, { path, readOnly: true });
    } else if (v.emptyDir) {
      if (!existsSync(path)) writableDir(path, fsGroup);
      out.set(v.name, { path, readOnly: false });
    } else if (v.persistentVolumeClaim) {
      const claimed = await env.claimPath(v.persistentVolumeClaim.claimName);
      writableDir(claimed, fsGroup);
      out.set(v.name, { path: claimed, readOnly: v.persistentVolumeClaim.readOnly ?? false });
    } else if (v.hostPath) {
      out.set(v.name, { path: v.hostPath.path, readOnly: false });
    } else {
      throw new Error(
        `volume ${v.name}: this node agent supports configMap, secret, emptyDir, ` +
          "projected, downwardAPI, persistentVolumeClaim and hostPath volumes",
      );
    }
  }
  return out;
}
