/**
 * Builds a pinned tool into the per-user cache (once per machine, keyed by its build inputs) and
 * links its binaries into the clone's `.tools/bin`.
 */
import { UsageError } from "../cli/command.ts";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { run } from "../proc/run.ts";
import type { Versions } from "../model/versions.ts";
import {
  type BuildStep,
  goArgs,
  goBinaryName,
  refusedModule,
  requiredVersion,
  versionArgs,
} from "./plan.ts";

/** A tool that cannot be built or installed here, with what to do about it (exit 2). */
export class ToolsError extends UsageError {
  override name = "ToolsError";
}

export interface InstallResult {
  step: BuildStep;
  action: "up to date" | "built";
  seconds: number;
}

export interface InstallDirs {
  /** The clone's `.tools/bin`, where links to the cached binaries go. */
  bin: string;
  /** The per-user cache (`tools/<key>/` per build, `go-build/` for Go's build cache). */
  cache: string;
}

/** The go.sum of every committed tools module (part of each build's key). */
export function readGoSums(versions: Versions, root: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const pin of Object.values(versions.tools)) {
    if (!pin.gomod) continue;
    const sum = join(root, pin.gomod, "go.sum");
    sums[pin.gomod] = existsSync(sum) ? readFileSync(sum, "utf8") : "";
  }
  return sums;
}

/** `go version`'s version (go1.26.8): part of each build's key. */
export async function goVersion(): Promise<string> {
  const r = await run("go", ["env", "GOVERSION"], { timeoutMs: 30_000 });
  if (r.code !== 0) throw new ToolsError(`go env GOVERSION failed: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** The folder of a step's build in the per-user cache. */
export function buildDir(step: BuildStep, cache: string): string {
  return join(cache, "tools", step.key);
}

/** Whether the cache folder holds a complete build of the step. */
export function isBuiltStep(dir: string, step: BuildStep): boolean {
  return existsSync(join(dir, "build.json")) &&
    Object.keys(step.packages).every((b) => existsSync(join(dir, b)));
}

/** Points `.tools/bin/<binary>` at the cached binary, replacing a link or file that differs. */
function link(dir: string, step: BuildStep, bin: string): void {
  mkdirSync(bin, { recursive: true });
  for (const binary of Object.keys(step.packages)) {
    const target = join(dir, binary);
    const path = join(bin, binary);
    let stat;
    try {
      stat = lstatSync(path);
    } catch { /* absent */ }
    if (stat?.isSymbolicLink() && readlinkSync(path) === target) continue;
    if (stat) unlinkSync(path);
    symlinkSync(target, path);
  }
}

/** The first line of a binary's version output if it names the pinned version, else undefined. */
async function reportedVersion(step: BuildStep, binary: string, path: string) {
  const r = await run(path, versionArgs(step, binary), { timeoutMs: 20_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  return out.includes(step.pin.appVersion) ? out.trim().split("\n")[0] ?? "" : undefined;
}

function formatElapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * Builds one tool unless the per-user cache already holds a build with the same inputs, then
 * links it. While Go compiles, `onProgress` gets a line every `heartbeatMs` with the elapsed time,
 * the packages compiled so far and the one being compiled, so a long cold build shows it is alive.
 */
export async function installStep(
  step: BuildStep,
  dirs: InstallDirs,
  onProgress: (line: string) => void = () => {},
  heartbeatMs = 20_000,
): Promise<InstallResult> {
  const started = performance.now();
  const dir = buildDir(step, dirs.cache);
  if (isBuiltStep(dir, step)) {
    link(dir, step, dirs.bin);
    return { step, action: "up to date", seconds: (performance.now() - started) / 1000 };
  }
  if (step.cwd) {
    const goMod = readFileSync(join(step.cwd, "go.mod"), "utf8");
    const required = requiredVersion(goMod, step.pin.module);
    if (required !== step.pin.version) {
      throw new ToolsError(
        `${join(step.cwd, "go.mod")} requires ${step.pin.module} ${
          required ?? "(nothing)"
        }, versions.json pins ${step.pin.version}; update the tools module (go get ${step.pin.module}@${step.pin.version} && go mod tidy)`,
      );
    }
  }
  // Built beside its final place and renamed when complete: a build killed half-way, or a second
  // clone building the same tool at the same time, never leaves a half-filled folder in use.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const goCache = join(dirs.cache, "go-build");
  mkdirSync(goCache, { recursive: true });
  let compiled = 0;
  let current = "";
  const heartbeat = setInterval(() => {
    onProgress(
      `${formatElapsed(performance.now() - started)}: ${compiled} packages compiled${
        current ? `, now ${current}` : ""
      }`,
    );
  }, heartbeatMs);
  try {
    const r = await run("go", goArgs(step, tmp), {
      ...(step.cwd ? { cwd: step.cwd } : {}),
      env: {
        GOBIN: tmp,
        GOCACHE: goCache,
        // The committed go.sum is the lock: a build that would change it fails.
        GOFLAGS: step.cwd ? "-mod=readonly" : "",
        CGO_ENABLED: "0",
      },
      timeoutMs: 3 * 3_600_000,
      onStderrLine: (line) => {
        // `go build -v` prints each package path as it compiles it; anything else is a message.
        if (/^[\w.\-]+(\/[\w.\-~]+)*$/.test(line.trim())) {
          compiled++;
          current = line.trim();
        }
      },
    });
    if (r.code !== 0) {
      const messages = r.stderr.split("\n").filter((l) => !/^[\w.\-]+(\/[\w.\-~]+)*$/.test(l));
      throw new ToolsError(
        refusedModule(r.stderr, step.pin.module) ??
          `building ${step.tool} failed:\n${messages.join("\n").trim()}`,
      );
    }
    for (const [binary, pkg] of Object.entries(step.packages)) {
      const built = join(tmp, goBinaryName(pkg));
      if (built !== join(tmp, binary)) renameSync(built, join(tmp, binary));
      if (await reportedVersion(step, binary, join(tmp, binary)) === undefined) {
        throw new ToolsError(
          `${binary} was built but does not report version ${step.pin.appVersion}`,
        );
      }
    }
    const seconds = (performance.now() - started) / 1000;
    writeFileSync(
      join(tmp, "build.json"),
      JSON.stringify({ key: step.key, args: goArgs(step, "<out>"), seconds }, null, 2) + "\n",
    );
    if (isBuiltStep(dir, step)) rmSync(tmp, { recursive: true, force: true });
    else {
      rmSync(dir, { recursive: true, force: true });
      renameSync(tmp, dir);
    }
    link(dir, step, dirs.bin);
    return { step, action: "built", seconds };
  } finally {
    clearInterval(heartbeat);
    rmSync(tmp, { recursive: true, force: true });
  }
}
