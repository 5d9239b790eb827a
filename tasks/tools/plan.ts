import { createHash } from "node:crypto";
import { join } from "node:path";
import type { ToolPin, Versions } from "../model/versions.ts";
import { versionArgsOf } from "../model/versions.ts";

/** One `go build` (or `go install`) of every binary of one pinned tool. */
export interface BuildStep {
  tool: string;
  pin: ToolPin;
  /** Binary name → full package path (github.com/prometheus/prometheus/cmd/promtool). */
  packages: Record<string, string>;
  /** Folder of the committed tools module, or undefined for `go install M@V`. */
  cwd: string | undefined;
  /** The go command's arguments, without the output folder (see goArgs()). */
  flags: string[];
  /**
   * Identifies the build inputs (packages, version, flags, the tools module's go.sum, the Go
   * version): the name of the tool's folder in the per-user cache, so a changed input builds anew
   * beside the old build and a second clone finds the same folder.
   */
  key: string;
}

/** The value of a `versionVars` template for a pin. */
export function expandVersionVar(template: string, pin: ToolPin): string {
  const [major = "", minor = ""] = pin.appVersion.split(".");
  return template
    .replaceAll("{version}", pin.version)
    .replaceAll("{appVersion}", pin.appVersion)
    .replaceAll("{major}", major)
    .replaceAll("{minor}", minor);
}

function ldflags(pin: ToolPin): string[] {
  // Without them a binary reports no version (or "development"); tools that read it from the Go
  // build info, which `go install M@V` fills in, need none.
  const vars = Object.entries(pin.versionVars ?? {});
  if (vars.length === 0) return [];
  return ["-ldflags", vars.map(([v, t]) => `-X ${v}=${expandVersionVar(t, pin)}`).join(" ")];
}

/**
 * The name `go build -o dir/` gives the binary of a package: its last path element, skipping a
 * major-version suffix (k8s.io/kube-state-metrics/v2 → kube-state-metrics).
 */
export function goBinaryName(pkg: string): string {
  const parts = pkg.split("/");
  const last = parts.at(-1) ?? pkg;
  return /^v\d+$/.test(last) && parts.length > 1 ? parts.at(-2) ?? last : last;
}

/** The build steps, one per pinned tool, in versions.json order. Pure. */
export function buildPlan(
  versions: Versions,
  root: string,
  goSums: Record<string, string>,
  goVersion: string,
): BuildStep[] {
  return Object.entries(versions.tools).map(([tool, pin]) => {
    const packages = Object.fromEntries(
      Object.entries(pin.binaries).map(([binary, sub]) => [
        binary,
        sub === "" ? pin.module : `${pin.module}/${sub}`,
      ]),
    );
    const flags = [
      "-trimpath",
      ...(pin.tags?.length ? ["-tags", pin.tags.join(",")] : []),
      ...ldflags(pin),
    ];
    const inputs = JSON.stringify({
      packages,
      version: pin.version,
      flags,
      goSum: pin.gomod ? goSums[pin.gomod] ?? "" : "",
      goVersion,
    });
    const hash = createHash("sha256").update(inputs).digest("hex").slice(0, 12);
    return {
      tool,
      pin,
      packages,
      cwd: pin.gomod ? join(root, pin.gomod) : undefined,
      flags,
      key: `${tool}@${pin.version}-${hash}`,
    };
  });
}

/**
 * The go command line of a step writing into `outDir`: one `go build` of every package of a tools
 * module (Kubernetes' five binaries share most of their packages, so one call compiles them once),
 * or one `go install M@V…` of every package of a module without one. `-v` names each package as
 * it is compiled, which the installer shows as progress.
 */
export function goArgs(step: BuildStep, outDir: string): string[] {
  const pkgs = Object.values(step.packages);
  return step.cwd
    ? ["build", "-v", ...step.flags, "-o", `${outDir}/`, ...pkgs]
    : ["install", "-v", ...step.flags, ...pkgs.map((p) => `${p}@${step.pin.version}`)];
}

/** The arguments that make a step's binary print its version. */
export function versionArgs(step: BuildStep, binary: string): string[] {
  return versionArgsOf(step.pin, binary);
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

/** "about 14 min" from measured cold build minutes, or "unmeasured". */
export function coldEstimate(steps: readonly BuildStep[]): string {
  const minutes = steps.map((s) => s.pin.coldBuildMinutes);
  if (minutes.some((m) => m === undefined)) return "time not yet measured";
  const total = minutes.reduce((a: number, b) => a + (b ?? 0), 0);
  return `about ${Math.ceil(total)} min with an empty Go build cache on 2 cores`;
}
