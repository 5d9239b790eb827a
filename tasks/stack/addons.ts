/**
 * The local cluster's own add-ons, applied before the stack: the default StorageClass (claims
 * provisioned by the node agent) and CoreDNS, the real one (pinned), serving the cluster domain
 * from the API server and nothing else: it has no upstream, so no name outside the cluster is
 * ever looked up off this machine. Pure: objects from the network and versions.
 */
import { imageRef, type Versions } from "../model/versions.ts";
import { type K8sObject, typed } from "../render/objects.ts";
import { storageClass } from "../node/provisioner.ts";

/** CoreDNS's configuration: the cluster domain, health, readiness and metrics. Pure. */
export function corefile(dnsDomain: string): string {
  return [
    ".:53 {",
    "    errors",
    "    health :8080",
    "    ready :8181",
    `    kubernetes ${dnsDomain} in-addr.arpa ip6.arpa {`,
    "        pods insecure",
    "        fallthrough in-addr.arpa ip6.arpa",
    "        ttl 30",
    "    }",
    "    prometheus :9153",
    // As kubeadm writes it: answers for the cluster domain are never cached, so a pod that turns
    // Ready again is found at once (a cached NXDOMAIN hid a restarted sidecar from Thanos Query's
    // DNS discovery for half a minute after its SRV record was back).
    "    cache 30 {",
    `        disable success ${dnsDomain}`,
    `        disable denial ${dnsDomain}`,
    "    }",
    "    reload",
    "    loadbalance",
    "}",
    "",
  ].join("\n");
}

export function addons(versions: Versions, net: { dnsServiceIP: string; dnsDomain: string }) {
  const ns = "kube-system";
  const labels = { "k8s-app": "kube-dns" };
  const objects: K8sObject[] = [
    storageClass(),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "coredns", namespace: ns } },
    typed({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "system:coredns" },
      rules: [
        {
          apiGroups: [""],
          resources: ["endpoints", "services", "pods", "namespaces"],
          verbs: ["list", "watch"],
        },
        {
          apiGroups: ["discovery.k8s.io"],
          resources: ["endpointslices"],
          verbs: ["list", "watch"],
        },
      ],
    }),
    typed({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "system:coredns" },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: "system:coredns",
      },
      subjects: [{ kind: "ServiceAccount", name: "coredns", namespace: ns }],
    }),
    typed({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "coredns", namespace: ns },
      data: { Corefile: corefile(net.dnsDomain) },
    }),
    typed({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "coredns", namespace: ns, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "coredns",
            dnsPolicy: "Default",
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532 },
            containers: [{
              name: "coredns",
              image: imageRef(versions, "coredns"),
              args: ["-conf", "/etc/coredns/Corefile"],
              ports: [
                { name: "dns", containerPort: 53, protocol: "UDP" },
                { name: "dns-tcp", containerPort: 53, protocol: "TCP" },
                { name: "metrics", containerPort: 9153, protocol: "TCP" },
              ],
              readinessProbe: { httpGet: { path: "/ready", port: 8181 }, periodSeconds: 2 },
              livenessProbe: { httpGet: { path: "/health", port: 8080 }, periodSeconds: 10 },
              securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false },
              volumeMounts: [{ name: "config", mountPath: "/etc/coredns", readOnly: true }],
            }],
            volumes: [{ name: "config", configMap: { name: "coredns" } }],
          },
        },
      },
    }),
    typed({
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        name: "kube-dns",
        namespace: ns,
        labels: { ...labels, "kubernetes.io/name": "CoreDNS" },
      },
      spec: {
        selector: labels,
        clusterIP: net.dnsServiceIP,
        ports: [
          { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
          { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
          { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
        ],
      },
    }),
  ];
  return objects;
}
