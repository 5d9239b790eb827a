/** What an Ingress exposes: its backends, and the pods behind them. */
import { type Ingress, type K8sObject, objectsOf, type Service } from "../render/objects.ts";
import { podLabelsOf, sameNamespace, serviceSelects } from "./k8s_objects.ts";

export interface IngressBackend {
  ingress: Ingress;
  /** Field path of the path entry (or default backend) inside the Ingress. */
  field: string;
  /** Field path of the backend's `service` object. */
  serviceField: string;
  service: string;
  port: string | number | undefined;
  /** The HTTP path routed, undefined for the default backend. */
  path?: string;
  pathType?: string;
  host?: string;
}

export function ingressBackends(objects: readonly K8sObject[]): IngressBackend[] {
  const out: IngressBackend[] = [];
  for (const ing of objectsOf(objects, "Ingress")) {
    const def = ing.spec?.defaultBackend?.service;
    if (def) {
      out.push({
        ingress: ing,
        field: "spec.defaultBackend",
        serviceField: "spec.defaultBackend.service",
        service: String(def.name),
        port: def.port?.name ?? def.port?.number,
      });
    }
    (ing.spec?.rules ?? []).forEach((rule, r) => {
      (rule?.http?.paths ?? []).forEach((p, i) => {
        const svc = p?.backend?.service;
        if (!svc) return;
        out.push({
          ingress: ing,
          field: `spec.rules[${r}].http.paths[${i}]`,
          serviceField: `spec.rules[${r}].http.paths[${i}].backend.service`,
          service: String(svc.name),
          port: svc.port?.name ?? svc.port?.number,
          path: p.path ?? "/",
          ...(p.pathType !== undefined ? { pathType: p.pathType } : {}),
          ...(rule.host !== undefined ? { host: rule.host } : {}),
        });
      });
    });
  }
  return out;
}

/** Services that an Ingress routes to. */
export function exposedServices(objects: readonly K8sObject[]): Service[] {
  const names = new Set(ingressBackends(objects).map((b) => b.service));
  return objectsOf(objects, "Service").filter((o) => names.has(o.metadata.name));
}

/** The exposed Service that selects the pods of `workload`, if any. */
export function exposingService(
  workload: K8sObject,
  objects: readonly K8sObject[],
): Service | undefined {
  const labels = podLabelsOf(workload);
  if (!labels) return undefined;
  return exposedServices(objects).find((s) =>
    sameNamespace(s, workload) && serviceSelects(s, labels)
  );
}
