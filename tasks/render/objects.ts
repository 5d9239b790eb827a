/**
 * The Kubernetes objects the tasks read, typed: a misspelt field is a type error. Only the fields
 * some task reads are declared; every field is optional where the API lets it be absent, since a
 * render under check may be wrong (kubeconform and the API server judge the rest), so a workload's
 * selector, required by the API, is optional here too. A rendered
 * object is a `K8sObject` (kind, name, labels); `isKind()` narrows it to its kind.
 */
import type { LabelSelector } from "./selectors.ts";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Set by the API server on objects read back from it. */
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: OwnerReference[];
}

/** Any object: what every kind has. */
export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/** A status condition (`Ready`, `Available`, `Reconciled`, `Established` …). */
export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

// ---------------------------------------------------------------------------------------------
// Pods

export interface KeyRef {
  name: string;
  key: string;
  optional?: boolean;
}

export interface ResourceFieldRef {
  containerName?: string;
  resource: string;
  divisor?: string | number;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: ResourceFieldRef;
    configMapKeyRef?: KeyRef;
    secretKeyRef?: KeyRef;
  };
}

export interface EnvFrom {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface Probe {
  httpGet?: {
    path?: string;
    port: number | string;
    scheme?: "HTTP" | "HTTPS";
    host?: string;
    httpHeaders?: { name: string; value: string }[];
  };
  tcpSocket?: { port: number | string; host?: string };
  exec?: { command: string[] };
  grpc?: { port: number; service?: string };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
  successThreshold?: number;
}

export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  allowPrivilegeEscalation?: boolean;
  privileged?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type: string };
  fsGroup?: number;
  supplementalGroups?: number[];
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
  hostPort?: number;
}

export interface Resources {
  limits?: Record<string, string | number>;
  requests?: Record<string, string | number>;
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFrom[];
  ports?: ContainerPort[];
  resources?: Resources;
  volumeMounts?: VolumeMount[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: SecurityContext;
  /** An init container with `restartPolicy: Always` is a sidecar. */
  restartPolicy?: "Always";
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface DownwardItem {
  path: string;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: ResourceFieldRef;
  mode?: number;
}

export interface ProjectedSource {
  serviceAccountToken?: { audience?: string; expirationSeconds?: number; path: string };
  configMap?: { name: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: { items?: DownwardItem[] };
}

export interface Volume {
  name: string;
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  emptyDir?: { medium?: string; sizeLimit?: string };
  projected?: { sources: ProjectedSource[]; defaultMode?: number };
  downwardAPI?: { items?: DownwardItem[]; defaultMode?: number };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  hostPath?: { path: string; type?: string };
}

export interface PodAffinityTerm {
  labelSelector?: LabelSelector;
  topologyKey: string;
  namespaces?: string[];
}

export interface Affinity {
  podAntiAffinity?: {
    requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
    preferredDuringSchedulingIgnoredDuringExecution?: {
      weight: number;
      podAffinityTerm: PodAffinityTerm;
    }[];
  };
  nodeAffinity?: unknown;
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  labelSelector?: LabelSelector;
}

export interface PodSpec {
  nodeName?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostname?: string;
  subdomain?: string;
  dnsPolicy?: string;
  restartPolicy?: "Always" | "OnFailure" | "Never";
  terminationGracePeriodSeconds?: number;
  priorityClassName?: string;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string }[];
  securityContext?: SecurityContext;
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  initContainers?: Container[];
  containers: Container[];
  volumes?: Volume[];
}

export interface PodTemplateSpec {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: PodSpec;
}

export interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: {
    waiting?: { reason?: string; message?: string };
    running?: { startedAt?: string };
    terminated?: { exitCode?: number; reason?: string; message?: string };
  };
}

export interface PodStatus {
  phase?: string;
  message?: string;
  podIP?: string;
  hostIP?: string;
  conditions?: Condition[];
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
}

/** A Pod as read from the API server. */
export interface Pod extends K8sObject {
  spec: PodSpec;
  /** Undefined on a pod the node agent holds before the API server gave it a status. */
  status?: PodStatus | undefined;
}

// ---------------------------------------------------------------------------------------------
// Workloads

interface RolloutStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
  currentReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  conditions?: Condition[];
}

export interface Deployment extends K8sObject {
  spec: {
    replicas?: number;
    paused?: boolean;
    selector?: LabelSelector;
    template: PodTemplateSpec;
  };
  status?: RolloutStatus;
}

export interface StatefulSet extends K8sObject {
  spec: {
    replicas?: number;
    serviceName?: string;
    selector?: LabelSelector;
    template: PodTemplateSpec;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
    volumeClaimTemplates?: PersistentVolumeClaim[];
  };
  status?: RolloutStatus;
}

export interface DaemonSet extends K8sObject {
  spec: { selector?: LabelSelector; template: PodTemplateSpec };
  status?: {
    observedGeneration?: number;
    desiredNumberScheduled?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    numberReady?: number;
  };
}

export interface ReplicaSet extends K8sObject {
  spec: { replicas?: number; selector?: LabelSelector; template: PodTemplateSpec };
  status?: RolloutStatus;
}

export interface Job extends K8sObject {
  spec: { selector?: LabelSelector; template: PodTemplateSpec };
  status?: { conditions?: Condition[] };
}

export interface CronJob extends K8sObject {
  spec: { jobTemplate: { spec: { template: PodTemplateSpec } } };
}

// ---------------------------------------------------------------------------------------------
// Networking, configuration, storage

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  protocol?: string;
  nodePort?: number;
}

export interface Service extends K8sObject {
  spec: {
    type?: string;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
    selector?: Record<string, string>;
    ports?: ServicePort[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface IngressBackend {
  service?: { name: string; port: { name?: string; number?: number } };
}

export interface Ingress extends K8sObject {
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: {
      host?: string;
      http?: { paths: { path?: string; pathType?: string; backend: IngressBackend }[] };
    }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  port?: number | string;
  protocol?: string;
  endPort?: number;
}

export interface NetworkPolicy extends K8sObject {
  spec: {
    podSelector: LabelSelector;
    policyTypes?: string[];
    ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
    egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  };
}

export interface ConfigMap extends K8sObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface Secret extends K8sObject {
  type?: string;
  /** Base64. */
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface PodDisruptionBudget extends K8sObject {
  spec: {
    selector?: LabelSelector;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
}

export interface PersistentVolumeClaim extends K8sObject {
  spec: {
    storageClassName?: string;
    accessModes?: string[];
    volumeName?: string;
    resources?: { requests?: { storage?: string } };
  };
  status?: { phase?: string };
}

export interface PersistentVolume extends K8sObject {
  spec: {
    storageClassName?: string;
    capacity?: { storage?: string };
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    volumeMode?: string;
    claimRef?: {
      apiVersion?: string;
      kind?: string;
      namespace?: string;
      name?: string;
      uid?: string;
    };
    hostPath?: { path: string; type?: string };
    local?: { path: string };
    nodeAffinity?: {
      required?: {
        nodeSelectorTerms: {
          matchExpressions?: { key: string; operator: string; values?: string[] }[];
        }[];
      };
    };
  };
  status?: { phase?: string };
}

export interface StorageClass extends K8sObject {
  provisioner: string;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
}

export interface CustomResourceDefinition extends K8sObject {
  spec: {
    group: string;
    names: { kind: string; plural: string };
    scope?: string;
    versions: { name: string; served?: boolean; storage?: boolean }[];
  };
  status?: { conditions?: Condition[] };
}

export interface Node extends K8sObject {
  spec?: { podCIDR?: string; unschedulable?: boolean };
  status?: {
    conditions?: Condition[];
    addresses?: { type: string; address: string }[];
    capacity?: Record<string, string>;
    allocatable?: Record<string, string>;
  };
}

export interface Namespace extends K8sObject {
  status?: { phase?: string };
}

export interface ServiceAccount extends K8sObject {
  automountServiceAccountToken?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Access control

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export interface ClusterRole extends K8sObject {
  rules?: PolicyRule[];
}

export interface Role extends K8sObject {
  rules?: PolicyRule[];
}

export interface RoleBinding extends K8sObject {
  roleRef: { apiGroup: string; kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string; apiGroup?: string }[];
}

export type ClusterRoleBinding = RoleBinding;

// ---------------------------------------------------------------------------------------------
// prometheus-operator

export interface Endpoint {
  port?: string;
  /** PodMonitor only. */
  portNumber?: number;
  targetPort?: number | string;
  path?: string;
  scheme?: string;
  interval?: string;
}

export interface ServiceMonitor extends K8sObject {
  spec: {
    jobLabel?: string;
    selector: LabelSelector;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    endpoints: Endpoint[];
  };
}

export interface PodMonitor extends K8sObject {
  spec: {
    jobLabel?: string;
    selector: LabelSelector;
    namespaceSelector?: { any?: boolean; matchNames?: string[] };
    podMetricsEndpoints: Endpoint[];
  };
}

export interface RuleGroup {
  name?: string;
  interval?: string;
  rules?: {
    alert?: string;
    record?: string;
    expr?: string | number;
    for?: string;
    keep_firing_for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }[];
}

export interface PrometheusRule extends K8sObject {
  spec: { groups?: RuleGroup[] };
}

/** What the Prometheus and Alertmanager CRs share. */
interface OperatorCrSpec {
  image?: string;
  version?: string;
  replicas?: number;
  podMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
  securityContext?: SecurityContext;
  resources?: Resources;
  containers?: Partial<Container>[];
  affinity?: Affinity;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  storage?: { volumeClaimTemplate?: { spec?: PersistentVolumeClaim["spec"] } };
  /** Secrets the operator mounts into every pod. */
  secrets?: string[];
}

export interface Prometheus extends K8sObject {
  spec: OperatorCrSpec & {
    replicaExternalLabelName?: string;
    externalLabels?: Record<string, string>;
    scrapeInterval?: string;
    evaluationInterval?: string;
    retention?: string;
    retentionSize?: string;
    enableAdminAPI?: boolean;
    additionalArgs?: { name: string; value?: string }[];
    thanos?: { image?: string; version?: string; resources?: Resources };
    serviceMonitorSelector?: LabelSelector;
    serviceMonitorNamespaceSelector?: LabelSelector;
    podMonitorSelector?: LabelSelector;
    podMonitorNamespaceSelector?: LabelSelector;
    ruleSelector?: LabelSelector;
    ruleNamespaceSelector?: LabelSelector;
    alerting?: { alertmanagers?: { name: string; namespace?: string; port?: string }[] };
  };
  status?: { conditions?: Condition[] };
}

export interface Alertmanager extends K8sObject {
  spec: OperatorCrSpec & {
    configSecret?: string;
    alertmanagerConfiguration?: { name: string };
    clusterPeerTimeout?: string;
    retention?: string;
  };
  status?: { conditions?: Condition[] };
}

// ---------------------------------------------------------------------------------------------
// Narrowing

/** Each kind a task reads, by its `kind`. */
export interface Kinds {
  Pod: Pod;
  Deployment: Deployment;
  StatefulSet: StatefulSet;
  DaemonSet: DaemonSet;
  ReplicaSet: ReplicaSet;
  Job: Job;
  CronJob: CronJob;
  Service: Service;
  Ingress: Ingress;
  NetworkPolicy: NetworkPolicy;
  ConfigMap: ConfigMap;
  Secret: Secret;
  PodDisruptionBudget: PodDisruptionBudget;
  PersistentVolumeClaim: PersistentVolumeClaim;
  PersistentVolume: PersistentVolume;
  StorageClass: StorageClass;
  CustomResourceDefinition: CustomResourceDefinition;
  Node: Node;
  Namespace: Namespace;
  ServiceAccount: ServiceAccount;
  ClusterRole: ClusterRole;
  Role: Role;
  ClusterRoleBinding: ClusterRoleBinding;
  RoleBinding: RoleBinding;
  ServiceMonitor: ServiceMonitor;
  PodMonitor: PodMonitor;
  PrometheusRule: PrometheusRule;
  Prometheus: Prometheus;
  Alertmanager: Alertmanager;
}
export type Kind = keyof Kinds;

/** The type of an object of kind `K`: its own where declared here, `K8sObject` otherwise. */
export type KindOf<K extends string> = K extends Kind ? Kinds[K] : K8sObject;

/** Narrows an object to its kind. */
export function isKind<K extends Kind>(o: K8sObject, kind: K): o is Kinds[K] {
  return o.kind === kind;
}

/** The objects of one kind (and name) among `objects`, typed. */
export function objectsOf<K extends string>(
  objects: readonly K8sObject[],
  kind: K,
  name?: string,
): KindOf<K>[] {
  return objects.filter((o) =>
    o.kind === kind && (name === undefined || o.metadata.name === name)
  ) as KindOf<K>[];
}

/**
 * An object literal checked against its kind's type (a misspelt field is an error), for code and
 * tests that write objects: `typed({ kind: "Service", … })`.
 */
export function typed<K extends Kind>(o: Kinds[K] & { kind: K }): Kinds[K] {
  return o;
}

/** The kinds whose pods come from `spec.template`. */
export type Templated = Deployment | StatefulSet | DaemonSet | ReplicaSet | Job;
const TEMPLATED: readonly string[] = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "Job",
];

export function isTemplated(o: K8sObject): o is Templated {
  return TEMPLATED.includes(o.kind);
}

/** The kinds that make pods: the templated ones, CronJobs, and Pods themselves. */
export type Workload = Templated | CronJob | Pod;

export function isWorkload(o: K8sObject): o is Workload {
  return isTemplated(o) || o.kind === "CronJob" || o.kind === "Pod";
}

/** A pod spec inside an object, and its path there. */
export interface PodSpecAt {
  spec: PodSpec;
  path: string;
}

/** The pod template's spec of a workload, and its path in the object. */
export function podSpecOf(o: K8sObject): PodSpecAt | null {
  if (isKind(o, "Pod")) return o.spec ? { spec: o.spec, path: "spec" } : null;
  if (isKind(o, "CronJob")) {
    const spec = o.spec?.jobTemplate?.spec?.template?.spec;
    return spec ? { spec, path: "spec.jobTemplate.spec.template.spec" } : null;
  }
  if (isTemplated(o)) {
    const spec = o.spec?.template?.spec;
    return spec ? { spec, path: "spec.template.spec" } : null;
  }
  return null;
}

/** An object's field at a path of keys and indexes, untyped (for generic walks). */
export function fieldAt(o: unknown, path: readonly (string | number)[]): unknown {
  let v = o;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}
