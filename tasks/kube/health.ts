/**
 * Argo CD's health assessment of the kinds we deploy, as pure functions of an object read back
 * from the API server: Healthy, Progressing, Degraded or Suspended, with Argo CD's reasons. A kind
 * without a rule is Healthy once it exists, as in Argo CD.
 */
import type {
  Alertmanager,
  Condition,
  CustomResourceDefinition,
  DaemonSet,
  Deployment,
  Ingress,
  Job,
  K8sObject,
  PersistentVolumeClaim,
  Pod,
  Prometheus,
  Service,
  StatefulSet,
} from "../render/objects.ts";

export type HealthStatus = "Healthy" | "Progressing" | "Degraded" | "Suspended";

export interface Health {
  status: HealthStatus;
  message: string;
}

const healthy = (message = ""): Health => ({ status: "Healthy", message });
const progressing = (message: string): Health => ({ status: "Progressing", message });
const degraded = (message: string): Health => ({ status: "Degraded", message });

/** An object whose status has conditions. */
type WithConditions = K8sObject & { status?: { conditions?: Condition[] } | undefined };

function condition(obj: WithConditions, type: string): Condition | undefined {
  return (obj.status?.conditions ?? []).find((c) => c.type === type);
}

/** The controller has not seen the latest spec yet. */
function stale(obj: K8sObject & { status?: { observedGeneration?: number } }): boolean {
  const generation = obj.metadata?.generation ?? 0;
  const observed = obj.status?.observedGeneration ?? 0;
  return observed < generation;
}

function deployment(obj: Deployment): Health {
  if (obj.spec?.paused) return { status: "Suspended", message: "Deployment is paused" };
  if (stale(obj)) return progressing("Waiting for rollout to finish: observed generation is old");
  const progress = condition(obj, "Progressing");
  if (progress?.reason === "ProgressDeadlineExceeded") {
    return degraded(`Deployment "${obj.metadata.name}" exceeded its progress deadline`);
  }
  const replicas = obj.spec?.replicas ?? 1;
  const s = obj.status ?? {};
  const updated = s.updatedReplicas ?? 0;
  if (updated < replicas) {
    return progressing(`Waiting for rollout to finish: ${updated} of ${replicas} updated`);
  }
  if ((s.replicas ?? 0) > updated) {
    return progressing(
      `Waiting for rollout to finish: ${
        (s.replicas ?? 0) - updated
      } old replicas are pending termination`,
    );
  }
  if ((s.availableReplicas ?? 0) < updated) {
    return progressing(
      `Waiting for rollout to finish: ${
        s.availableReplicas ?? 0
      } of ${updated} updated replicas are available`,
    );
  }
  return healthy();
}

function statefulSet(obj: StatefulSet): Health {
  if (stale(obj)) return progressing("Waiting for statefulset spec update to be observed");
  const replicas = obj.spec?.replicas ?? 1;
  const s = obj.status ?? {};
  if ((s.readyReplicas ?? 0) < replicas) {
    return progressing(`Waiting for ${replicas - (s.readyReplicas ?? 0)} pods to be ready`);
  }
  if (obj.spec?.updateStrategy?.type === "OnDelete") return healthy();
  if ((s.updatedReplicas ?? 0) < replicas) {
    return progressing(
      `Waiting for ${replicas - (s.updatedReplicas ?? 0)} pods to be updated`,
    );
  }
  if (s.currentRevision !== s.updateRevision) {
    return progressing("Waiting for the rolling update to complete");
  }
  return healthy();
}

function daemonSet(obj: DaemonSet): Health {
  if (stale(obj)) return progressing("Waiting for daemon set spec update to be observed");
  const s = obj.status ?? {};
  const desired = s.desiredNumberScheduled ?? 0;
  if ((s.updatedNumberScheduled ?? 0) < desired) {
    return progressing(
      `Waiting for daemon set rollout: ${s.updatedNumberScheduled ?? 0} of ${desired} updated`,
    );
  }
  if ((s.numberAvailable ?? 0) < desired) {
    return progressing(
      `Waiting for daemon set rollout: ${s.numberAvailable ?? 0} of ${desired} available`,
    );
  }
  return healthy();
}

function pod(obj: Pod): Health {
  const phase = obj.status?.phase;
  if (phase === "Succeeded") return healthy("pod completed");
  if (phase === "Failed") return degraded(obj.status?.message ?? "pod failed");
  for (const c of obj.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason === "CrashLoopBackOff" || waiting?.reason === "ImageNotRunnable") {
      return degraded(`${c.name}: ${waiting.reason}: ${waiting.message ?? ""}`.trim());
    }
  }
  if (phase === "Running" && condition(obj, "Ready")?.status === "True") return healthy();
  return progressing(`pod is ${phase ?? "Pending"}`);
}

function loadBalanced(obj: Service | Ingress, what: string): Health {
  const ingress = obj.status?.loadBalancer?.ingress ?? [];
  return ingress.length > 0 ? healthy() : progressing(`${what} has no load-balancer address yet`);
}

function pvc(obj: PersistentVolumeClaim): Health {
  const phase = obj.status?.phase;
  if (phase === "Bound") return healthy();
  if (phase === "Lost") return degraded("claim lost its volume");
  return progressing(`claim is ${phase ?? "Pending"}`);
}

function crd(obj: CustomResourceDefinition): Health {
  const names = condition(obj, "NamesAccepted");
  if (names?.status === "False") return degraded(names.message ?? "names not accepted");
  const established = condition(obj, "Established");
  if (established?.status === "True") return healthy();
  return progressing("waiting for the CRD to be established");
}

/** The operator's Prometheus and Alertmanager: its Available and Reconciled conditions. */
function operatorManaged(obj: Prometheus | Alertmanager): Health {
  const available = condition(obj, "Available");
  const reconciled = condition(obj, "Reconciled");
  // The operator records the generation it saw in each condition, not in the status.
  const seen = reconciled?.observedGeneration ?? 0;
  if (seen < (obj.metadata.generation ?? 0)) {
    return progressing("waiting for the operator to observe the spec");
  }
  if (reconciled?.status === "False") return degraded(reconciled.message ?? "not reconciled");
  if (available?.status === "False") return degraded(available.message ?? "not available");
  if (available?.status === "True" && reconciled?.status === "True") return healthy();
  if (available?.status === "Degraded") return degraded(available.message ?? "degraded");
  return progressing(available?.message ?? "waiting for the operator");
}

function job(obj: Job): Health {
  if (condition(obj, "Failed")?.status === "True") return degraded("job failed");
  if (condition(obj, "Complete")?.status === "True") return healthy("job completed");
  return progressing("job is running");
}

/** Argo CD's health of an object as the API server returned it. Pure. */
export function healthOf(obj: K8sObject): Health {
  const group = obj.apiVersion.includes("/") ? obj.apiVersion.split("/")[0] : "";
  // Each case knows the kind from the group and kind it matched.
  switch (`${group}/${obj.kind}`) {
    case "apps/Deployment":
      return deployment(obj as Deployment);
    case "apps/StatefulSet":
      return statefulSet(obj as StatefulSet);
    case "apps/DaemonSet":
      return daemonSet(obj as DaemonSet);
    case "/Pod":
      return pod(obj as Pod);
    case "/PersistentVolumeClaim":
      return pvc(obj as PersistentVolumeClaim);
    case "/Service":
      return (obj as Service).spec?.type === "LoadBalancer"
        ? loadBalanced(obj as Service, "Service")
        : healthy();
    case "networking.k8s.io/Ingress":
      return loadBalanced(obj as Ingress, "Ingress");
    case "apiextensions.k8s.io/CustomResourceDefinition":
      return crd(obj as CustomResourceDefinition);
    case "monitoring.coreos.com/Prometheus":
    case "monitoring.coreos.com/Alertmanager":
      return operatorManaged(obj as Prometheus | Alertmanager);
    case "batch/Job":
      return job(obj as Job);
    default:
      return healthy();
  }
}
