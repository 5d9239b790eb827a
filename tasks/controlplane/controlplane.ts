/**
 * `startControlPlane()`: etcd, kube-apiserver and, when asked, kube-controller-manager and
 * kube-scheduler, the pinned real binaries, listening on 127.0.0.1 only, with TLS everywhere,
 * RBAC on and certificates made for this run. Processes run under the caller's Supervisor, so they
 * stop with it (Ctrl-C, `--for`, crashes); the state folder goes with them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { toolPath } from "../model/paths.ts";
import { KubeClient } from "../kube/client.ts";
import { freePorts } from "../stack/ports.ts";
import type { Supervisor } from "../stack/process.ts";
import { certKubeconfig } from "./kubeconfig.ts";
import { clusterCerts, type ClusterNetwork, issuePki, type Pki } from "./pki.ts";

/** The local cluster's networks: all inside 198.18.0.0/15, reserved for network tests. */
export interface LocalNetwork extends ClusterNetwork {
  podCIDR: string;
  serviceCIDR: string;
  /** The cluster DNS Service's IP. */
  dnsServiceIP: string;
}

export function localNetwork(dnsDomain = "cluster.local"): LocalNetwork {
  return {
    podCIDR: "198.18.0.0/16",
    advertiseAddress: "198.18.0.1",
    serviceCIDR: "198.19.0.0/16",
    apiServiceIP: "198.19.0.1",
    dnsServiceIP: "198.19.0.10",
    dnsDomain,
  };
}

export type Component = "controller-manager" | "scheduler";

export interface ControlPlaneOptions {
  /** A folder of this run (PKI, etcd data, kubeconfigs). */
  dir: string;
  supervisor: Supervisor;
  network: LocalNetwork;
  nodeName: string;
  /** Besides etcd and the API server (validate's dry-run needs neither). */
  components: readonly Component[];
  readyTimeoutMs?: number;
  onProgress?: (line: string) => void;
  /**
   * Ports to use instead of free ones: the local cluster runs etcd, the controller manager and
   * the scheduler at their standard ports, where the stack's monitors scrape them.
   */
  ports?: { etcd?: number; "controller-manager"?: number; scheduler?: number };
}

export interface ControlPlane {
  server: string;
  pki: Pki;
  /** Kubeconfig of the cluster administrator (group system:masters). */
  adminKubeconfig: string;
  /** Kubeconfig path per client certificate (`node`, `kube-proxy`, …). */
  kubeconfig(name: string): string;
  /** A client as the administrator. */
  admin: KubeClient;
  ports:
    & { apiserver: number; etcd: number; etcdMetrics: number }
    & Partial<
      Record<Component, number>
    >;
  /** Milliseconds from the call to the API server answering /readyz. */
  readyMs: number;
}

/** etcd's flags. Pure. */
export function etcdArgs(
  dir: string,
  pki: Pki,
  ports: { client: number; peer: number; metrics: number },
): string[] {
  const { cert, key } = pki.cert("etcd");
  return [
    "--name=local",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=https://127.0.0.1:${ports.client}`,
    `--advertise-client-urls=https://127.0.0.1:${ports.client}`,
    `--listen-peer-urls=http://127.0.0.1:${ports.peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${ports.peer}`,
    `--initial-cluster=local=http://127.0.0.1:${ports.peer}`,
    `--listen-metrics-urls=http://127.0.0.1:${ports.metrics}`,
    `--cert-file=${cert}`,
    `--key-file=${key}`,
    `--trusted-ca-file=${pki.ca}`,
    "--client-cert-auth=true",
    // A cluster that lives for one run on one disk: durability is not worth the fsync latency.
    "--unsafe-no-fsync=true",
    "--log-level=warn",
  ];
}

/** kube-apiserver's flags. Pure. */
export function apiserverArgs(
  pki: Pki,
  net: LocalNetwork,
  ports: { apiserver: number; etcd: number },
): string[] {
  const serving = pki.cert("apiserver");
  const etcdClient = pki.cert("apiserver-etcd-client");
  return [
    `--etcd-servers=https://127.0.0.1:${ports.etcd}`,
    `--etcd-cafile=${pki.ca}`,
    `--etcd-certfile=${etcdClient.cert}`,
    `--etcd-keyfile=${etcdClient.key}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${ports.apiserver}`,
    // Published as the `kubernetes` Service's endpoint, which may not be a loopback address.
    `--advertise-address=${net.advertiseAddress}`,
    `--tls-cert-file=${serving.cert}`,
    `--tls-private-key-file=${serving.key}`,
    `--client-ca-file=${pki.ca}`,
    `--service-account-issuer=https://kubernetes.default.svc.${net.dnsDomain}`,
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    `--service-cluster-ip-range=${net.serviceCIDR}`,
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    "--anonymous-auth=false",
    "--allow-privileged=true",
    "--profiling=false",
    // One node and a few hundred objects: lists and watches served straight from etcd cost
    // nothing measurable here, and the watch cache held about 100 MiB of the apiserver's RSS.
    "--watch-cache=false",
    "--v=1",
  ];
}

function componentArgs(
  component: Component,
  pki: Pki,
  net: LocalNetwork,
  kubeconfig: string,
  port: number,
): string[] {
  const serving = pki.cert(component);
  const common = [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${port}`,
    `--tls-cert-file=${serving.cert}`,
    `--tls-private-key-file=${serving.key}`,
    `--client-ca-file=${pki.ca}`,
    "--leader-elect=false",
    "--profiling=false",
    "--v=1",
  ];
  if (component === "scheduler") return common;
  return [
    ...common,
    `--service-account-private-key-file=${pki.saKey}`,
    `--root-ca-file=${pki.ca}`,
    "--use-service-account-credentials=true",
    `--cluster-signing-cert-file=${pki.ca}`,
    `--cluster-signing-key-file=${pki.caKey}`,
    `--service-cluster-ip-range=${net.serviceCIDR}`,
    // Pod networking is the node agent's: no per-node CIDR allocation, no cloud.
    "--controllers=*,-nodeipam,-cloud-node-lifecycle,-service-lb-controller,-node-route-controller",
  ];
}

/** Ready when a GET of `path` answers 200 `ok`. */
function answersOk(client: KubeClient, path: string): () => Promise<boolean> {
  return async () => {
    try {
      const r = await client.getText(path, AbortSignal.timeout(2_000));
      return r.status === 200 && r.body.trim() === "ok";
    } catch {
      return false;
    }
  };
}

export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const t0 = performance.now();
  const progress = opts.onProgress ?? (() => {});
  const { dir, supervisor, network: net } = opts;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pki = await issuePki(join(dir, "pki"), clusterCerts(net, opts.nodeName));
  const free = freePorts(6) as [number, number, number, number, number, number];
  const etcd = opts.ports?.etcd ?? free[0];
  const [, peer, etcdMetrics, apiserver] = free;
  const cm = opts.ports?.["controller-manager"] ?? free[4];
  const sched = opts.ports?.scheduler ?? free[5];
  const server = `https://127.0.0.1:${apiserver}`;
  const kubeconfigDir = join(dir, "kubeconfig");
  mkdirSync(kubeconfigDir, { recursive: true, mode: 0o700 });
  const kubeconfig = (name: string) => join(kubeconfigDir, `${name}.yaml`);
  const users: Record<string, string> = {
    admin: "local-admin",
    "controller-manager": "system:kube-controller-manager",
    scheduler: "system:kube-scheduler",
    "kube-proxy": "system:kube-proxy",
    node: `system:node:${opts.nodeName}`,
  };
  for (const [name, user] of Object.entries(users)) {
    writeFileSync(
      kubeconfig(name),
      certKubeconfig(server, "local", user, { ca: pki.ca, ...pki.cert(name) }),
      { mode: 0o600 },
    );
  }
  const admin = KubeClient.fromFiles(
    server,
    pki.ca,
    pki.cert("admin").cert,
    pki.cert("admin").key,
  );
  supervisor.addCleanup(() => admin.close());

  progress("etcd …");
  await supervisor.start({
    name: "etcd",
    cmd: toolPath("etcd"),
    args: etcdArgs(dir, pki, { client: etcd, peer, metrics: etcdMetrics }),
    ready: async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${etcdMetrics}/health`, {
          signal: AbortSignal.timeout(1_000),
        });
        return res.status === 200 && (await res.json())?.health === "true";
      } catch {
        return false;
      }
    },
  });
  await supervisor.waitReady(opts.readyTimeoutMs ?? 60_000, ["etcd"]);
  progress("kube-apiserver …");
  await supervisor.start({
    name: "kube-apiserver",
    cmd: toolPath("kube-apiserver"),
    args: apiserverArgs(pki, net, { apiserver, etcd }),
    // A soft limit above its live heap (about 190 MB without the watch cache): the runtime gives
    // back what start-up took instead of keeping it. Both together: RSS 550 → 360 MiB, at 60
    // collections in its first 2 minutes (a 256 MiB limit with the cache on made it 840).
    env: { GOMEMLIMIT: "300MiB" },
    ready: answersOk(admin, "/readyz"),
  });
  await supervisor.waitReady(opts.readyTimeoutMs ?? 90_000, ["kube-apiserver"]);
  const readyMs = performance.now() - t0;
  const ports: ControlPlane["ports"] = { apiserver, etcd, etcdMetrics };
  for (const component of opts.components) {
    const port = component === "scheduler" ? sched : cm;
    ports[component] = port;
    progress(`kube-${component} …`);
    const componentClient = KubeClient.fromFiles(
      `https://127.0.0.1:${port}`,
      pki.ca,
      pki.cert("admin").cert,
      pki.cert("admin").key,
    );
    supervisor.addCleanup(() => componentClient.close());
    await supervisor.start({
      name: `kube-${component}`,
      cmd: toolPath(`kube-${component}`),
      args: componentArgs(component, pki, net, kubeconfig(component), port),
      ready: answersOk(componentClient, "/healthz"),
    });
  }
  await supervisor.waitReady(
    opts.readyTimeoutMs ?? 90_000,
    opts.components.map((c) => `kube-${c}`),
  );
  return { server, pki, adminKubeconfig: kubeconfig("admin"), kubeconfig, admin, ports, readyMs };
}
