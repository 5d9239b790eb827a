/**
 * `startStack()`: the local HA stack of a cluster, from its rendered manifests, on 127.0.0.1.
 * Used by `deno task up`, the end-to-end tests and the stack benchmark.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { stringify } from "yaml";
import { CACHE_DIR, OVERLAYS_DIR, toolPath } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { type K8sObject, kustomizeBuild } from "../render/kustomize.ts";
import {
  assignPorts,
  type LocalPlan,
  localPlan,
  portCount,
  readStack,
  type RenderedStack,
} from "./config.ts";
import { freePorts } from "./ports.ts";
import { httpReady, type ServiceSpec, sleep, Supervisor } from "./process.ts";
import { type Sink, startSink } from "./sink.ts";

export interface StackOptions {
  /** A folder of clusters/ (default `local`); its overlay is rendered with the pinned kustomize. */
  cluster?: string;
  /** A render to use instead of `overlays/<cluster>` (tests on fixtures). */
  objects?: K8sObject[];
  /** Stop everything after this long, whatever happens. */
  lifetimeMs?: number;
  onLifetimeEnd?: () => void;
  /** Stop everything and exit on SIGINT/SIGTERM (the `up` command; tests leave it off). */
  handleSignals?: boolean;
  /** How long every process has to become ready (default 60 s). */
  readyTimeoutMs?: number;
  /** Progress lines while starting. */
  onProgress?: (line: string) => void;
  /** Called when a process dies on its own while the stack runs. */
  onUnexpectedExit?: (name: string, code: number) => void;
  /** Where to describe the running stack for `test-queries --local` (removed on stop). */
  stateFile?: string;
}

/** What `test-queries --local` reads about a running local stack. */
export interface StackState {
  cluster: string;
  pid: number;
  plan: Omit<LocalPlan, "files">;
}

export interface Stack {
  cluster: string;
  rendered: RenderedStack;
  plan: LocalPlan;
  sink: Sink;
  supervisor: Supervisor;
  /** Milliseconds from the call to every process being ready. */
  readyMs: number;
  /** Stops one process (`prometheus-1`, `sidecar-0`, `alertmanager-2`, …). */
  stopProcess(name: string): Promise<void>;
  /** Starts a stopped process again, same flags and data, and waits until it is ready. */
  startProcess(name: string): Promise<void>;
  /** Writes a rule file beside the cluster's rules and makes every running Prometheus reload. */
  addRules(fileName: string, groups: unknown[]): Promise<void>;
  /** Stops every process, the sink, and removes the temporary directory. */
  close(): Promise<void>;
}

/** The default state file of `deno task up <cluster>`. */
export function defaultStateFile(cluster: string): string {
  return join(CACHE_DIR, "stack", `${cluster}.json`);
}

const BINARIES = ["prometheus", "thanos", "alertmanager", "node_exporter"] as const;

/** Throws, naming what to run, when a pinned binary is missing. */
export function checkBinaries(): void {
  const missing = BINARIES.filter((b) => !existsSync(toolPath(b)));
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.map((b) => toolPath(b)).join(", ")}; run \`deno task tools\``,
    );
  }
}

/** The state file of a running stack, if there is one. */
export function readStateFile(path: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(path, "utf8")) as StackState;
  } catch {
    return undefined;
  }
}

/** Ready once Thanos Query has a healthy store for every sidecar. */
function storesReady(queryUrl: string, sidecars: number): () => Promise<boolean> {
  return async () => {
    try {
      const res = await fetch(`${queryUrl}/api/v1/stores`, { signal: AbortSignal.timeout(1_000) });
      if (res.status !== 200) {
        await res.body?.cancel();
        return false;
      }
      const body = await res.json();
      const stores: { lastError?: string | null }[] = body?.data?.sidecar ?? [];
      return stores.filter((s) => !s.lastError).length === sidecars;
    } catch {
      return false;
    }
  };
}

export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const t0 = performance.now();
  const cluster = opts.cluster ?? "local";
  const progress = opts.onProgress ?? (() => {});
  checkBinaries();
  let objects = opts.objects;
  if (!objects) {
    progress(`rendering overlays/${cluster}`);
    objects = (await kustomizeBuild(join(OVERLAYS_DIR, cluster))).objects;
  }
  const rendered = readStack(objects, loadVersions());

  const dir = mkdtempSync(join(tmpdir(), `ha-stack-${cluster}-`));
  const logDir = join(dir, "logs");
  mkdirSync(logDir);
  const sink = startSink();
  const supervisor = new Supervisor({
    logDir,
    ...(opts.lifetimeMs !== undefined ? { lifetimeMs: opts.lifetimeMs } : {}),
    ...(opts.onLifetimeEnd ? { onLifetimeEnd: opts.onLifetimeEnd } : {}),
    ...(opts.onUnexpectedExit ? { onUnexpectedExit: opts.onUnexpectedExit } : {}),
    handleSignals: opts.handleSignals ?? false,
  });
  supervisor.addCleanup(() => rmSync(dir, { recursive: true, force: true }));
  supervisor.addCleanup(() => sink.close());

  let plan: LocalPlan;
  let specs: Map<string, ServiceSpec>;
  try {
    ({ plan, specs } = await launch(rendered, dir, sink, supervisor, opts, t0));
  } catch (e) {
    await supervisor.stopAll();
    throw e;
  }

  if (opts.stateFile) {
    const stateFile = opts.stateFile;
    const { files: _files, ...rest } = plan;
    const state: StackState = { cluster, pid: Deno.pid, plan: rest };
    const other = readStateFile(stateFile);
    if (other && other.pid !== Deno.pid && existsSync(`/proc/${other.pid}`)) {
      progress(
        `another stack of ${other.cluster} runs (pid ${other.pid}); test-queries --local now targets this one`,
      );
    }
    mkdirSync(dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, JSON.stringify(state, null, 2) + "\n");
    // Removed only while it still describes this stack.
    supervisor.addCleanup(() => {
      if (readStateFile(stateFile)?.pid === Deno.pid) rmSync(stateFile, { force: true });
    });
  }

  const prometheusNames = plan.processes.filter((p) => p.binary === "prometheus").map((p) =>
    p.name
  );
  return {
    cluster,
    rendered,
    plan,
    sink,
    supervisor,
    readyMs: performance.now() - t0,
    stopProcess: (name) => supervisor.stop(name),
    async startProcess(name) {
      const spec = specs.get(name);
      if (!spec) throw new Error(`no process ${name}`);
      await supervisor.start(spec);
      await supervisor.waitReady(opts.readyTimeoutMs ?? 60_000, [name]);
    },
    async addRules(fileName, groups) {
      await writeFile(
        join(plan.rulesDir, fileName),
        `# added to the local stack by a test\n${stringify({ groups })}`,
      );
      for (const name of prometheusNames) {
        if (supervisor.isRunning(name)) supervisor.signal(name, "SIGHUP");
      }
    },
    close: () => supervisor.stopAll(),
  };
}

/** Writes the plan's files, starts its processes in order and waits until all are ready. */
async function launch(
  rendered: RenderedStack,
  dir: string,
  sink: Sink,
  supervisor: Supervisor,
  opts: StackOptions,
  t0: number,
): Promise<{ plan: LocalPlan; specs: Map<string, ServiceSpec> }> {
  const progress = opts.onProgress ?? (() => {});
  const ports = assignPorts(rendered, freePorts(portCount(rendered)));
  const plan = localPlan(rendered, ports, {
    dir,
    sinkUrl: sink.url,
    webhookUrl: sink.webhookUrl,
  });
  for (const f of plan.files) {
    mkdirSync(dirname(f.path), { recursive: true });
    writeFileSync(f.path, f.content);
  }
  mkdirSync(plan.rulesDir, { recursive: true });

  const specs = new Map(plan.processes.map((p) => {
    for (const d of p.dirs) mkdirSync(d, { recursive: true });
    let ready = httpReady(p.readyUrl);
    if (p.name === "thanos-query") {
      ready = both(ready, storesReady(plan.urls.thanosQuery, plan.replicas.length));
    }
    return [p.name, { name: p.name, cmd: toolPath(p.binary), args: p.args, ready }];
  }));

  progress(`starting ${specs.size} processes in ${dir}`);
  const timeout = opts.readyTimeoutMs ?? 60_000;
  const onReady = (name: string) => progress(`${name} ready (${seconds(performance.now() - t0)})`);
  const waves = startOrder(plan.processes);
  for (const wave of waves) {
    for (const name of wave.start) await supervisor.start(specs.get(name)!);
    await supervisor.waitReady(timeout, wave.awaitReady, onReady);
  }
  const rest = plan.processes.map((p) => p.name)
    .filter((n) => !waves.some((w) => w.awaitReady.includes(n)));
  await supervisor.waitReady(timeout, rest, onReady);
  await waitUntil("the Alertmanagers to form one gossip cluster", timeout, async () => {
    const sizes = await Promise.all(plan.urls.alertmanagers.map(gossipMembers));
    return sizes.every((n) => n === plan.urls.alertmanagers.length);
  });
  progress(`Alertmanager gossip cluster of ${plan.urls.alertmanagers.length} formed`);
  return { plan, specs };
}

/**
 * Start waves: a process starts once the processes it comes `after` are ready. Each wave says
 * which processes to start and which must be ready before the next wave.
 */
export function startOrder(
  processes: readonly { name: string; after: string[] }[],
): { start: string[]; awaitReady: string[] }[] {
  const waves: { start: string[]; awaitReady: string[] }[] = [];
  const started = new Set<string>();
  while (started.size < processes.length) {
    const start = processes
      .filter((p) => !started.has(p.name) && p.after.every((a) => started.has(a)))
      .map((p) => p.name);
    if (start.length === 0) throw new Error("the processes' start order has a cycle");
    start.forEach((n) => started.add(n));
    const needed = new Set(processes.flatMap((p) => started.has(p.name) ? [] : p.after));
    waves.push({ start, awaitReady: start.filter((n) => needed.has(n)) });
  }
  return waves;
}

/** How many members an Alertmanager sees in its gossip cluster (0 when it does not answer). */
async function gossipMembers(url: string): Promise<number> {
  try {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(1_000) });
    const text = await res.text();
    return Number(/^alertmanager_cluster_members (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

async function waitUntil(what: string, timeoutMs: number, fn: () => Promise<boolean>) {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    }
    await sleep(200);
  }
}

function both(a: () => Promise<boolean>, b: () => Promise<boolean>): () => Promise<boolean> {
  return async () => await a() && await b();
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
