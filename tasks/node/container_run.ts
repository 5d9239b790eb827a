/**
 * One container of a pod, as the kubelet keeps it: started from its image's pinned binary, its
 * state (waiting, running, terminated) and restarts, restarted by the pod's policy with the
 * kubelet's back-off, probed (startup, readiness, liveness), stopped with a grace period. Its
 * output goes to one log file per container.
 */
import { mkdirSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { toolPath } from "../model/paths.ts";
import type { Versions } from "../model/versions.ts";
import { spawnLogged } from "../stack/process.ts";
import { expandVars } from "../render/container_env.ts";
import { containerArgv, runnableImage } from "./images.ts";
import type { Container, Probe } from "../render/objects.ts";
import { probeOnce, ProbeState, type ProbeTarget } from "./probes.ts";
import type { ContainerLaunch, Runtime } from "./runtime.ts";
import type { ContainerState, ContainerView } from "./status.ts";

/** What a container needs from its pod, resolved when it starts. */
export interface ContainerContext {
  /** The container's launch without its command (the pod's sandbox, mounts, user…). */
  launch: Omit<ContainerLaunch, "command" | "env" | "binaries" | "workingDir">;
  env: Map<string, string>;
  podIP: string;
  logPath: string;
}

const MAX_BACKOFF_MS = 300_000;
const now = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");

/** Why an image cannot run here; the pod shows it as the container's waiting reason. */
export const IMAGE_NOT_RUNNABLE = "ImageNotRunnable";

export class ContainerRun {
  state: ContainerState = { waiting: { reason: "ContainerCreating" } };
  lastState: ContainerState | undefined;
  restartCount = 0;
  ready = false;
  pid: number | undefined;
  #child: Deno.ChildProcess | undefined;
  #piped: Promise<unknown> | undefined;
  #launch: ContainerLaunch | undefined;
  #stopping = false;
  #probeTimers: ReturnType<typeof setTimeout>[] = [];
  #backoffMs = 10_000;
  #startedAt = 0;
  /** Resolves with the exit code each time the process ends. */
  #exits: ((code: number) => void)[] = [];

  constructor(
    readonly spec: Container,
    readonly runtime: Runtime,
    readonly versions: Versions,
    /** Called whenever something the pod's status shows changes. */
    readonly onChange: () => void,
  ) {}

  view(): ContainerView {
    return {
      name: this.spec.name,
      image: this.spec.image,
      state: this.state,
      ...(this.lastState ? { lastState: this.lastState } : {}),
      ready: this.ready,
      restartCount: this.restartCount,
      ...(this.pid ? { containerID: `pid://${this.pid}` } : {}),
    };
  }

  get running(): boolean {
    return this.#child !== undefined;
  }

  /** How the running (or last) process was launched: its root, mounts, command. */
  get launch(): ContainerLaunch | undefined {
    return this.#launch;
  }

  /** Marks the container as unable to start, with the kubelet's reason and message. */
  wait(reason: string, message: string): void {
    this.state = { waiting: { reason, message } };
    this.onChange();
  }

  /** Whether the image has a pinned binary; if not, the container waits with the reason. */
  runnable(): boolean {
    if (runnableImage(this.versions, this.spec.image)) return true;
    this.wait(
      IMAGE_NOT_RUNNABLE,
      `image ${this.spec.image} has no pinned binary the local cluster can run it with`,
    );
    return false;
  }

  /** Starts the process; resolves once it is spawned. */
  async start(ctx: ContainerContext): Promise<void> {
    const image = runnableImage(this.versions, this.spec.image);
    if (!image) {
      this.runnable();
      return;
    }
    const vars = ctx.env;
    const argv = containerArgv(
      image.run,
      this.spec.command?.map((a) => expandVars(a, vars)),
      this.spec.args?.map((a) => expandVars(a, vars)),
    );
    const workingDir = this.spec.workingDir ?? image.run.workingDir;
    const launch: ContainerLaunch = {
      ...ctx.launch,
      binaries: [{
        source: realpathSync(toolPath(image.run.binary)),
        target: image.run.entrypoint[0]!,
      }],
      ...(workingDir !== "/" ? { workingDir } : {}),
      command: argv,
      env: Object.fromEntries(vars),
    };
    mkdirSync(launch.rootDir, { recursive: true });
    this.#launch = launch;
    let spawned;
    try {
      const { cmd, args } = this.runtime.launchCommand(launch);
      spawned = await spawnLogged(cmd, args, ctx.logPath);
    } catch (e) {
      // The kubelet's reason when a container cannot be created; the pod's policy retries.
      this.state = {
        terminated: {
          exitCode: 128,
          reason: "StartError",
          message: e instanceof Error ? e.message : String(e),
          finishedAt: now(),
        },
      };
      this.onChange();
      for (const resolve of this.#exits.splice(0)) resolve(128);
      return;
    }
    const { child, piped } = spawned;
    this.#child = child;
    this.#piped = piped;
    this.pid = child.pid;
    this.#startedAt = Date.now();
    this.state = { running: { startedAt: now() } };
    this.ready = !this.spec.readinessProbe && !this.spec.startupProbe;
    this.onChange();
    this.#startProbes(ctx);
    child.status.then(async (status) => {
      await piped;
      this.#stopProbes();
      this.#child = undefined;
      this.ready = false;
      const startedAt = "running" in this.state ? this.state.running.startedAt : undefined;
      this.state = {
        terminated: {
          exitCode: status.code,
          reason: this.#stopping ? "Completed" : status.code === 0 ? "Completed" : "Error",
          ...(startedAt ? { startedAt } : {}),
          finishedAt: now(),
        },
      };
      // A container that ran ten minutes starts its back-off over, as the kubelet's does.
      if (Date.now() - this.#startedAt > 600_000) this.#backoffMs = 10_000;
      this.onChange();
      for (const resolve of this.#exits.splice(0)) resolve(status.code);
    });
  }

  /** Resolves with the exit code when the process ends (now, if it is not running). */
  exited(): Promise<number> {
    if (!this.#child) {
      return Promise.resolve("terminated" in this.state ? this.state.terminated.exitCode : 0);
    }
    return new Promise((resolve) => this.#exits.push(resolve));
  }

  /** Waits the back-off, showing CrashLoopBackOff, then starts again (unless stopped). */
  async restart(ctx: ContainerContext): Promise<void> {
    if (this.#stopping) return;
    const delay = this.#backoffMs;
    this.#backoffMs = Math.min(this.#backoffMs * 2, MAX_BACKOFF_MS);
    this.lastState = this.state;
    this.restartCount++;
    this.state = {
      waiting: {
        reason: "CrashLoopBackOff",
        message: `back-off ${
          Math.round(delay / 1000)
        }s restarting failed container=${this.spec.name}`,
      },
    };
    this.onChange();
    await new Promise((r) => setTimeout(r, delay));
    if (!this.#stopping) await this.start(ctx);
  }

  /** TERM to the container's process group, KILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#stopProbes();
    const child = this.#child;
    if (!child) return;
    const signal = (sig: Deno.Signal) => {
      try {
        Deno.kill(-child.pid, sig);
      } catch {
        try {
          child.kill(sig);
        } catch { /* gone */ }
      }
    };
    signal("SIGTERM");
    const timer = setTimeout(() => signal("SIGKILL"), graceMs);
    try {
      await child.status;
      await this.#piped;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Ends the process (a failed liveness or startup probe); the pod's policy restarts it. */
  async #kill(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    try {
      Deno.kill(-child.pid, "SIGTERM");
    } catch { /* gone */ }
    const timer = setTimeout(() => {
      try {
        Deno.kill(-child.pid, "SIGKILL");
      } catch { /* gone */ }
    }, 10_000);
    await child.status;
    clearTimeout(timer);
  }

  #startProbes(ctx: ContainerContext): void {
    const ports = new Map(
      (this.spec.ports ?? []).flatMap((p) => (p.name ? [[p.name, p.containerPort] as const] : [])),
    );
    const target: ProbeTarget = {
      podIP: ctx.podIP,
      ports,
      exec: (argv, timeoutMs) => this.#exec(argv, timeoutMs),
    };
    const startup = this.spec.startupProbe;
    let started = !startup;
    const loop = (
      probe: Probe,
      onResult: (state: ProbeState, ok: boolean) => void,
      eager = false,
    ) => {
      const state = new ProbeState(probe);
      const tick = async () => {
        if (!this.#child) return;
        if (probe !== startup && !started) {
          this.#probeTimers.push(setTimeout(tick, 1000));
          return;
        }
        const ok = await probeOnce(probe, target);
        onResult(state, ok);
        // A readiness probe is tried every second until it first succeeds (a failure before
        // that changes nothing: the container is not ready yet), then at its period: the
        // local cluster is ready seconds after its processes are, not a period later.
        const soon = eager && !state.everSucceeded;
        if (this.#child) {
          this.#probeTimers.push(
            setTimeout(tick, soon ? Math.min(1000, state.periodMs) : state.periodMs),
          );
        }
      };
      this.#probeTimers.push(setTimeout(tick, state.initialDelayMs));
    };
    if (startup) {
      loop(startup, (state, ok) => {
        const r = state.record(ok);
        if (r === true && !started) {
          started = true;
          if (!this.spec.readinessProbe) this.ready = true;
          this.onChange();
        } else if (r === false) void this.#kill();
      });
    }
    if (this.spec.readinessProbe) {
      loop(this.spec.readinessProbe, (state, ok) => {
        const before = this.ready;
        this.ready = state.record(ok) === true;
        if (before !== this.ready) this.onChange();
      }, true);
    }
    if (this.spec.livenessProbe) {
      loop(this.spec.livenessProbe, (state, ok) => {
        if (state.record(ok) === false) void this.#kill();
      });
    }
  }

  #stopProbes(): void {
    for (const t of this.#probeTimers.splice(0)) clearTimeout(t);
  }

  async #exec(argv: string[], timeoutMs: number): Promise<number> {
    if (!this.#launch || !this.pid) return -1;
    let command;
    try {
      command = await this.runtime.execCommand(this.pid, this.#launch, argv);
    } catch {
      return -1;
    }
    const { cmd, args } = command;
    const child = new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).spawn();
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* gone */ }
    }, timeoutMs);
    try {
      return (await child.status).code;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** The log file of a container: one per container of a pod, kept across restarts. */
export function containerLogPath(logDir: string, ns: string, pod: string, uid: string, c: string) {
  const dir = join(logDir, `${ns}_${pod}_${uid}`);
  mkdirSync(dir, { recursive: true });
  return join(dir, `${c}.log`);
}
