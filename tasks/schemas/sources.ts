/**
 * Where kubeconform's schemas come from: pinned Go modules, downloaded with `go mod download`
 * (checksummed by the Go module proxy and sum.golang.org), and the files used from each.
 * schemas/lock.json records what these resolved to; change a pin here, then run
 * `deno task schemas --update-lock`.
 */
import { loadVersions, type Versions } from "../model/versions.ts";
import type { GroupVersionKind } from "./openapi.ts";

/**
 * The Kubernetes release whose OpenAPI v3 spec gives the built-in kinds' schemas.
 * (The module versions requiring a newer Go than the installed toolchain cannot be extracted by
 * `go mod download`, which is why the Argo CD and Flux pins below are not the very latest.)
 */
export const KUBERNETES_MODULE = kubernetesPin(loadVersions());

/** The k8s.io/kubernetes pin of versions.json: the control plane run and the API validated. */
export function kubernetesPin(versions: Versions): { module: string; version: string } {
  const pin = Object.values(versions.tools).find((p) => p.module === "k8s.io/kubernetes");
  if (!pin) throw new Error("versions.json builds no tool from k8s.io/kubernetes");
  return { module: pin.module, version: pin.version };
}

/** The Kubernetes version kubeconform validates against (`-kubernetes-version`), without `v`. */
export const KUBERNETES_VERSION = KUBERNETES_MODULE.version.slice(1);

/** Built-in kinds the stack and its reconcilers render, by apiVersion. Add a kind here if
 * kubeconform reports it has no schema. */
export const BUILTIN_KINDS: Readonly<Record<string, readonly string[]>> = {
  "v1": [
    "ConfigMap",
    "Endpoints",
    "LimitRange",
    "Namespace",
    "PersistentVolumeClaim",
    "Pod",
    "ResourceQuota",
    "Secret",
    "Service",
    "ServiceAccount",
  ],
  "apps/v1": ["DaemonSet", "Deployment", "StatefulSet"],
  "batch/v1": ["CronJob", "Job"],
  "autoscaling/v2": ["HorizontalPodAutoscaler"],
  "policy/v1": ["PodDisruptionBudget"],
  "networking.k8s.io/v1": ["Ingress", "IngressClass", "NetworkPolicy"],
  "rbac.authorization.k8s.io/v1": ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"],
  "apiextensions.k8s.io/v1": ["CustomResourceDefinition"],
  "admissionregistration.k8s.io/v1": [
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
  ],
  "scheduling.k8s.io/v1": ["PriorityClass"],
  "storage.k8s.io/v1": ["StorageClass"],
};

export function builtinKinds(): GroupVersionKind[] {
  return Object.entries(BUILTIN_KINDS).flatMap(([apiVersion, kinds]) => {
    const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    return kinds.map((kind) => ({ group: group!, version: version!, kind }));
  });
}

/** The spec file of one group/version inside the k8s.io/kubernetes module. */
export function openApiFile(gv: Pick<GroupVersionKind, "group" | "version">): string {
  const name = gv.group ? `apis__${gv.group}__${gv.version}_openapi.json` : "api__v1_openapi.json";
  return `api/openapi-spec/v3/${name}`;
}

/** The spec file holding ObjectMeta, used for the metadata of custom resources. */
export const CORE_OPENAPI_FILE = openApiFile({ group: "", version: "v1" });
export const OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

export interface ModuleSource {
  /** A short name for messages and the lock. */
  name: string;
  module: string;
  version: string;
  /** Paths inside the module. */
  files: string[];
}

/** Every module the schemas are built from, the files used from each, sorted. */
export function schemaSources(versions: Versions): ModuleSource[] {
  const operator = versions.images["prometheus-operator"]?.tag;
  if (!operator) throw new Error(`versions.json has no images["prometheus-operator"].tag`);
  const k8sFiles = new Set([CORE_OPENAPI_FILE, ...builtinKinds().map(openApiFile)]);
  const operatorCrds = [
    "alertmanagerconfigs",
    "alertmanagers",
    "podmonitors",
    "probes",
    "prometheusagents",
    "prometheuses",
    "prometheusrules",
    "scrapeconfigs",
    "servicemonitors",
    "thanosrulers",
  ];
  return [
    { name: "kubernetes", ...KUBERNETES_MODULE, files: [...k8sFiles].sort() },
    {
      name: "prometheus-operator",
      module: "github.com/prometheus-operator/prometheus-operator",
      // The operator deployed (versions.json), so CRs are checked against the CRDs it installs.
      version: operator,
      files: operatorCrds.map((p) =>
        `example/prometheus-operator-crd/monitoring.coreos.com_${p}.yaml`
      ),
    },
    {
      name: "argo-cd",
      module: "github.com/argoproj/argo-cd/v3",
      version: "v3.5.7",
      files: [
        "manifests/crds/application-crd.yaml",
        "manifests/crds/applicationset-crd.yaml",
        "manifests/crds/appproject-crd.yaml",
      ],
    },
    {
      // Flux v2.9.5 ships kustomize-controller and source-controller v1.9.5.
      name: "flux-kustomize-controller",
      module: "github.com/fluxcd/kustomize-controller",
      version: "v1.9.5",
      files: ["config/crd/bases/kustomize.toolkit.fluxcd.io_kustomizations.yaml"],
    },
    {
      name: "flux-source-controller",
      module: "github.com/fluxcd/source-controller",
      version: "v1.9.5",
      files: ["config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml"],
    },
  ];
}
