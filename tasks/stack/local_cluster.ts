/**
 * `startLocalCluster()`: the local cluster, whole: the real control plane on 127.0.0.1, the pod
 * network, the node agent running every pod as processes, kube-proxy (the real one) giving
 * Services their addresses, CoreDNS serving the cluster domain; then the cluster's render
 * applied as Argo CD syncs it (the operator's CRDs first, waves in order, health between them),
 * the real prometheus-operator reconciling it, and a forward on 127.0.0.1 per UI and API.
 * Everything stops with it (Ctrl-C, `--for`, crashes), and a run cleans what a killed run left.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { localNetwork, startControlPlane } from "../controlplane/controlplane.ts";
import { installCrds } from "../controlplane/crds.ts";
import { localJudge } from "../controlplane/judge.ts";
import { alive, type ClusterState, removeState, writeState } from "../controlplane/state.ts";
import { applyInWaves, type WaveReport } from "../kube/apply.ts";
import { SYNC_WAVE_ANNOTATION } from "../render/sync_waves.ts";
import { KubeClient } from "../kube/client.ts";
import { CACHE_DIR, OVERLAYS_DIR, toolPath } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { NodeAgent } from "../node/agent.ts";
import { containerPid } from "../node/container.ts";
import { linuxRuntime } from "../node/linux_runtime.ts";
import {
  cleanupStale,
  DEFAULT_POD_NETWORK,
  ensurePodNetwork,
  exposeHostPort,
  type PodNetworkConfig,
  teardownPodNetwork,
} from "../node/pod_network.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import type { K8sObject, Secret } from "../render/objects.ts";
import { run } from "../proc/run.ts";
import { addons } from "./addons.ts";
import { CONTROL_PLANE_PORTS, controlPlanePods } from "./control_plane_pods.ts";
import type { Pki } from "../controlplane/pki.ts";
import { type Forward, forward } from "./forward.ts";
import { freePorts } from "./ports.ts";
import { Supervisor } from "./process.ts";
import { NOTIFY_PATH, type Sink, startSink } from "./sink.ts";

export const NODE_NAME = "local-node";
/** The node's own address (hostNetwork pods); the gateway .1 is the host's. */
export const NODE_IP = "198.18.0.2";

export interface LocalClusterOptions {
  cluster?: string;
  /** A render to apply instead of `overlays/<cluster>` (tests). */
  objects?: K8sObject[];
  lifetimeMs?: number;
  onLifetimeEnd?: () => void;
  handleSignals?: boolean;
  onProgress?: (line: string) => void;
  /** How long every pod has to become ready (default 5 minutes). */
  readyTimeoutMs?: number;
}

export interface LocalUrls {
  thanosQuery: string;
  prometheus: string[];
  alertmanagers: string[];
  sink: string;
}

export interface LocalCluster {
  cluster: string;
  dir: string;
  server: string;
  kubeconfig: string;
  admin: KubeClient;
  agent: NodeAgent;
  supervisor: Supervisor;
  sink: Sink;
  urls: LocalUrls;
  waves: WaveReport[];
  /** Milliseconds: control plane ready, render applied, every pod ready. */
  timings: { controlPlaneMs: number; applyMs: number; readyMs: number };
  /** Forwards a loopback port to a pod's port (its IP read now). */
  forwardTo(namespace: string, pod: string, port: number): Promise<Forward>;
  /** The host PID of a running container's own process (PID 1 of its namespace). */
  containerPid(namespace: string, pod: string, container: string): Promise<number>;
  /** Sends a signal to a running container's process (SIGSTOP, SIGCONT, SIGKILL…); its PID. */
  signal(namespace: string, pod: string, container: string, signal: Deno.Signal): Promise<number>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The local cluster's Secrets that a platform creates outside the repository. */
function platformSecrets(ns: string, sinkUrl: string): K8sObject[] {
  const secret = (name: string, data: Record<string, string>): Secret => ({
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace: ns, annotations: { [SYNC_WAVE_ANNOTATION]: "-1" } },
    type: "Opaque",
    stringData: data,
  });
  const password = crypto.getRandomValues(new Uint8Array(18));
  return [
    // The webhook every receiver of the local cluster posts to (clusters/local/alertmanager.yaml).
    secret("alertmanager-receivers", { "sink-url": `${sinkUrl}${NOTIFY_PATH}` }),
    secret("grafana-admin", {
      "admin-user": "admin",
      "admin-password": btoa(String.fromCharCode(...password)),
    }),
  ];
}

/** The host PID of a container the agent runs; throws, naming what is missing, otherwise. */
export async function runningContainerPid(
  agent: NodeAgent,
  namespace: string,
  pod: string,
  container: string,
): Promise<number> {
  const key = `${namespace}/${pod}`;
  const worker = agent.workers().find((w) => w.key === key);
  if (!worker) throw new Error(`the node agent runs no pod ${key}`);
  const run = [...worker.init, ...worker.containers].find((c) => c.spec.name === container);
  if (!run) throw new Error(`pod ${key} has no container ${container}`);
  const pid = run.pid && run.launch ? await containerPid(run.pid, run.launch) : undefined;
  if (pid === undefined) throw new Error(`container ${container} of pod ${key} is not running`);
  return pid;
}

/** The etcd client certificate the stack's etcd monitor reads, as a platform would provide it. */
function etcdClientSecret(ns: string, pki: Pki): Secret {
  const { cert, key } = pki.cert("etcd-metrics-client");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: {
      name: "etcd-client-tls",
      namespace: ns,
      annotations: { [SYNC_WAVE_ANNOTATION]: "-1" },
    },
    type: "Opaque",
    stringData: {
      "ca.crt": readFileSync(pki.ca, "utf8"),
      "tls.crt": readFileSync(cert, "utf8"),
      "tls.key": readFileSync(key, "utf8"),
    },
  };
}

/** Whether every pod is Ready, or waits for a reason that will not pass; and what is not. */
async function podsSettled(admin: KubeClient): Promise<{ done: boolean; waiting: string[] }> {
  const pods = await admin.list("v1", "Pod");
  const waiting: string[] = [];
  for (const p of pods.items) {
    const ready = (p.status?.conditions ?? []).some((c) =>
      c.type === "Ready" && c.status === "True"
    );
    const notRunnable = (p.status?.containerStatuses ?? []).some((c) =>
      c.state?.waiting?.reason === "ImageNotRunnable"
    );
    if (!ready && !notRunnable) waiting.push(`${p.metadata.namespace}/${p.metadata.name}`);
  }
  return { done: pods.items.length > 0 && waiting.length === 0, waiting };
}

export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalCluster> {
  const t0 = performance.now();
  const cluster = opts.cluster ?? "local";
  const progress = opts.onProgress ?? (() => {});
  const versions = loadVersions();
  const net = localNetwork();
  const podNet: PodNetworkConfig = { ...DEFAULT_POD_NETWORK };
  const dir = join(CACHE_DIR, "cluster", cluster);

  // One local cluster per machine: its pod network, bridge and firewall table are the machine's,
  // whichever checkout starts it.
  await sweepStale(podNet, dir);
  mkdirSync(join(dir, "logs"), { recursive: true });

  const objects = opts.objects ?? (await kustomizeBuild(join(OVERLAYS_DIR, cluster))).objects;
  const namespace = objects.find((o) => o.kind === "Prometheus")?.metadata.namespace ??
    "monitoring";

  let agent: NodeAgent | undefined;
  const forwards: Forward[] = [];
  const supervisor = new Supervisor({
    logDir: join(dir, "logs"),
    ...(opts.lifetimeMs !== undefined ? { lifetimeMs: opts.lifetimeMs } : {}),
    ...(opts.onLifetimeEnd ? { onLifetimeEnd: opts.onLifetimeEnd } : {}),
    ...(opts.handleSignals ? { handleSignals: true } : {}),
  });
  // Cleanups run last added first: forwards, the agent's pods, then the network and the data.
  supervisor.addCleanup(async () => {
    removeState();
    await removeKubeProxyRules();
    await teardownPodNetwork(podNet);
    rmSync(dir, { recursive: true, force: true });
    rmSync(ownerFile(podNet.stateDir), { force: true });
  });
  supervisor.addCleanup(async () => {
    await agent?.stop();
  });
  supervisor.addCleanup(() => {
    for (const f of forwards) f.close();
  });
  const sink = startSink();
  supervisor.addCleanup(() => sink.close());

  try {
    progress("pod network …");
    await ensurePodNetwork(podNet);
    const cp = await startControlPlane({
      dir,
      supervisor,
      network: net,
      nodeName: NODE_NAME,
      components: ["controller-manager", "scheduler"],
      ports: {
        etcd: CONTROL_PLANE_PORTS.etcd,
        "controller-manager": CONTROL_PLANE_PORTS["kube-controller-manager"],
        scheduler: CONTROL_PLANE_PORTS["kube-scheduler"],
      },
      onProgress: progress,
    });
    const controlPlaneMs = performance.now() - t0;
    // Pods reach the API server and the sink at the gateway address (DNAT to 127.0.0.1).
    await exposeHostPort(podNet, cp.ports.apiserver);
    await exposeHostPort(podNet, Number(new URL(sink.url).port));
    // The control plane's metrics, where the stack's monitors scrape them.
    for (const p of controlPlanePods()) await exposeHostPort(podNet, p.port);
    const admin = cp.admin;

    // The operator's CRDs are their own Application in Argo CD (clusters/argocd/crds.yaml), synced
    // before the stack: they are applied while the rest of the node comes up, and the stack's
    // waves wait for them.
    const sync = {
      fieldManager: "argocd-controller",
      judge: localJudge(admin, objects),
      onProgress: progress,
      waveTimeoutMs: opts.readyTimeoutMs ?? 300_000,
    };
    const t1 = performance.now();
    const crdsSynced = installCrds(admin).then((ms) => {
      progress(`operator CRDs established in ${(ms / 1000).toFixed(1)} s`);
      return [] as WaveReport[];
    });
    crdsSynced.catch(() => {}); // awaited below

    progress("kube-proxy …");
    const [proxyHealth] = freePorts(1) as [number];
    const proxyMetrics = CONTROL_PLANE_PORTS["kube-proxy"];
    await supervisor.start({
      name: "kube-proxy",
      cmd: toolPath("kube-proxy"),
      args: [
        `--kubeconfig=${cp.kubeconfig("kube-proxy")}`,
        "--proxy-mode=nftables",
        `--hostname-override=${NODE_NAME}`,
        `--cluster-cidr=${net.podCIDR}`,
        "--bind-address=127.0.0.1",
        `--healthz-bind-address=127.0.0.1:${proxyHealth}`,
        `--metrics-bind-address=127.0.0.1:${proxyMetrics}`,
        `--nodeport-addresses=${net.advertiseAddress}/32`,
        // Leave the host's conntrack sysctls alone.
        "--conntrack-max-per-core=0",
        "--v=1",
      ],
      ready: async () => {
        try {
          const res = await fetch(`http://127.0.0.1:${proxyHealth}/healthz`);
          await res.body?.cancel();
          return res.status === 200;
        } catch {
          return false;
        }
      },
    });

    progress("node agent …");
    const kubernetesVersion = `v${
      Object.values(versions.tools).find((t) => t.module === "k8s.io/kubernetes")?.appVersion
    }`;
    const nodeClient = KubeClient.fromFiles(
      cp.server,
      cp.pki.ca,
      cp.pki.cert("node").cert,
      cp.pki.cert("node").key,
    );
    supervisor.addCleanup(() => nodeClient.close());
    agent = new NodeAgent({
      client: nodeClient,
      admin,
      runtime: linuxRuntime(podNet, NODE_IP),
      versions,
      nodeName: NODE_NAME,
      nodeIP: NODE_IP,
      kubernetesVersion,
      dnsServiceIP: net.dnsServiceIP,
      dnsDomain: net.dnsDomain,
      apiServer: { host: net.advertiseAddress, port: cp.ports.apiserver },
      stateDir: join(dir, "node"),
      log: (line) => appendLog(join(dir, "logs", "node-agent.log"), line),
    });
    await agent.start();
    await agent.publishMirrorPods(
      controlPlanePods(),
      net.advertiseAddress,
      `registry.k8s.io/kube-apiserver:${kubernetesVersion}`,
    );
    await supervisor.waitReady(60_000, ["kube-proxy"]);

    progress("applying the add-ons and the render in sync waves …");
    const extra = [
      ...addons(versions, net).map((o) => ({
        ...o,
        metadata: {
          ...o.metadata,
          annotations: { ...o.metadata.annotations, [SYNC_WAVE_ANNOTATION]: "-3" },
        },
      })),
      {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: namespace, annotations: { [SYNC_WAVE_ANNOTATION]: "-1" } },
      },
      ...platformSecrets(namespace, `http://${net.advertiseAddress}:${new URL(sink.url).port}`),
      etcdClientSecret(namespace, cp.pki),
    ];
    const addonWaves = await applyInWaves(admin, extra.filter((o) => o.kind !== "Secret"), sync);
    const crdWaves = await crdsSynced;
    const waves = [
      ...crdWaves,
      ...addonWaves,
      ...await applyInWaves(admin, [...extra.filter((o) => o.kind === "Secret"), ...objects], sync),
    ];
    const applyMs = performance.now() - t1;

    progress("waiting for every pod to be ready …");
    const deadline = Date.now() + (opts.readyTimeoutMs ?? 300_000);
    while (true) {
      const s = await podsSettled(admin);
      if (s.done) break;
      if (Date.now() > deadline) {
        throw new Error(
          `pods not ready after ${opts.readyTimeoutMs ?? 300_000} ms: ${s.waiting.join(", ")}`,
        );
      }
      await sleep(500);
    }
    const readyMs = performance.now() - t0;

    const podIP = async (ns: string, name: string) => {
      const pod = await admin.get("v1", "Pod", ns, name);
      const ip = pod?.status?.podIP;
      if (!ip) throw new Error(`pod ${ns}/${name} has no IP`);
      return ip;
    };
    const forwardTo = async (ns: string, pod: string, port: number) => {
      const f = forward(await podIP(ns, pod), port);
      forwards.push(f);
      return f;
    };
    const thanosQuery = await admin.get("v1", "Service", namespace, "thanos-query");
    const queryPort = (thanosQuery?.spec?.ports ?? []).find((p) => p.name === "http")?.port ??
      10902;
    const queryIP = thanosQuery?.spec?.clusterIP;
    if (!queryIP) throw new Error(`Service ${namespace}/thanos-query has no cluster IP`);
    const queryForward = forward(queryIP, queryPort);
    forwards.push(queryForward);
    const podsOf = async (selector: string) =>
      (await admin.list("v1", "Pod", { namespace, labelSelector: selector })).items
        .map((p) => p.metadata.name).sort();
    const prometheus = await Promise.all(
      (await podsOf("app.kubernetes.io/name=prometheus")).map((p) => forwardTo(namespace, p, 9090)),
    );
    const alertmanagers = await Promise.all(
      (await podsOf("app.kubernetes.io/name=alertmanager")).map((p) =>
        forwardTo(namespace, p, 9093)
      ),
    );
    const urls: LocalUrls = {
      thanosQuery: queryForward.url,
      prometheus: prometheus.map((f) => f.url),
      alertmanagers: alertmanagers.map((f) => f.url),
      sink: sink.url,
    };
    const state: ClusterState = {
      cluster,
      pid: Deno.pid,
      server: cp.server,
      kubeconfig: cp.adminKubeconfig,
      ca: cp.pki.ca,
      cert: cp.pki.cert("admin").cert,
      key: cp.pki.cert("admin").key,
      dir,
      urls,
    };
    writeState(state);
    const nodeAgent = agent;
    return {
      cluster,
      dir,
      server: cp.server,
      kubeconfig: cp.adminKubeconfig,
      admin,
      agent,
      supervisor,
      sink,
      urls,
      waves,
      timings: { controlPlaneMs, applyMs, readyMs },
      forwardTo,
      containerPid: (ns, pod, c) => runningContainerPid(nodeAgent, ns, pod, c),
      async signal(ns, pod, c, signal) {
        const pid = await runningContainerPid(nodeAgent, ns, pod, c);
        Deno.kill(pid, signal);
        return pid;
      },
      close: () => supervisor.stopAll(),
    };
  } catch (e) {
    await supervisor.stopAll();
    throw e;
  }
}

/** kube-proxy's own sweep of the rules it programmed (it leaves them when it stops). */
async function removeKubeProxyRules(): Promise<void> {
  await run(toolPath("kube-proxy"), ["--cleanup", "--proxy-mode=nftables"], { timeoutMs: 60_000 });
}

/**
 * What a new run does first, and all a run killed with SIGKILL needs: claims the machine (refused
 * while another local cluster runs), then removes what a killed run left: kube-proxy's rules, the
 * pod network's namespaces, bridge, table and mounts, and the run's data.
 */
export async function sweepStale(podNet: PodNetworkConfig, dir: string): Promise<void> {
  claimMachine(podNet.stateDir);
  await removeKubeProxyRules();
  await cleanupStale(podNet);
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
}

function ownerFile(stateDir: string): string {
  return join(stateDir, "owner.pid");
}

/** Records this process as the machine's local cluster; refuses while another one runs. */
function claimMachine(stateDir: string): void {
  mkdirSync(stateDir, { recursive: true });
  const path = ownerFile(stateDir);
  const other = existsSync(path) ? Number(readFileSync(path, "utf8")) : NaN;
  if (other > 0 && other !== Deno.pid && alive(other)) {
    throw new Error(
      `a local cluster is already running on this machine (process ${other}); ` +
        "stop it (Ctrl-C) before starting another",
    );
  }
  writeFileSync(path, String(Deno.pid));
}

function appendLog(path: string, line: string): void {
  try {
    writeFileSync(path, `${new Date().toISOString()} ${line}\n`, { flag: "a" });
  } catch { /* the run's folder is gone */ }
}
