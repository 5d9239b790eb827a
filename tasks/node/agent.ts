/**
 * The node agent: plays the kubelet's part for the local cluster. It registers its Node (capacity
 * from this machine, a Lease as heartbeat), watches the pods the scheduler binds to it and runs
 * each with a PodWorker, releases deleted pods, and provisions the claims of the local
 * StorageClass. It talks to the API server with the node's own identity
 * (`system:node:<name>`), so the Node authorizer and NodeRestriction judge it like a kubelet.
 */
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { type KubeClient, KubeError } from "../kube/client.ts";
import type { Versions } from "../model/versions.ts";
import { type NodeFacts, PodWorker } from "./pod_worker.ts";
import { type Pod, typed } from "../render/objects.ts";
import { claimFolder, provisionPending } from "./provisioner.ts";
import { isMirrorPod, mirrorPod, mirrorStatus, type StaticPod } from "./mirror_pods.ts";
import type { Runtime } from "./runtime.ts";

export interface AgentOptions {
  /** The node's identity. */
  client: KubeClient;
  /** A control-plane identity for the volume provisioner (nodes may not create volumes). */
  admin: KubeClient;
  runtime: Runtime;
  versions: Versions;
  nodeName: string;
  nodeIP: string;
  kubernetesVersion: string;
  dnsServiceIP: string;
  dnsDomain: string;
  /**
   * Where pods reach the API server (KUBERNETES_SERVICE_HOST and _PORT, which in-cluster clients
   * read): the host's address on the pod bridge.
   */
  apiServer: { host: string; port: number };
  /** Pods, logs and volumes live under it. */
  stateDir: string;
  log?: (line: string) => void;
}

const microTime = () => new Date().toISOString().replace(/Z$/, "000Z");
const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** The Node object's status: this machine's capacity and a Ready condition. Pure. */
export function nodeStatus(facts: NodeFacts, kubernetesVersion: string, now: string) {
  const capacity = {
    cpu: String(facts.cpu),
    memory: `${Math.floor(facts.memory / 1024)}Ki`,
    pods: "110",
    "ephemeral-storage": "50Gi",
  };
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    capacity,
    allocatable: capacity,
    addresses: [
      { type: "InternalIP", address: facts.nodeIP },
      { type: "Hostname", address: facts.nodeName },
    ],
    conditions: [
      condition("MemoryPressure", "False", "KubeletHasSufficientMemory", "enough memory"),
      condition("DiskPressure", "False", "KubeletHasNoDiskPressure", "enough disk"),
      condition("PIDPressure", "False", "KubeletHasSufficientPID", "enough PIDs"),
      condition("Ready", "True", "KubeletReady", "the node agent is posting ready status"),
    ],
    nodeInfo: {
      kubeletVersion: kubernetesVersion,
      kubeProxyVersion: kubernetesVersion,
      operatingSystem: "linux",
      architecture: "amd64",
      containerRuntimeVersion: "ha-monitoring-node-agent://1",
      osImage: "local processes",
      kernelVersion: Deno.osRelease(),
      machineID: "",
      systemUUID: "",
      bootID: "",
    },
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
  };
}

export type PodAction = "run" | "update" | "stop" | "stop-and-delete" | "release" | "ignore";

/**
 * What the agent does on a pod event, knowing whether it runs the pod or is already stopping it.
 * A pod being stopped is left to its worker, which deletes the object only once its containers
 * and sandbox are gone: releasing it sooner would let its controller make a pod of the same name
 * while the old one's network namespace still exists. Pure.
 */
export function podAction(
  pod: Pod,
  gone: boolean,
  own: "running" | "stopping" | undefined,
): PodAction {
  // A mirror reflects a static pod run outside the agent: nothing to run.
  if (isMirrorPod(pod)) return "ignore";
  if (gone) return own === "running" ? "stop" : "ignore";
  if (pod.metadata.deletionTimestamp) {
    return own === "running" ? "stop-and-delete" : own === "stopping" ? "ignore" : "release";
  }
  if (own !== undefined) return own === "running" ? "update" : "ignore";
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" ? "ignore" : "run";
}

export class NodeAgent {
  readonly #workers = new Map<string, PodWorker>();
  /** Pods being stopped, by uid: their worker's termination. */
  readonly #stopping = new Map<string, Promise<void>>();
  readonly #abort = new AbortController();
  readonly #timers: ReturnType<typeof setInterval>[] = [];
  readonly facts: NodeFacts;
  #stopped = false;

  constructor(readonly opts: AgentOptions) {
    this.facts = {
      nodeName: opts.nodeName,
      nodeIP: opts.nodeIP,
      cpu: cpus().length,
      memory: totalmem(),
      dnsServiceIP: opts.dnsServiceIP,
      dnsDomain: opts.dnsDomain,
      apiServer: opts.apiServer,
    };
  }

  #log(line: string): void {
    this.opts.log?.(line);
  }

  /** The pods this agent runs, by namespace/name. */
  workers(): PodWorker[] {
    return [...this.#workers.values()];
  }

  async start(): Promise<void> {
    const { client, nodeName } = this.opts;
    try {
      await client.create(typed({
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: nodeName,
          labels: {
            "kubernetes.io/hostname": nodeName,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
          },
        },
        spec: {},
      }));
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 409)) throw e;
    }
    await this.#postStatus();
    await this.#renewLease();
    this.#timers.push(setInterval(() => this.#renewLease().catch(() => {}), 10_000));
    this.#timers.push(setInterval(() => this.#postStatus().catch(() => {}), 60_000));
    this.#timers.push(setInterval(() => this.#provision(), 1_000));
    this.#provision();
    void this.#watchPods();
  }

  async #postStatus(): Promise<void> {
    await this.opts.client.mergePatch(
      "v1",
      "Node",
      undefined,
      this.opts.nodeName,
      { status: nodeStatus(this.facts, this.opts.kubernetesVersion, nowIso()) },
      "status",
    );
  }

  async #renewLease(): Promise<void> {
    const { client, nodeName } = this.opts;
    const lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: nodeName, namespace: "kube-node-lease" },
      spec: { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: microTime() },
    };
    try {
      await client.mergePatch(
        "coordination.k8s.io/v1",
        "Lease",
        "kube-node-lease",
        nodeName,
        { spec: lease.spec },
      );
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw e;
      await client.create(lease);
    }
  }

  #provisioning = false;
  #provision(): void {
    if (this.#provisioning || this.#stopped) return;
    this.#provisioning = true;
    provisionPending(this.opts.admin, join(this.opts.stateDir, "volumes"), this.opts.nodeName)
      .catch((e) => this.#log(`provisioner: ${e.message}`))
      .finally(() => this.#provisioning = false);
  }

  /** Lists and watches the pods bound to this node, again whenever a watch ends. */
  async #watchPods(): Promise<void> {
    const { client, nodeName } = this.opts;
    const fieldSelector = `spec.nodeName=${nodeName}`;
    while (!this.#stopped) {
      try {
        const list = await client.list("v1", "Pod", { fieldSelector });
        const seen = new Set<string>();
        for (const pod of list.items as Pod[]) {
          seen.add(pod.metadata.uid ?? "");
          this.#reconcile(pod, false);
        }
        for (const [uid, w] of this.#workers) {
          if (!seen.has(uid)) this.#reconcile(w.pod, true);
        }
        await client.watch("v1", "Pod", {
          fieldSelector,
          resourceVersion: list.resourceVersion,
          signal: this.#abort.signal,
        }, (e) => {
          if (e.type === "ERROR" || e.type === "BOOKMARK") return;
          this.#reconcile(e.object as Pod, e.type === "DELETED");
        });
      } catch (e) {
        if (this.#stopped) return;
        this.#log(`pod watch: ${e instanceof Error ? e.message : e}; watching again`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  #reconcile(pod: Pod, gone: boolean): void {
    const uid = pod.metadata.uid ?? "";
    const known = this.#workers.get(uid);
    const own = known ? "running" : this.#stopping.has(uid) ? "stopping" : undefined;
    const action = podAction(pod, gone, own);
    switch (action) {
      case "ignore":
        return;
      case "update":
        known!.pod = { ...pod, status: known!.pod.status };
        return;
      case "stop":
      case "stop-and-delete": {
        const worker = known!;
        const deleteObject = action === "stop-and-delete";
        this.#workers.delete(uid);
        this.#stopping.set(
          uid,
          worker.terminate(deleteObject).then(() => {
            this.#stopping.delete(uid);
            if (deleteObject) this.#log(`${worker.key}: deleted`);
          }),
        );
        return;
      }
      case "release":
        // A pod we never ran (or ran before a restart of the agent): release it at once.
        void this.opts.client.request(
          "DELETE",
          `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`,
          { body: { gracePeriodSeconds: 0, preconditions: { uid } } },
        ).catch(() => {});
        return;
      case "run": {
        const worker = new PodWorker(pod, {
          client: this.opts.client,
          runtime: this.opts.runtime,
          versions: this.opts.versions,
          node: this.facts,
          dir: join(this.opts.stateDir, "pods", uid),
          logDir: join(this.opts.stateDir, "logs"),
          claimPath: (ns, claim) => claimFolder(this.opts.client, ns, claim),
          log: (line) => this.#log(line),
        });
        this.#workers.set(uid, worker);
        this.#log(`${worker.key}: starting`);
        void worker.start();
      }
    }
  }

  /**
   * Publishes a mirror pod for each static pod (processes the local cluster runs on the host),
   * running and ready at `hostIP`, as a kubelet does for its static pods.
   */
  async publishMirrorPods(pods: readonly StaticPod[], hostIP: string, image: string) {
    const { client, nodeName } = this.opts;
    const node = await client.get("v1", "Node", undefined, nodeName);
    if (!node?.metadata.uid) throw new Error(`node ${nodeName} is not registered`);
    for (const p of pods) {
      const pod = mirrorPod(p, { name: nodeName, uid: node.metadata.uid }, image);
      try {
        await client.create(pod);
      } catch (e) {
        if (!(e instanceof KubeError && e.status === 409)) throw e;
      }
      await client.mergePatch("v1", "Pod", pod.metadata.namespace, pod.metadata.name, {
        status: mirrorStatus(p, hostIP, nowIso()),
      }, "status");
    }
  }

  /** Stops every pod (their processes and sandboxes) and the agent's loops. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort.abort();
    for (const t of this.#timers) clearInterval(t);
    await Promise.all([
      ...[...this.#workers.values()].map((w) => w.terminate(false)),
      ...this.#stopping.values(),
    ]);
    this.#workers.clear();
  }
}
