/**
 * Consistency policies over rendered manifests: the values one component expects of another
 * agree (replica label, sidecar discovery Service, Grafana's datasource, the ingress paths).
 */
import { parse as parseYaml } from "yaml";
import { REPLICA_LABEL } from "../model/cluster.ts";
import {
  type ConfigMap,
  isKind,
  type K8sObject,
  objectsOf,
  podSpecOf,
  type Secret,
  type Service,
} from "../render/objects.ts";
import { ingressBackends } from "./ingress.ts";
import { flagValues, podLabelsOf, serviceSelects, showLabels } from "./k8s_objects.ts";
import { type ObjectFinding, objectFinding } from "./object_finding.ts";

const CHECK = "policy/consistency";
/** The port the operator gives the Thanos sidecar's store API (gRPC), named `grpc`. */
const SIDECAR_GRPC_PORT = 10901;
/**
 * Services the ingress may route to: Grafana, and Thanos Query (whole: it has no write or admin
 * HTTP API, and its UI needs more than the query API).
 */
const INGRESS_SERVICES = ["grafana", "thanos-query"];

export function consistencyPolicies(objects: readonly K8sObject[]): ObjectFinding[] {
  const out: ObjectFinding[] = [];
  const prometheus = objectsOf(objects, "Prometheus")[0];
  const query = objectsOf(objects, "Deployment", "thanos-query")[0];
  const queryContainer = query
    ? podSpecOf(query)?.spec?.containers?.find((c) => c?.name === "thanos-query")
    : undefined;
  const queryArgs: unknown[] = queryContainer?.args ?? [];
  const queryArgsField = "spec.template.spec.containers[thanos-query].args";
  const services = objectsOf(objects, "Service");

  if (prometheus && query) {
    const want = prometheus.spec?.replicaExternalLabelName ?? REPLICA_LABEL; // the operator's default too
    const got = flagValues(queryArgs, "--query.replica-label");
    if (want === "") {
      out.push(objectFinding(
        "error",
        prometheus,
        "spec.replicaExternalLabelName",
        "expected a replica external label so Thanos Query can deduplicate, found an empty one",
        CHECK,
      ));
    } else if (!got.includes(want)) {
      out.push(objectFinding(
        "error",
        query,
        queryArgsField,
        `expected --query.replica-label=${want} (the replica label of Prometheus ` +
          `${prometheus.metadata.name}), found ${
            got.length ? got.map((g) => `--query.replica-label=${g}`).join(" ") : "none"
          }`,
        CHECK,
      ));
    }
  }

  // The sidecar discovery Service selects Prometheus's pods and names the sidecar's gRPC port.
  const sidecarSvc = services.find((s) => s.metadata.name === "thanos-sidecar");
  if (prometheus) {
    const labels = podLabelsOf(prometheus) ?? {};
    if (!sidecarSvc) {
      out.push(objectFinding(
        "error",
        prometheus,
        "",
        "expected a Service thanos-sidecar selecting the Prometheus pods (Thanos Query finds " +
          "the sidecars through it), found none",
        CHECK,
      ));
    } else {
      if (!serviceSelects(sidecarSvc, labels)) {
        out.push(objectFinding(
          "error",
          sidecarSvc,
          "spec.selector",
          `expected a selector matching the Prometheus pods' labels (${showLabels(labels)}), ` +
            `found ${showLabels(sidecarSvc.spec?.selector ?? {})}`,
          CHECK,
        ));
      }
      const ports = sidecarSvc.spec?.ports ?? [];
      const grpc = ports.find((p) => p?.name === "grpc");
      if (!grpc) {
        out.push(objectFinding(
          "error",
          sidecarSvc,
          "spec.ports",
          `expected a port named grpc (the sidecar's store API, ${SIDECAR_GRPC_PORT}), found ${
            ports.map((p) => p?.name ?? p?.port).join(", ") || "no ports"
          }`,
          CHECK,
        ));
      } else if (
        grpc.targetPort !== undefined && grpc.targetPort !== "grpc" &&
        grpc.targetPort !== SIDECAR_GRPC_PORT
      ) {
        out.push(objectFinding(
          "error",
          sidecarSvc,
          "spec.ports[grpc].targetPort",
          `expected targetPort grpc (${SIDECAR_GRPC_PORT}, the sidecar's gRPC port), found ${grpc.targetPort}`,
          CHECK,
        ));
      }
    }
  }

  // Thanos Query's endpoints name existing Services and ports.
  if (query) {
    for (
      const ep of [...flagValues(queryArgs, "--endpoint"), ...flagValues(queryArgs, "--store")]
    ) {
      const target = parseEndpoint(ep);
      if (!target) continue;
      const svc = services.find((s) => s.metadata.name === target.service);
      if (!svc) {
        out.push(objectFinding(
          "error",
          query,
          queryArgsField,
          `expected --endpoint=${ep} to name a Service of the render, found no Service ${target.service}`,
          CHECK,
        ));
        continue;
      }
      const ports = svc.spec?.ports ?? [];
      const ok = ports.some((p) => p?.name === target.port || String(p?.port) === target.port);
      if (!ok) {
        out.push(objectFinding(
          "error",
          query,
          queryArgsField,
          `expected Service ${target.service} to have port ${target.port} (from --endpoint=${ep}), ` +
            `found ${ports.map((p) => `${p?.name ?? "?"}:${p?.port}`).join(", ")}`,
          CHECK,
        ));
      }
    }
  }

  out.push(...grafanaDatasource(objects, services));
  out.push(...ingressPaths(objects, services));
  return out;
}

/** `dnssrv+_grpc._tcp.thanos-sidecar.monitoring.svc.cluster.local` → service and port. */
export function parseEndpoint(ep: string): { service: string; port: string } | null {
  const srv = /^dnssrv(?:noa)?\+_([^.]+)\._tcp\.([^.]+)/.exec(ep);
  if (srv) return { service: srv[2] as string, port: srv[1] as string };
  const plain = /^(?:dns\+)?([^.:/]+)[^:]*:(\d+)$/.exec(ep);
  if (plain) return { service: plain[1] as string, port: plain[2] as string };
  return null;
}

interface Datasource {
  name?: string;
  uid?: string;
  type?: string;
  url?: string;
}

/** Grafana's provisioned Prometheus datasource points at the thanos-query Service and port. */
function grafanaDatasource(objects: readonly K8sObject[], services: Service[]): ObjectFinding[] {
  const out: ObjectFinding[] = [];
  const query = services.find((s) => s.metadata.name === "thanos-query");
  const configs = objects.filter((o): o is ConfigMap | Secret =>
    isKind(o, "ConfigMap") || isKind(o, "Secret")
  );
  for (const o of configs) {
    for (const field of ["data", "stringData"] as const) {
      const entries = field === "data" ? o.data : isKind(o, "Secret") ? o.stringData : undefined;
      for (const [key, raw] of Object.entries(entries ?? {})) {
        if (typeof raw !== "string") continue;
        const text = o.kind === "Secret" && field === "data" ? safeAtob(raw) : raw;
        if (!text || !/^\s*datasources\s*:/m.test(text)) continue;
        let doc: { datasources?: Datasource[] } | undefined;
        try {
          doc = parseYaml(text) as { datasources?: Datasource[] };
        } catch {
          continue;
        }
        (doc?.datasources ?? []).forEach((ds) => {
          if (ds?.type !== "prometheus" || typeof ds.url !== "string") return;
          const fieldPath = `${field}[${JSON.stringify(key)}]`;
          const problem = datasourceProblem(ds.url, query, o.metadata.namespace);
          if (problem) {
            out.push({ ...objectFinding("error", o, fieldPath, problem, CHECK), needle: ds.url });
          }
        });
      }
    }
  }
  return out;
}

/** What is wrong with a Grafana datasource URL that should reach Thanos Query, or null. */
export function datasourceProblem(
  url: string,
  query: Service | undefined,
  namespace: string | undefined,
): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `expected the datasource URL to be a URL of the thanos-query Service, found ${url}`;
  }
  const [svc, ns] = u.hostname.split(".");
  if (svc !== "thanos-query" || (ns !== undefined && namespace !== undefined && ns !== namespace)) {
    return `expected the datasource URL to reach Service thanos-query${
      namespace ? ` in namespace ${namespace}` : ""
    }, found ${url}`;
  }
  if (!query) return `expected a Service thanos-query for the datasource ${url}, found none`;
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  const ports = query.spec?.ports ?? [];
  if (!ports.some((p) => String(p?.port) === port)) {
    return `expected the datasource port to be one of Service thanos-query's (${
      ports.map((p) => `${p?.name ?? "?"} ${p?.port}`).join(", ")
    }), found ${port} in ${url}`;
  }
  return null;
}

function safeAtob(b64: string): string | null {
  try {
    return atob(b64);
  } catch {
    return null;
  }
}

/** The ingress routes only to Grafana and Thanos Query, on existing ports. */
function ingressPaths(objects: readonly K8sObject[], services: Service[]): ObjectFinding[] {
  const out: ObjectFinding[] = [];
  for (const b of ingressBackends(objects)) {
    if (!INGRESS_SERVICES.includes(b.service)) {
      out.push(objectFinding(
        "error",
        b.ingress,
        `${b.serviceField}.name`,
        `expected the ingress to route only to ${
          INGRESS_SERVICES.join(" and ")
        }, found Service ${b.service}`,
        CHECK,
      ));
      continue;
    }
    const svc = services.find((s) => s.metadata.name === b.service);
    const ports = svc?.spec?.ports ?? [];
    if (!svc) {
      out.push(objectFinding(
        "error",
        b.ingress,
        b.field,
        `expected Service ${b.service} to exist, found none in the render`,
        CHECK,
      ));
    } else if (
      b.port !== undefined && !ports.some((p) => p?.name === b.port || p?.port === b.port)
    ) {
      out.push(objectFinding(
        "error",
        b.ingress,
        `${b.serviceField}.port`,
        `expected a port of Service ${b.service} (${
          ports.map((p) => `${p?.name ?? "?"} ${p?.port}`).join(", ")
        }), found ${b.port}`,
        CHECK,
      ));
    }
  }
  return out;
}
