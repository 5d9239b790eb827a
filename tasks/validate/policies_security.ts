/**
 * Security policies over rendered manifests: non-root, read-only root filesystem, no privilege
 * escalation, capabilities dropped, requests and limits, pinned images, no Secret data in the
 * repository, no admin API reachable from the ingress.
 */
import type { Versions } from "../model/versions.ts";
import { expandedArgs } from "../render/container_env.ts";
import {
  type Alertmanager,
  isKind,
  type K8sObject,
  type PodSpecAt,
  podSpecOf,
  type Prometheus,
  type Resources,
  type Secret,
} from "../render/objects.ts";
import { imageProblem } from "./images.ts";
import { exposingService } from "./ingress.ts";
import { containersOf, flagOn, flagValues } from "./k8s_objects.ts";
import { type ObjectFinding, objectFinding } from "./object_finding.ts";

const CHECK = "policy/security";

/**
 * The one exception to "no host access": node-exporter reads the host's /proc, /sys and root
 * filesystem and its network statistics, which it cannot do from inside a pod's namespaces.
 */
export const HOST_ACCESS_ALLOWED: Readonly<
  Record<string, { hostNetwork: boolean; hostPID: boolean; hostPaths: readonly string[] }>
> = {
  "DaemonSet/node-exporter": {
    hostNetwork: true,
    hostPID: true,
    hostPaths: ["/proc", "/sys", "/"],
  },
};

/** The only Secret the repository may carry data for: generated from the CSC, holds no secret. */
export const SECRETS_WITH_DATA_ALLOWED: readonly string[] = ["alertmanager-main-config"];

export interface SecurityContext {
  versions: Versions;
}

export function securityPolicies(
  objects: readonly K8sObject[],
  ctx: SecurityContext,
): ObjectFinding[] {
  const out: ObjectFinding[] = [];
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (pod) checkPod(o, pod, ctx, out);
    if (isKind(o, "Prometheus") || isKind(o, "Alertmanager")) {
      checkOperatorCr(o, objects, ctx, out);
    }
    if (isKind(o, "Secret")) checkSecret(o, out);
  }
  for (const o of objects) {
    const pod = podSpecOf(o);
    if (!pod) continue;
    for (const { c, path } of containersOf(pod)) {
      const args = [...(c.command ?? []), ...(c.args ?? [])];
      for (const flag of ["--web.enable-admin-api", "--web.enable-lifecycle"]) {
        if (!flagOn(args, flag)) continue;
        const svc = exposingService(o, objects);
        if (svc) {
          out.push(objectFinding(
            "error",
            o,
            `${path}.args`,
            `expected no ${flag} on a container reachable from the ingress, found it on ` +
              `container ${c.name} exposed through Service ${svc.metadata.name}`,
            CHECK,
          ));
        }
      }
    }
  }
  return out;
}

function checkPod(
  o: K8sObject,
  pod: PodSpecAt,
  ctx: SecurityContext,
  out: ObjectFinding[],
): void {
  const allowed = HOST_ACCESS_ALLOWED[`${o.kind}/${o.metadata.name}`];
  const podSc = pod.spec.securityContext ?? {};
  for (const ns of ["hostNetwork", "hostPID", "hostIPC"] as const) {
    if (pod.spec[ns] === true && !(allowed && ns !== "hostIPC" && allowed[ns])) {
      out.push(objectFinding(
        "error",
        o,
        `${pod.path}.${ns}`,
        `expected no ${ns} (only ${Object.keys(HOST_ACCESS_ALLOWED).join(", ")} may use the ` +
          `host's namespaces), found ${ns}: true`,
        CHECK,
      ));
    }
  }
  (pod.spec.volumes ?? []).forEach((v) => {
    const hp = v?.hostPath?.path;
    if (hp === undefined) return;
    if (allowed?.hostPaths.includes(hp)) return;
    out.push(objectFinding(
      "error",
      o,
      `${pod.path}.volumes[${v.name}].hostPath`,
      `expected no hostPath volume (allowed only for ${
        Object.keys(HOST_ACCESS_ALLOWED).join(", ")
      }), found hostPath ${hp}`,
      CHECK,
    ));
  });
  const containers = containersOf(pod);
  for (const { c, path } of containers) {
    const sc = c.securityContext ?? {};
    const nonRoot = sc.runAsNonRoot ?? podSc.runAsNonRoot;
    const uid = sc.runAsUser ?? podSc.runAsUser;
    if (nonRoot !== true || uid === 0) {
      out.push(objectFinding(
        "error",
        o,
        `${path}.securityContext.runAsNonRoot`,
        `expected runAsNonRoot: true (on the container or the pod)${
          uid === 0 ? " and a non-zero runAsUser" : ""
        }, found ${uid === 0 ? "runAsUser: 0" : `runAsNonRoot: ${nonRoot ?? "unset"}`}`,
        CHECK,
      ));
    }
    if (sc.privileged === true) {
      out.push(objectFinding(
        "error",
        o,
        `${path}.securityContext.privileged`,
        "expected an unprivileged container, found privileged: true",
        CHECK,
      ));
    }
    if (sc.readOnlyRootFilesystem !== true) {
      out.push(objectFinding(
        "error",
        o,
        `${path}.securityContext.readOnlyRootFilesystem`,
        `expected readOnlyRootFilesystem: true, found ${sc.readOnlyRootFilesystem ?? "unset"}`,
        CHECK,
      ));
    }
    if (sc.allowPrivilegeEscalation !== false) {
      out.push(objectFinding(
        "error",
        o,
        `${path}.securityContext.allowPrivilegeEscalation`,
        `expected allowPrivilegeEscalation: false, found ${sc.allowPrivilegeEscalation ?? "unset"}`,
        CHECK,
      ));
    }
    const drop: string[] = sc.capabilities?.drop ?? [];
    if (!drop.includes("ALL")) {
      out.push(objectFinding(
        "error",
        o,
        `${path}.securityContext.capabilities.drop`,
        `expected capabilities.drop to contain ALL, found ${
          drop.length ? `[${drop.join(", ")}]` : "unset"
        }`,
        CHECK,
      ));
    }
    const add: string[] = sc.capabilities?.add ?? [];
    if (add.length > 0) {
      out.push(objectFinding(
        "error",
        o,
        `${path}.securityContext.capabilities.add`,
        `expected no added capabilities, found [${add.join(", ")}]`,
        CHECK,
      ));
    }
    resourcesProblem(o, c.resources, `${path}.resources`, out);
    imageFinding(o, c.image, `${path}.image`, ctx, out);
    // The operator runs the config reloader from the image named in its flag (which the base
    // writes as $(CONFIG_RELOADER_IMAGE), expanded from the container's env).
    for (const ref of flagValues(expandedArgs(c, o), "--prometheus-config-reloader")) {
      imageFinding(o, ref, `${path}.args`, ctx, out);
    }
  }
}

function resourcesProblem(
  o: K8sObject,
  resources: Resources | undefined,
  path: string,
  out: ObjectFinding[],
): void {
  const missing: string[] = [];
  for (const kind of ["requests", "limits"] as const) {
    for (const r of ["cpu", "memory"] as const) {
      if (resources?.[kind]?.[r] === undefined) missing.push(`${kind}.${r}`);
    }
  }
  if (missing.length > 0) {
    out.push(objectFinding(
      "error",
      o,
      path,
      `expected requests and limits for cpu and memory, found no ${missing.join(", ")}`,
      CHECK,
    ));
  }
}

function imageFinding(
  o: K8sObject,
  ref: unknown,
  path: string,
  ctx: SecurityContext,
  out: ObjectFinding[],
): void {
  if (typeof ref !== "string") {
    out.push(objectFinding("error", o, path, "expected an image, found none", CHECK));
    return;
  }
  const problem = imageProblem(ref, ctx.versions);
  if (problem) out.push(objectFinding("error", o, path, problem, CHECK));
}

/** Prometheus and Alertmanager: the operator builds their pods from the CR's fields. */
function checkOperatorCr(
  o: Prometheus | Alertmanager,
  objects: readonly K8sObject[],
  ctx: SecurityContext,
  out: ObjectFinding[],
): void {
  const sc = o.spec?.securityContext ?? {};
  if (sc.runAsNonRoot !== true || sc.runAsUser === 0) {
    out.push(objectFinding(
      "error",
      o,
      "spec.securityContext.runAsNonRoot",
      `expected spec.securityContext.runAsNonRoot: true with a non-zero runAsUser, found ${
        sc.runAsUser === 0 ? "runAsUser: 0" : `runAsNonRoot: ${sc.runAsNonRoot ?? "unset"}`
      }`,
      CHECK,
    ));
  }
  resourcesProblem(o, o.spec?.resources, "spec.resources", out);
  if (o.spec?.image !== undefined) imageFinding(o, o.spec.image, "spec.image", ctx, out);
  else {
    out.push(objectFinding(
      "error",
      o,
      "spec.image",
      "expected spec.image pinned to versions.json (else the operator picks its own default), " +
        "found none",
      CHECK,
    ));
  }
  if (isKind(o, "Prometheus") && o.spec?.thanos) {
    imageFinding(o, o.spec.thanos.image, "spec.thanos.image", ctx, out);
    resourcesProblem(o, o.spec.thanos.resources, "spec.thanos.resources", out);
  }
  // Containers listed in the CR are merged into the operator's: they must not weaken them.
  for (const c of o.spec?.containers ?? []) {
    const csc = c?.securityContext;
    if (!csc) continue;
    const path = `spec.containers[${c.name}].securityContext`;
    if (csc.readOnlyRootFilesystem === false || csc.allowPrivilegeEscalation === true) {
      out.push(objectFinding(
        "error",
        o,
        path,
        "expected readOnlyRootFilesystem: true and allowPrivilegeEscalation: false, found a " +
          "container override that turns them off",
        CHECK,
      ));
    }
    if (csc.privileged === true || csc.runAsUser === 0) {
      out.push(objectFinding(
        "error",
        o,
        path,
        "expected an unprivileged, non-root container, found an override running it as root " +
          "or privileged",
        CHECK,
      ));
    }
  }
  if (!isKind(o, "Prometheus")) return;
  const extraArgs = (o.spec?.additionalArgs ?? []).map((a) => `--${a?.name}`);
  const adminOn = o.spec?.enableAdminAPI === true || extraArgs.includes("--web.enable-admin-api");
  const svc = exposingService(o, objects);
  if (adminOn && svc) {
    out.push(objectFinding(
      "error",
      o,
      o.spec?.enableAdminAPI === true ? "spec.enableAdminAPI" : "spec.additionalArgs",
      `expected the admin API off on a Prometheus reachable from the ingress, found it on, ` +
        `exposed through Service ${svc.metadata.name}`,
      CHECK,
    ));
  }
}

function checkSecret(o: Secret, out: ObjectFinding[]): void {
  if (SECRETS_WITH_DATA_ALLOWED.includes(o.metadata.name.replace(/-[a-z0-9]{10}$/, ""))) return;
  for (const field of ["data", "stringData"] as const) {
    const keys = Object.keys(o[field] ?? {});
    if (keys.length === 0) continue;
    out.push(objectFinding(
      "error",
      o,
      field,
      `expected no Secret data in the repository (create the Secret outside it, or seal it), ` +
        `found ${field} keys ${keys.join(", ")}`,
      CHECK,
    ));
  }
}
