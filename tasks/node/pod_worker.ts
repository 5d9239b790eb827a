/**
 * One pod bound to this node, from sandbox to deletion: its network namespace and address, its
 * /etc files, its volumes (kept up to date while it runs), its init containers one after the
 * other, then its containers, each restarted by the pod's policy; its status written to the API
 * server whenever it changes; and, once the pod is deleted, its containers stopped within the
 * grace period, its sandbox removed and the pod object released.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type KubeClient, KubeError } from "../kube/client.ts";
import type { Versions } from "../model/versions.ts";
import { type ContainerContext, containerLogPath, ContainerRun } from "./container_run.ts";
import { containerEnv } from "./env.ts";
import { runnableImage } from "./images.ts";
import type { Container, Pod } from "../render/objects.ts";
import type { PodSandbox, Runtime } from "./runtime.ts";
import { podStatus } from "./status.ts";
import { type MountableVolume, syncVolumes, writableDir } from "./volumes.ts";

export interface NodeFacts {
  nodeName: string;
  nodeIP: string;
  cpu: number;
  memory: number;
  dnsServiceIP: string;
  dnsDomain: string;
  apiServer: { host: string; port: number };
}

export interface PodWorkerDeps {
  client: KubeClient;
  runtime: Runtime;
  versions: Versions;
  node: NodeFacts;
  /** The pod's own folder (volumes, roots, etc files). */
  dir: string;
  logDir: string;
  claimPath: (namespace: string, claim: string) => Promise<string>;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const nowIso = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** Whether a container that exited with `code` is started again under `policy`. */
export function restarts(policy: Pod["spec"]["restartPolicy"], code: number): boolean {
  return policy === "Always" || policy === undefined || (policy === "OnFailure" && code !== 0);
}

/** resolv.conf of a pod: the cluster's DNS and its search path. Pure. */
export function resolvConf(namespace: string, node: Pick<NodeFacts, "dnsServiceIP" | "dnsDomain">) {
  const d = node.dnsDomain;
  return `nameserver ${node.dnsServiceIP}\nsearch ${namespace}.svc.${d} svc.${d} ${d}\n` +
    "options ndots:5\n";
}

/** /etc/hosts of a pod. Pure. */
export function hostsFile(pod: Pod, ip: string, dnsDomain: string): string {
  const name = pod.spec.hostname ?? pod.metadata.name;
  const fqdn = pod.spec.subdomain
    ? `${name}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${dnsDomain} `
    : "";
  return `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${ip}\t${fqdn}${name}\n`;
}

export class PodWorker {
  readonly init: ContainerRun[];
  readonly containers: ContainerRun[];
  #sandbox: PodSandbox | undefined;
  #volumes = new Map<string, MountableVolume>();
  #tokens = new Map<string, { token: string; refreshAt: number }>();
  #initialized = false;
  #terminating = false;
  #published = "";
  #publishTimer: ReturnType<typeof setTimeout> | undefined;
  #refreshTimer: ReturnType<typeof setInterval> | undefined;
  #startTime = nowIso();
  #done: Promise<void> | undefined;

  constructor(public pod: Pod, readonly deps: PodWorkerDeps) {
    const change = () => this.#schedulePublish();
    const run = (c: Container) => new ContainerRun(c, deps.runtime, deps.versions, change);
    this.init = (pod.spec.initContainers ?? []).map(run);
    this.containers = pod.spec.containers.map(run);
  }

  get key(): string {
    return `${this.pod.metadata.namespace}/${this.pod.metadata.name}`;
  }

  get hostNetwork(): boolean {
    return this.pod.spec.hostNetwork === true;
  }

  /** Runs the pod until it is deleted (resolves when its containers have started). */
  start(): Promise<void> {
    this.#done ??= this.#run().catch((e) => {
      this.deps.log(`${this.key}: ${e instanceof Error ? e.message : e}`);
    });
    return this.#done;
  }

  async #run(): Promise<void> {
    const { deps, pod } = this;
    for (const c of [...this.init, ...this.containers]) c.wait("ContainerCreating", "");
    // An image that cannot run here never will: say so at once and start nothing else of it.
    const runnable = [...this.init, ...this.containers].map((c) => c.runnable());
    this.#publishNow();
    if (runnable.includes(false)) return;
    mkdirSync(deps.dir, { recursive: true });
    this.#sandbox = await deps.runtime.createSandbox(
      `${pod.metadata.namespace}-${pod.metadata.name}`,
      this.hostNetwork,
    );
    const etc = join(deps.dir, "etc");
    mkdirSync(etc, { recursive: true });
    writeFileSync(
      join(etc, "resolv.conf"),
      resolvConf(pod.metadata.namespace ?? "default", deps.node),
    );
    writeFileSync(join(etc, "hosts"), hostsFile(pod, this.#sandbox.ip, deps.node.dnsDomain));
    writeFileSync(join(etc, "hostname"), `${pod.spec.hostname ?? pod.metadata.name}\n`);
    this.#schedulePublish();
    // Volumes may wait for a ConfigMap, a Secret or a bound claim: retry, showing why.
    while (!this.#terminating) {
      try {
        this.#volumes = await this.#syncVolumes();
        break;
      } catch (e) {
        const message = `MountVolume: ${e instanceof Error ? e.message : e}`;
        for (const c of [...this.init, ...this.containers]) c.wait("ContainerCreating", message);
        await sleep(2000);
      }
    }
    this.#refreshTimer = setInterval(() => {
      this.#syncVolumes().then((v) => this.#volumes = v).catch(() => {});
    }, 5_000);
    for (const c of this.init) {
      if (this.#terminating) return;
      if (c.spec.restartPolicy === "Always") {
        // A sidecar: it starts and keeps running beside the containers.
        void this.#keep(c);
        continue;
      }
      const code = await this.#keep(c);
      if (code !== 0) return; // restartPolicy Never: the pod has failed
    }
    this.#initialized = true;
    this.#schedulePublish();
    for (const c of this.containers) void this.#keep(c);
  }

  #syncVolumes(): Promise<Map<string, MountableVolume>> {
    const { deps, pod } = this;
    return syncVolumes({
      client: deps.client,
      pod,
      dir: join(deps.dir, "volumes"),
      sources: {
        podIP: this.#sandbox?.ip ?? "",
        hostIP: deps.node.nodeIP,
        nodeCpu: deps.node.cpu,
        nodeMemory: deps.node.memory,
      },
      claimPath: (claim) => deps.claimPath(pod.metadata.namespace ?? "default", claim),
      tokens: this.#tokens,
    });
  }

  /** Starts a container and keeps it by the pod's policy; resolves with its last exit code. */
  async #keep(c: ContainerRun): Promise<number> {
    const ctx = await this.#context(c);
    if (!ctx) return 1;
    await c.start(ctx);
    while (true) {
      const code = await c.exited();
      if (this.#terminating) return code;
      const init = this.init.includes(c) && c.spec.restartPolicy !== "Always";
      if (init && code === 0) return 0;
      if (
        !restarts(this.pod.spec.restartPolicy, code) &&
        !(init && this.pod.spec.restartPolicy === "Always")
      ) {
        return code;
      }
      const next = await this.#context(c);
      if (!next) return code;
      await c.restart(next);
    }
  }

  /** The container's env and launch, or undefined (and a waiting reason) when they cannot be. */
  async #context(c: ContainerRun): Promise<ContainerContext | undefined> {
    const { deps, pod } = this;
    const spec = c.spec;
    while (!this.#terminating) {
      try {
        const env = containerEnv(spec, {
          pod,
          podIP: this.#sandbox!.ip,
          hostIP: deps.node.nodeIP,
          configMaps: await this.#referenced(spec, "ConfigMap"),
          secrets: await this.#referenced(spec, "Secret"),
          nodeCpu: deps.node.cpu,
          nodeMemory: deps.node.memory,
        });
        // As the kubelet does, before the container's own env (which may override them).
        const api = deps.node.apiServer;
        const withApi = new Map([
          ["KUBERNETES_SERVICE_HOST", api.host],
          ["KUBERNETES_SERVICE_PORT", String(api.port)],
          ["KUBERNETES_SERVICE_PORT_HTTPS", String(api.port)],
          ["KUBERNETES_PORT", `tcp://${api.host}:${api.port}`],
          ...env,
        ]);
        const sc = { ...pod.spec.securityContext, ...spec.securityContext };
        const uid = sc.runAsUser ?? runnableImage(c.versions, spec.image)?.run.user ?? 0;
        if (sc.runAsNonRoot && uid === 0) {
          c.wait(
            "CreateContainerConfigError",
            "container has runAsNonRoot and image will run as root",
          );
          return undefined;
        }
        const gid = sc.runAsGroup ?? uid;
        const groups = [
          ...(pod.spec.securityContext?.fsGroup !== undefined
            ? [pod.spec.securityContext.fsGroup]
            : []),
          ...(pod.spec.securityContext?.supplementalGroups ?? []),
        ];
        const mounts = (spec.volumeMounts ?? []).map((m) => {
          const v = this.#volumes.get(m.name);
          if (!v) throw new Error(`volume ${m.name} is not defined`);
          const source = m.subPath ? join(v.path, m.subPath) : v.path;
          // The kubelet makes a missing subPath folder, owned like its volume.
          if (m.subPath && !existsSync(source) && !v.readOnly) {
            writableDir(source, pod.spec.securityContext?.fsGroup);
          }
          return {
            source,
            target: m.mountPath,
            readOnly: m.readOnly === true || v.readOnly,
          };
        });
        const etc = join(deps.dir, "etc");
        return {
          launch: {
            netns: this.#sandbox!.netns,
            rootDir: join(deps.dir, "roots", spec.name),
            mounts,
            files: ["resolv.conf", "hosts", "hostname"].map((f) => ({
              source: join(etc, f),
              target: `/etc/${f}`,
            })),
            user: { uid, gid, groups },
            readOnlyRootFilesystem: sc.readOnlyRootFilesystem === true,
            ...(pod.spec.hostPID ? { hostPID: true } : {}),
            // hostNetwork pods see the node's name, as in a cluster.
            ...(this.hostNetwork ? {} : { hostname: pod.spec.hostname ?? pod.metadata.name }),
          },
          env: withApi,
          podIP: this.#sandbox!.ip,
          logPath: containerLogPath(
            deps.logDir,
            pod.metadata.namespace ?? "default",
            pod.metadata.name,
            pod.metadata.uid ?? "",
            spec.name,
          ),
        };
      } catch (e) {
        c.wait("CreateContainerConfigError", e instanceof Error ? e.message : String(e));
        await sleep(2000);
      }
    }
    return undefined;
  }

  /** ConfigMaps or Secrets a container's env names, by name, decoded. */
  async #referenced(spec: Container, kind: "ConfigMap" | "Secret") {
    const names = new Set<string>();
    for (const e of spec.env ?? []) {
      const ref = kind === "ConfigMap" ? e.valueFrom?.configMapKeyRef : e.valueFrom?.secretKeyRef;
      if (ref) names.add(ref.name);
    }
    for (const f of spec.envFrom ?? []) {
      const ref = kind === "ConfigMap" ? f.configMapRef : f.secretRef;
      if (ref) names.add(ref.name);
    }
    const out = new Map<string, Record<string, string>>();
    for (const name of names) {
      const obj = await this.deps.client.get("v1", kind, this.pod.metadata.namespace, name);
      if (!obj) continue;
      const data: Record<string, string> = {};
      for (const [k, v] of Object.entries(obj.data ?? {})) {
        data[k] = kind === "Secret" ? atob(v as string) : v as string;
      }
      out.set(name, data);
    }
    return out;
  }

  #schedulePublish(): void {
    if (this.#publishTimer !== undefined) return;
    this.#publishTimer = setTimeout(() => {
      this.#publishTimer = undefined;
      this.#publishNow();
    }, 100);
  }

  #publishNow(): void {
    const status = podStatus(
      {
        ...(this.#sandbox ? { podIP: this.#sandbox.ip } : {}),
        hostIP: this.deps.node.nodeIP,
        startTime: this.#startTime,
        restartPolicy: this.pod.spec.restartPolicy ?? "Always",
        init: this.init.map((c) => c.view()),
        containers: this.containers.map((c) => c.view()),
        initialized: this.#initialized,
        sandboxReady: this.#sandbox !== undefined,
      },
      nowIso(),
      this.pod.status,
    );
    const text = JSON.stringify({
      ...status,
      conditions: status.conditions.map((c) => [c.type, c.status]),
    });
    if (text === this.#published) return;
    this.#published = text;
    const { metadata } = this.pod;
    this.deps.client.mergePatch(
      "v1",
      "Pod",
      metadata.namespace,
      metadata.name,
      { status },
      "status",
    )
      .then((p) => this.pod = { ...this.pod, status: p.status })
      .catch((e) => {
        if (!(e instanceof KubeError && e.status === 404)) {
          this.deps.log(`${this.key}: status update failed: ${e.message}`);
        }
        this.#published = "";
      });
  }

  /** Stops the containers within the grace period, removes the sandbox and releases the pod. */
  async terminate(deleteObject: boolean): Promise<void> {
    if (this.#terminating) return;
    this.#terminating = true;
    clearInterval(this.#refreshTimer);
    const grace = Math.min(this.pod.spec.terminationGracePeriodSeconds ?? 30, 30) * 1000;
    await Promise.all([...this.containers, ...this.init].map((c) => c.stop(grace)));
    if (this.#sandbox) {
      await this.deps.runtime.removeSandbox(this.#sandbox, this.hostNetwork).catch((e) =>
        this.deps.log(`${this.key}: removing its sandbox failed: ${e.message}`)
      );
    }
    clearTimeout(this.#publishTimer);
    rmSync(this.deps.dir, { recursive: true, force: true });
    if (deleteObject) {
      const { metadata } = this.pod;
      await this.deps.client.request(
        "DELETE",
        `/api/v1/namespaces/${metadata.namespace}/pods/${metadata.name}`,
        {
          body: { gracePeriodSeconds: 0, preconditions: { uid: metadata.uid } },
        },
      ).catch(() => {});
    }
  }
}
