/**
 * The local cluster's storage: a default StorageClass whose claims are provisioned as
 * PersistentVolumes with a folder on this machine (hostPath, pinned to the node by node
 * affinity). The PV is created pre-bound to its claim, and the controller manager's PV binder
 * binds the pair, as with any external provisioner. The node agent mounts the PV's folder.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type KubeClient, KubeError } from "../kube/client.ts";
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from "../render/objects.ts";

export const PROVISIONER = "local.ha-monitoring.dev/hostpath";
export const STORAGE_CLASS = "local";

/** The default StorageClass of the local cluster. */
export function storageClass(): StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: STORAGE_CLASS,
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "Immediate",
  };
}

/** The PersistentVolume provisioned for a claim, in `root`. Pure. */
export function volumeFor(
  claim: PersistentVolumeClaim,
  root: string,
  nodeName: string,
): PersistentVolume & { spec: { hostPath: { path: string } } } {
  const uid = claim.metadata.uid ?? "";
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: `pvc-${uid}`,
      annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER },
    },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: claim.spec?.storageClassName ?? STORAGE_CLASS,
      volumeMode: "Filesystem",
      hostPath: { path: join(root, `pvc-${uid}`), type: "DirectoryOrCreate" },
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        ...(claim.metadata.namespace !== undefined ? { namespace: claim.metadata.namespace } : {}),
        name: claim.metadata.name,
        uid,
      },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [{
            matchExpressions: [{
              key: "kubernetes.io/hostname",
              operator: "In",
              values: [nodeName],
            }],
          }],
        },
      },
    },
  };
}

/** Whether a claim waits for this provisioner. Pure. */
export function wantsVolume(claim: PersistentVolumeClaim): boolean {
  const a = claim.metadata.annotations ?? {};
  const ours = a["volume.kubernetes.io/storage-provisioner"] === PROVISIONER ||
    a["volume.beta.kubernetes.io/storage-provisioner"] === PROVISIONER;
  return ours && claim.status?.phase === "Pending" && !claim.spec?.volumeName;
}

/** Provisions every claim waiting for us, once; returns how many volumes it made. */
export async function provisionPending(
  admin: KubeClient,
  root: string,
  nodeName: string,
): Promise<number> {
  const claims = await admin.list("v1", "PersistentVolumeClaim") as {
    items: PersistentVolumeClaim[];
  };
  let made = 0;
  for (const claim of claims.items.filter(wantsVolume)) {
    const pv = volumeFor(claim, root, nodeName);
    mkdirSync(pv.spec.hostPath.path, { recursive: true });
    try {
      await admin.create(pv);
      made++;
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 409)) throw e;
    }
  }
  return made;
}

/** The host folder of the volume a claim is bound to; throws while it is not bound. */
export async function claimFolder(
  client: KubeClient,
  namespace: string,
  claimName: string,
): Promise<string> {
  const claim = await client.get("v1", "PersistentVolumeClaim", namespace, claimName);
  if (!claim) throw new Error(`persistentvolumeclaim "${claimName}" not found`);
  const volume = claim.spec?.volumeName;
  if (!volume || claim.status?.phase !== "Bound") {
    throw new Error(`persistentvolumeclaim "${claimName}" is not bound yet`);
  }
  const pv = await client.get("v1", "PersistentVolume", undefined, volume);
  const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
  if (!path) throw new Error(`persistentvolume "${volume}" has no folder on this node`);
  return path;
}
