/**
 * One container as one process: in the pod's network namespace, its own mount, PID (and UTS)
 * namespaces, a root on a tmpfs that holds only the image's binaries, the host's read-only /usr
 * (for setpriv and env), a fresh /proc, a minimal /dev, the pod's /etc files and its volumes; then
 * chroot, the pod's user and groups without privileges, and exactly the container's environment.
 * The command lines are built by pure functions; the agent spawns them.
 */

export interface ContainerLaunch {
  /** The pod's network namespace (`ip netns` name). */
  netns: string;
  /** An empty host folder; the container's root is a tmpfs mounted on it, seen only inside. */
  rootDir: string;
  /** Host files bound read-only at the image's paths, e.g. `/bin/prometheus`. */
  binaries: { source: string; target: string }[];
  /** Volumes: a host folder or file bound at `target` (a subPath is bound by its own path). */
  mounts: { source: string; target: string; readOnly: boolean }[];
  /** Host files the agent writes, bound read-only: `/etc/resolv.conf`, `/etc/hosts`, … */
  files: { source: string; target: string }[];
  /** `groups`: supplemental groups, fsGroup included. */
  user: { uid: number; gid: number; groups: number[] };
  /** Default `/`. */
  workingDir?: string;
  command: string[];
  env: Record<string, string>;
  readOnlyRootFilesystem: boolean;
  /** The pod's hostname, in a UTS namespace of its own; absent: the host's name is seen. */
  hostname?: string;
  /** hostPID: the container shares the node's PID namespace instead of having its own. */
  hostPID?: boolean;
}

/** Host device nodes bound into the container's /dev. */
export const DEVICES = ["null", "zero", "full", "random", "urandom", "tty"] as const;

/** Quotes one word for /bin/sh. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function isCleanAbsolute(path: string): boolean {
  return /^(\/[^/\0\n]+)+$/.test(path) && !path.split("/").some((s) => s === "." || s === "..");
}

function isUnder(path: string, dir: string): boolean {
  return path === dir || path.startsWith(`${dir}/`);
}

/** Throws, naming the field, when a launch cannot be built safely. */
export function checkLaunch(launch: ContainerLaunch): void {
  const fail = (field: string, why: string): never => {
    throw new Error(`container launch: ${field}: ${why}`);
  };
  if (!/^[A-Za-z0-9_.-]+$/.test(launch.netns)) {
    fail("netns", `bad name ${JSON.stringify(launch.netns)}`);
  }
  if (!isCleanAbsolute(launch.rootDir)) {
    fail("rootDir", `not a clean absolute path: ${launch.rootDir}`);
  }
  const target = (field: string, path: string) => {
    if (!isCleanAbsolute(path)) fail(field, `not a clean absolute path: ${JSON.stringify(path)}`);
    // /usr is the host's, read-only; /proc and /sys are the kernel's.
    for (const dir of ["/usr", "/proc", "/sys"]) {
      if (isUnder(path, dir)) fail(field, `${path} is under ${dir}, which the container shares`);
    }
  };
  const source = (field: string, path: string) => {
    // The host's root itself may be a volume (node-exporter's hostPath /).
    if (path !== "/" && !isCleanAbsolute(path)) {
      fail(field, `not a clean absolute path: ${JSON.stringify(path)}`);
    }
  };
  launch.binaries.forEach((b, i) => {
    source(`binaries[${i}].source`, b.source);
    target(`binaries[${i}].target`, b.target);
  });
  launch.files.forEach((f, i) => {
    source(`files[${i}].source`, f.source);
    target(`files[${i}].target`, f.target);
  });
  launch.mounts.forEach((m, i) => {
    source(`mounts[${i}].source`, m.source);
    target(`mounts[${i}].target`, m.target);
  });
  if (launch.workingDir !== undefined) target("workingDir", launch.workingDir);
  const id = (field: string, n: number) => {
    if (!Number.isInteger(n) || n < 0 || n > 0xfffffffe) {
      fail(field, `not a user or group id: ${n}`);
    }
  };
  id("user.uid", launch.user.uid);
  id("user.gid", launch.user.gid);
  launch.user.groups.forEach((g, i) => id(`user.groups[${i}]`, g));
  const [program] = launch.command;
  if (program === undefined || program === "") fail("command", "is empty");
  // env(1) would take a first word with `=` for a variable.
  if (program?.includes("=")) fail("command[0]", `contains "=": ${program}`);
  for (const name of Object.keys(launch.env)) {
    if (name === "" || name.includes("=") || name.includes("\0")) {
      fail("env", `bad variable name ${JSON.stringify(name)}`);
    }
  }
  if (launch.hostname !== undefined && !/^[a-z0-9]([a-z0-9.-]{0,62})$/.test(launch.hostname)) {
    fail("hostname", `not a hostname: ${JSON.stringify(launch.hostname)}`);
  }
}

/** /etc/passwd of the root: root, nobody and the container's user. */
export function passwdText(user: ContainerLaunch["user"]): string {
  const lines = [
    "root:x:0:0:root:/root:/usr/sbin/nologin",
    "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
  ];
  if (user.uid !== 0 && user.uid !== 65534) {
    lines.push(`container:x:${user.uid}:${user.gid}:container:/:/usr/sbin/nologin`);
  }
  return lines.join("\n") + "\n";
}

/** /etc/group of the root: root, nogroup, and the container's group and supplemental groups. */
export function groupText(user: ContainerLaunch["user"]): string {
  const lines = ["root:x:0:", "nogroup:x:65534:"];
  for (const gid of [...new Set([user.gid, ...user.groups])].sort((a, b) => a - b)) {
    if (gid !== 0 && gid !== 65534) lines.push(`group${gid}:x:${gid}:`);
  }
  return lines.join("\n") + "\n";
}

/** setpriv's options that become the container's user, with no way back to privileges. */
export function userArgs(user: ContainerLaunch["user"]): string[] {
  const groups = [...new Set(user.groups)];
  return [
    `--reuid=${user.uid}`,
    `--regid=${user.gid}`,
    groups.length > 0 ? `--groups=${groups.join(",")}` : "--clear-groups",
    "--no-new-privs",
    // Root keeps root's capabilities, as a container runtime's default would give some.
    ...(user.uid === 0 ? [] : ["--inh-caps=-all", "--bounding-set=-all"]),
  ];
}

/**
 * `env` with only the container's variables, signals back at their defaults (a background job
 * of sh starts with SIGINT and SIGQUIT ignored), in the working directory, as the user.
 */
function envArgs(launch: ContainerLaunch, argv: readonly string[]): string[] {
  return [
    "/usr/bin/env",
    "-i",
    "--default-signal",
    "-C",
    launch.workingDir ?? "/",
    "--",
    ...Object.entries(launch.env).map(([k, v]) => `${k}=${v}`),
    ...argv,
  ];
}

/**
 * The script run as PID 1 of the container's PID namespace, inside its own mount namespace: it
 * builds the root on `rootDir` and ends by exec-ing the command there. Pure.
 */
export function containerScript(launch: ContainerLaunch): string {
  checkLaunch(launch);
  const q = shellQuote;
  const at = (path: string) => `"$R"${q(path)}`;
  const out: string[] = [
    // As PID 1 of its namespace, this shell would ignore a SIGTERM it has no handler for, and
    // go on to start the container: stop instead. exec gives the command default handlers.
    "trap 'exit 143' TERM",
    "trap 'exit 129' HUP",
    `R=${q(launch.rootDir)}`,
    // bind SOURCE TARGET OPTIONS: a folder onto a folder, a file onto a file, made if missing.
    'bind() { if [ -d "$1" ]; then mkdir -p "$2"; else mkdir -p "${2%/*}"; [ -e "$2" ] || : >"$2"; fi; mount -o "bind,$3" "$1" "$2"; }',
    'mkdir -p "$R"',
    'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R"',
    // The host's /usr, for the few dynamic helpers (setpriv, env); merged-usr links as on Debian.
    `bind /usr ${at("/usr")} ro,nosuid,nodev`,
    `ln -s usr/lib ${at("/lib")}`,
    `ln -s usr/lib64 ${at("/lib64")}`,
    `ln -s usr/sbin ${at("/sbin")}`,
  ];
  for (const b of launch.binaries) out.push(`bind ${q(b.source)} ${at(b.target)} ro,nosuid,nodev`);
  out.push(
    `mkdir ${at("/proc")} ${at("/sys")} ${at("/dev")}`,
    // Mounted by PID 1 of the new namespace, so it shows the container's processes only.
    `mount -t proc -o nosuid,nodev,noexec proc ${at("/proc")}`,
    // Read-only, as container runtimes do; its network part is the pod's.
    `mount -t sysfs -o ro,nosuid,nodev,noexec sysfs ${at("/sys")}`,
    `mount -t tmpfs -o mode=0755,nosuid,noexec tmpfs ${at("/dev")}`,
  );
  for (const d of DEVICES) out.push(`bind /dev/${d} ${at(`/dev/${d}`)} rw`);
  out.push(
    `ln -s /proc/self/fd ${at("/dev/fd")}`,
    ...["stdin", "stdout", "stderr"].map((s, i) => `ln -s /proc/self/fd/${i} ${at(`/dev/${s}`)}`),
    `mount -o remount,bind,ro,nosuid,noexec ${at("/dev")}`,
    `mkdir -p ${at("/etc/ssl/certs")}`,
    `printf %s ${q(passwdText(launch.user))} >${at("/etc/passwd")}`,
    `printf %s ${q(groupText(launch.user))} >${at("/etc/group")}`,
    // Go's TLS reads the CA bundle here.
    `bind /etc/ssl/certs ${at("/etc/ssl/certs")} ro,nosuid,nodev`,
  );
  for (const f of launch.files) out.push(`bind ${q(f.source)} ${at(f.target)} ro,nosuid,nodev`);
  // Outer folders first, so a volume inside another is bound on top of it.
  const depth = (p: string) => p.split("/").length;
  for (const m of [...launch.mounts].sort((a, b) => depth(a.target) - depth(b.target))) {
    out.push(`bind ${q(m.source)} ${at(m.target)} ${m.readOnly ? "ro," : ""}nosuid,nodev`);
  }
  const wd = launch.workingDir ?? "/";
  if (wd !== "/") out.push(`[ -d ${at(wd)} ] || mkdir -p ${at(wd)}`);
  if (launch.hostname !== undefined) {
    out.push(`printf %s ${q(launch.hostname)} >/proc/sys/kernel/hostname`);
  }
  if (launch.readOnlyRootFilesystem) out.push('mount -o remount,bind,ro,nosuid,nodev "$R"');
  const exec = [
    "/usr/sbin/chroot",
    launch.rootDir,
    "/usr/bin/setpriv",
    ...userArgs(launch.user),
    // The forwarder is our parent: if it is killed, so are we (after the user change, which
    // clears an earlier parent-death signal).
    "--pdeathsig=KILL",
    "--",
    ...envArgs(launch, launch.command),
  ];
  out.push(`exec ${exec.map(q).join(" ")}`);
  return out.join("\n") + "\n";
}

/**
 * The process the agent spawns: it stays in the host's PID namespace as the parent of the
 * container (PID 1 of its namespace; unshare itself ignores SIGTERM), forwards signals to it and
 * exits with its status. `$1` is the container script. The container script runs under a
 * parent-death signal, so killing this process kills the whole PID namespace.
 */
export const FORWARDER_SCRIPT = [
  "c=",
  "p=",
  // A signal that comes before the container's pid is known is kept (p): the container is then
  // killed before it starts. One that comes in the first milliseconds after can still be lost
  // (the child has not yet exec'd, or is PID 1 without a handler yet): a stop that escalates to
  // SIGKILL, as the agent's does, still ends it.
  ...["TERM", "INT", "HUP", "QUIT", "USR1", "USR2"].map((s) =>
    `trap 'if [ -z "$c" ]; then p=${s}; else kill -s ${s} "$c" 2>/dev/null || :; fi' ${s}`
  ),
  '/usr/bin/setpriv --pdeathsig=KILL -- /bin/sh -ec "$1" &',
  "c=$!",
  '[ -z "$p" ] || kill -s KILL "$c" 2>/dev/null || :',
  // wait returns early when a trapped signal arrives; the container's status ends the loop.
  'while :; do s=0; wait "$c" || s=$?; kill -0 "$c" 2>/dev/null || exit "$s"; done',
  "",
].join("\n");

/** The command line that runs one container (see FORWARDER_SCRIPT and containerScript()). */
export function launchCommand(launch: ContainerLaunch): { cmd: string; args: string[] } {
  const script = containerScript(launch);
  return {
    cmd: "ip",
    args: [
      "netns",
      "exec",
      launch.netns,
      "unshare",
      "--mount",
      ...(launch.hostPID ? [] : ["--pid"]),
      ...(launch.hostname !== undefined ? ["--uts"] : []),
      "--propagation",
      "private",
      "--",
      "/bin/sh",
      "-c",
      FORWARDER_SCRIPT,
      "container",
      script,
    ],
  };
}

/**
 * The command line of an exec probe: `argv` in the namespaces and root of the running container
 * `pid` (see containerPid()), as its user, with its environment and working directory.
 */
export function execCommand(
  pid: number,
  launch: ContainerLaunch,
  argv: readonly string[],
): { cmd: string; args: string[] } {
  checkLaunch(launch);
  if (argv.length === 0 || argv[0] === "" || argv[0]?.includes("=")) {
    throw new Error(`exec probe: bad command ${JSON.stringify(argv)}`);
  }
  return {
    cmd: "nsenter",
    args: [
      `--target=${pid}`,
      "--mount",
      "--net",
      "--pid",
      "--uts",
      // The target's root: the container's, since it has chrooted.
      "--root",
      "--",
      "/usr/bin/setpriv",
      ...userArgs(launch.user),
      "--pdeathsig=KILL",
      "--",
      ...envArgs(launch, argv),
    ],
  };
}

/**
 * The container's process (the forwarder's child, PID 1 of the container's namespace) once it
 * runs in its root; undefined while the root is being built or after it exited.
 */
export async function containerPid(
  forwarderPid: number,
  launch: Pick<ContainerLaunch, "rootDir">,
): Promise<number | undefined> {
  let children: string;
  try {
    children = await Deno.readTextFile(`/proc/${forwarderPid}/task/${forwarderPid}/children`);
  } catch {
    return undefined;
  }
  const pid = Number(children.trim().split(/\s+/)[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    // Its root, seen from its own mount namespace, is rootDir once it has chrooted.
    const root = await Deno.readLink(`/proc/${pid}/root`);
    return root === launch.rootDir || root === await Deno.realPath(launch.rootDir)
      ? pid
      : undefined;
  } catch {
    return undefined;
  }
}
