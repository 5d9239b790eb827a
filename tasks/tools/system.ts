/**
 * Debian packages the tasks need beyond Go and Node.js: checked by the file each installs, and
 * installed with apt-get when missing (as root, or through passwordless sudo); otherwise a
 * one-line error names the package.
 */
import { ToolsError } from "./install.ts";
import { existsSync } from "node:fs";
import process from "node:process";
import { run } from "../proc/run.ts";

export interface SystemPackage {
  /** Debian's package name. */
  name: string;
  /** A file the package installs; its presence means the package is there. */
  file: string;
  /** Why the project needs it, said when it is installed or missing. */
  why: string;
}

/**
 * What the local cluster needs (`up`, and validate's API server): certificates, the pod network
 * and the containers' namespaces.
 */
export const UP_PACKAGES: readonly SystemPackage[] = [
  { name: "openssl", file: "/usr/bin/openssl", why: "the control plane's certificates" },
  { name: "iproute2", file: "/usr/sbin/ip", why: "the pods' network namespaces, veths and bridge" },
  { name: "nftables", file: "/usr/sbin/nft", why: "the pod network's firewall and host-port DNAT" },
  {
    name: "util-linux",
    file: "/usr/bin/nsenter",
    why: "the containers' namespaces (unshare, nsenter, setpriv)",
  },
];

/** What the end-to-end tests need on top of what `up` needs. */
export const TEST_PACKAGES: readonly SystemPackage[] = [
  { name: "chromium", file: "/usr/bin/chromium", why: "the browser test of the Thanos Query UI" },
];

/** The packages of `wanted` whose file is missing. Pure but for the file checks. */
export function missingPackages(
  wanted: readonly SystemPackage[],
  exists: (path: string) => boolean = existsSync,
): SystemPackage[] {
  return wanted.filter((p) => !exists(p.file));
}

/** The command that installs packages: apt-get as root, sudo -n apt-get otherwise. */
export function installCommand(names: readonly string[], isRoot: boolean): [string, string[]] {
  const apt = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", ...names];
  return isRoot ? [apt[0]!, apt.slice(1)] : ["sudo", ["-n", ...apt]];
}

/** Installs every missing package of `wanted`; throws one line naming them when it cannot. */
export async function ensurePackages(
  wanted: readonly SystemPackage[],
  log: (line: string) => void,
): Promise<void> {
  const missing = missingPackages(wanted);
  if (missing.length === 0) return;
  const names = missing.map((p) => p.name);
  const manual = `apt-get install -y ${names.join(" ")}`;
  for (const p of missing) log(`installing Debian package ${p.name} (${p.why}) …`);
  const isRoot = process.getuid?.() === 0;
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  const [cmd, args] = installCommand(names, isRoot);
  const update = isRoot
    ? ["apt-get", ["update", "-qq"]] as const
    : ["sudo", ["-n", "apt-get", "update", "-qq"]] as const;
  let failure = "";
  try {
    const u = await run(update[0], update[1], { env, timeoutMs: 600_000 });
    const r = u.code === 0 ? await run(cmd, args, { env, timeoutMs: 1_800_000 }) : u;
    if (r.code !== 0) failure = (r.stderr.trim().split("\n").at(-1) ?? "").trim();
  } catch (e) {
    failure = (e as Error).message;
  }
  const still = missingPackages(missing);
  if (still.length > 0) {
    throw new ToolsError(
      `missing ${
        still.map((p) => `${p.file} (Debian package ${p.name}, for ${p.why})`).join(", ")
      }` +
        `; could not install it${failure ? ` (${failure})` : ""}: run \`${manual}\` as root`,
    );
  }
}
