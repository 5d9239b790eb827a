/**
 * A small supervisor for the local cluster's processes: each one logs to its own file, is polled
 * for readiness with a deadline, and is stopped (TERM, then KILL) on stop(), on SIGINT/SIGTERM,
 * when the lifetime ends, and, through the kernel's parent-death signal, even when Deno itself is
 * killed.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ServiceSpec {
  /** Unique within a supervisor, also the log file's name: `prometheus-0`. */
  name: string;
  cmd: string;
  args: string[];
  /** Environment variables added to the supervisor's own. */
  env?: Record<string, string>;
  /** Polled until it resolves true; a service without it is ready once spawned. */
  ready?: () => Promise<boolean>;
}

export interface SupervisorOptions {
  /** Where `<name>.log` files go (created by the caller). */
  logDir: string;
  /** Stop everything after this many milliseconds, whatever happens. */
  lifetimeMs?: number;
  /** Called once when the lifetime ends, after every process is stopped. */
  onLifetimeEnd?: () => void;
  /** On SIGINT/SIGTERM: stop everything, run the cleanups, exit 130/143. */
  handleSignals?: boolean;
  /** Called when a process exits without having been asked to. */
  onUnexpectedExit?: (name: string, code: number) => void;
}

interface Running {
  spec: ServiceSpec;
  child: Deno.ChildProcess;
  /** Resolves when both output streams are written to the log. */
  piped: Promise<unknown>;
  stopping: boolean;
  exit?: Deno.CommandStatus;
}

/** Wrapping each process in setpriv makes the kernel kill it if Deno dies without cleaning up. */
const SETPRIV = "/usr/bin/setpriv";
const POLL_MS = 200;

export class Supervisor {
  readonly logDir: string;
  readonly #services = new Map<string, Running>();
  readonly #cleanups: (() => void | Promise<void>)[] = [];
  readonly #signals: [Deno.Signal, () => void][] = [];
  #lifetime: ReturnType<typeof setTimeout> | undefined;
  readonly #onUnexpectedExit: SupervisorOptions["onUnexpectedExit"];
  #stopped: Promise<void> | undefined;

  constructor(opts: SupervisorOptions) {
    this.logDir = opts.logDir;
    this.#onUnexpectedExit = opts.onUnexpectedExit;
    if (opts.lifetimeMs !== undefined) {
      this.#lifetime = setTimeout(async () => {
        await this.stopAll();
        opts.onLifetimeEnd?.();
      }, opts.lifetimeMs);
    }
    if (opts.handleSignals) {
      for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
        const handler = () => {
          this.stopAll().finally(() => Deno.exit(code));
        };
        Deno.addSignalListener(signal, handler);
        this.#signals.push([signal, handler]);
      }
    }
    globalThis.addEventListener("unload", this.#killNow);
  }

  /** Runs after every process is stopped, last added first (temp dirs, servers). */
  addCleanup(fn: () => void | Promise<void>): void {
    this.#cleanups.push(fn);
  }

  logPath(name: string): string {
    return join(this.logDir, `${name}.log`);
  }

  /** The last lines of a service's log, to explain why it failed. */
  logTail(name: string, lines = 15): string {
    const path = this.logPath(name);
    if (!existsSync(path)) return "";
    return readFileSync(path, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  }

  names(): string[] {
    return [...this.#services.keys()];
  }

  isRunning(name: string): boolean {
    const s = this.#services.get(name);
    return s !== undefined && s.exit === undefined && !s.stopping;
  }

  /** Spawns a service (again, after stop(): same spec, same data). */
  async start(spec: ServiceSpec): Promise<void> {
    if (this.#stopped) throw new Error(`supervisor is stopped; cannot start ${spec.name}`);
    if (this.isRunning(spec.name)) throw new Error(`${spec.name} is already running`);
    const { child, piped } = await spawnLogged(
      spec.cmd,
      spec.args,
      this.logPath(spec.name),
      spec.env,
    );
    const running: Running = { spec, child, piped, stopping: false };
    this.#services.set(spec.name, running);
    child.status.then((status) => {
      running.exit = status;
      if (!running.stopping && !this.#stopped) this.#onUnexpectedExit?.(spec.name, status.code);
    });
  }

  /** Sends a signal (SIGHUP makes Prometheus reload its configuration and rules). */
  signal(name: string, signal: Deno.Signal): void {
    const s = this.#services.get(name);
    if (!s || s.exit) throw new Error(`${name} is not running`);
    s.child.kill(signal);
  }

  /**
   * Waits until every named service (default: all) is ready. Throws, with the log's tail, when
   * a process exits first or the deadline passes.
   */
  async waitReady(
    timeoutMs: number,
    names = this.names(),
    onReady?: (name: string) => void,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(names);
    while (pending.size > 0) {
      for (const name of [...pending]) {
        const s = this.#services.get(name);
        if (!s) throw new Error(`unknown service ${name}`);
        if (s.exit) {
          await s.piped;
          throw new Error(
            `${name} exited with code ${s.exit.code} before it was ready; its log ${
              this.logPath(name)
            } ends with:\n${this.logTail(name)}`,
          );
        }
        if (!s.spec.ready || await s.spec.ready()) {
          pending.delete(name);
          onReady?.(name);
        }
      }
      if (pending.size === 0) break;
      if (Date.now() > deadline) {
        const list = [...pending];
        throw new Error(
          `not ready after ${timeoutMs} ms: ${list.join(", ")}; ${list[0]}'s log ends with:\n${
            this.logTail(list[0] as string)
          }`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  /** TERM, then KILL after `graceMs`; resolves once the process is gone and its log flushed. */
  async stop(name: string, graceMs = 5_000): Promise<void> {
    const s = this.#services.get(name);
    if (!s || s.exit) return;
    s.stopping = true;
    try {
      s.child.kill("SIGTERM");
    } catch { /* already gone */ }
    const timer = setTimeout(() => {
      try {
        s.child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, graceMs);
    try {
      await s.child.status;
      await s.piped;
    } finally {
      clearTimeout(timer);
      s.stopping = false;
    }
  }

  /** Starts a stopped service again with the same spec (the same flags and data directory). */
  async restart(name: string): Promise<void> {
    const s = this.#services.get(name);
    if (!s) throw new Error(`unknown service ${name}`);
    await this.stop(name);
    await this.start(s.spec);
  }

  /** Stops every process at once, then runs the cleanups. Safe to call more than once. */
  stopAll(): Promise<void> {
    this.#stopped ??= (async () => {
      clearTimeout(this.#lifetime);
      for (const [signal, handler] of this.#signals) Deno.removeSignalListener(signal, handler);
      await Promise.all(this.names().map((name) => this.stop(name)));
      for (const fn of this.#cleanups.reverse()) {
        try {
          await fn();
        } catch (e) {
          console.error(`cleanup failed: ${e instanceof Error ? e.message : e}`);
        }
      }
      globalThis.removeEventListener("unload", this.#killNow);
    })();
    return this.#stopped;
  }

  /** The last resort when the program exits without stopAll(): synchronous, so KILL. */
  #killNow = () => {
    for (const s of this.#services.values()) {
      if (s.exit) continue;
      try {
        s.child.kill("SIGKILL");
      } catch { /* already gone */ }
    }
  };
}

/**
 * Spawns a program whose output is appended to `logPath`, in its own session (so a terminal's
 * Ctrl-C reaches only us, and its process group can be signalled whole), wrapped in setpriv so the
 * kernel kills it if Deno dies without stopping it. `piped` resolves once the log is flushed.
 */
export async function spawnLogged(
  cmd: string,
  args: readonly string[],
  logPath: string,
  env?: Record<string, string>,
): Promise<{ child: Deno.ChildProcess; piped: Promise<unknown> }> {
  const wrapped = existsSync(SETPRIV)
    ? { cmd: SETPRIV, args: ["--pdeathsig", "KILL", "--", cmd, ...args] }
    : { cmd, args: [...args] };
  const out = await Deno.open(logPath, { create: true, append: true });
  const err = await Deno.open(logPath, { create: true, append: true });
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(wrapped.cmd, {
      args: wrapped.args,
      ...(env ? { env } : {}),
      // Safe only with setpriv, which still kills it if we die.
      detached: wrapped.cmd === SETPRIV,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    out.close();
    err.close();
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`${cmd} is not installed; run \`deno task tools\``);
    }
    throw e;
  }
  return { child, piped: Promise.allSettled([pump(child.stdout, out), pump(child.stderr, err)]) };
}

/** Copies a stream to a file as chunks arrive (pipeTo() may hold them back), then closes it. */
async function pump(from: ReadableStream<Uint8Array>, to: Deno.FsFile): Promise<void> {
  try {
    for await (let chunk of from) {
      while (chunk.length > 0) chunk = chunk.subarray(await to.write(chunk));
    }
  } finally {
    to.close();
  }
}

/** A readiness probe: the URL answers 200 within a second. */
export function httpReady(url: string): () => Promise<boolean> {
  return async () => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await res.body?.cancel();
      return res.status === 200;
    } catch {
      return false;
    }
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
