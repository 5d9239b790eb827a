import { join } from "node:path";
import type { ToolPin, Versions } from "../model/versions.ts";

/** One `go build`/`go install` step and how to check its result. */
export interface BuildStep {
  tool: string;
  binary: string;
  /** Full package path, e.g. github.com/prometheus/prometheus/cmd/promtool. */
  pkg: string;
  pin: ToolPin;
  /** The go command's arguments (run in `cwd`). */
  args: string[];
  /** Folder of the committed tools module, or undefined for `go install M@V`. */
  cwd: string | undefined;
  /** Arguments that make the binary print its version. */
  versionArgs: string[];
  /** What the version output must contain. */
  expectVersion: string;
  /** Identifies the build inputs: a changed stamp means rebuild. */
  stamp: string;
}

function versionArgsFor(binary: string): string[] {
  if (binary === "kubeconform") return ["-v"];
  if (binary === "kustomize") return ["version"];
  return ["--version"];
}

function ldflags(pin: ToolPin): string[] {
  // Without it the binary reports no version (or "development"); tools that read it from the Go
  // build info, which `go install M@V` fills in, need nothing.
  return pin.versionVar ? ["-ldflags", `-X ${pin.versionVar}=${pin.appVersion}`] : [];
}

/** The build steps for every pinned tool, in versions.json order. Pure. */
export function buildPlan(
  versions: Versions,
  root: string,
  binDir: string,
  goSums: Record<string, string>,
): BuildStep[] {
  const steps: BuildStep[] = [];
  for (const [tool, pin] of Object.entries(versions.tools)) {
    for (const [binary, sub] of Object.entries(pin.binaries)) {
      const pkg = sub === "" ? pin.module : `${pin.module}/${sub}`;
      const out = join(binDir, binary);
      const flags = [
        "-trimpath",
        ...(pin.tags?.length ? ["-tags", pin.tags.join(",")] : []),
        ...ldflags(pin),
      ];
      const args = pin.gomod
        ? ["build", ...flags, "-o", out, pkg]
        : ["install", ...flags, `${pkg}@${pin.version}`];
      const stamp = JSON.stringify({
        pkg,
        version: pin.version,
        args,
        goSum: pin.gomod ? goSums[pin.gomod] ?? "" : "",
      });
      steps.push({
        tool,
        binary,
        pkg,
        pin,
        args,
        cwd: pin.gomod ? join(root, pin.gomod) : undefined,
        versionArgs: versionArgsFor(binary),
        expectVersion: pin.appVersion,
        stamp,
      });
    }
  }
  return steps;
}

/** The version a tools module's go.mod requires for a module, or undefined. */
export function requiredVersion(goMod: string, module: string): string | undefined {
  const escaped = module.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, "m"));
  return m?.[1];
}

/** A clear sentence for a module the Go module proxy refused, or undefined for other failures. */
export function refusedModule(stderr: string, module: string): string | undefined {
  if (/403 Forbidden|404 Not Found|not available|unknown revision|invalid version/.test(stderr)) {
    const line = stderr.split("\n").find((l) =>
      /403|404|not available|unknown revision|invalid version/.test(l)
    ) ?? "";
    return `the Go module proxy refused ${module}: ${line.trim()}`;
  }
  return undefined;
}
