import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../proc/run.ts";
import type { Versions } from "../model/versions.ts";
import { type BuildStep, refusedModule, requiredVersion } from "./plan.ts";

export interface InstallResult {
  step: BuildStep;
  action: "up to date" | "built";
  seconds: number;
  version: string;
}

/** The go.sum of every committed tools module (part of each build's stamp). */
export function readGoSums(versions: Versions, root: string): Record<string, string> {
  const sums: Record<string, string> = {};
  for (const pin of Object.values(versions.tools)) {
    if (!pin.gomod) continue;
    const sum = join(root, pin.gomod, "go.sum");
    sums[pin.gomod] = existsSync(sum) ? readFileSync(sum, "utf8") : "";
  }
  return sums;
}

function stampPath(stampDir: string, binary: string): string {
  return join(stampDir, `${binary}.stamp`);
}

/** The first line of the binary's version output, or undefined if it cannot run. */
async function versionOf(step: BuildStep, binPath: string): Promise<string | undefined> {
  if (!existsSync(binPath)) return undefined;
  const r = await run(binPath, step.versionArgs, { timeoutMs: 20_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  return out.includes(step.expectVersion) ? out.trim().split("\n")[0] ?? "" : undefined;
}

/** Builds one tool unless its binary is already at the pinned version with the same inputs. */
export async function installStep(
  step: BuildStep,
  dirs: { bin: string; stamps: string; goCache: string },
): Promise<InstallResult> {
  const started = performance.now();
  const binPath = join(dirs.bin, step.binary);
  const stampFile = stampPath(dirs.stamps, step.binary);
  const stampOk = existsSync(stampFile) && readFileSync(stampFile, "utf8") === step.stamp;
  if (stampOk && existsSync(binPath)) {
    return {
      step,
      action: "up to date",
      seconds: (performance.now() - started) / 1000,
      version: step.expectVersion,
    };
  }
  // A binary without a stamp is kept only if it reports the pinned version.
  const existing = await versionOf(step, binPath);
  if (existing !== undefined && !stampOk && !existsSync(stampFile)) {
    writeFileSync(stampFile, step.stamp);
    return {
      step,
      action: "up to date",
      seconds: (performance.now() - started) / 1000,
      version: existing,
    };
  }
  if (step.cwd) {
    const goMod = readFileSync(join(step.cwd, "go.mod"), "utf8");
    const required = requiredVersion(goMod, step.pin.module);
    if (required !== step.pin.version) {
      throw new Error(
        `${join(step.cwd, "go.mod")} requires ${step.pin.module} ${
          required ?? "(nothing)"
        }, versions.json pins ${step.pin.version}; update the tools module (go get ${step.pin.module}@${step.pin.version} && go mod tidy)`,
      );
    }
  }
  mkdirSync(dirs.bin, { recursive: true });
  mkdirSync(dirs.goCache, { recursive: true });
  const env: Record<string, string> = {
    GOBIN: dirs.bin,
    GOCACHE: dirs.goCache,
    // The committed go.sum is the lock: a build that would change it fails.
    GOFLAGS: step.cwd ? "-mod=readonly" : "",
    CGO_ENABLED: "0",
  };
  const r = await run("go", step.args, {
    ...(step.cwd ? { cwd: step.cwd } : {}),
    env,
    timeoutMs: 3_600_000,
  });
  if (r.code !== 0) {
    throw new Error(
      refusedModule(r.stderr, step.pin.module) ??
        `building ${step.binary} failed:\n${r.stderr.trim()}`,
    );
  }
  const version = await versionOf(step, binPath);
  if (version === undefined) {
    throw new Error(`${binPath} was built but does not report version ${step.expectVersion}`);
  }
  writeFileSync(stampFile, step.stamp);
  return { step, action: "built", seconds: (performance.now() - started) / 1000, version };
}
