import assert from "node:assert/strict";
import {
  checkLaunch,
  type ContainerLaunch,
  containerScript,
  execCommand,
  FORWARDER_SCRIPT,
  groupText,
  launchCommand,
  passwdText,
  shellQuote,
  userArgs,
} from "./container.ts";
import { run } from "../proc/run.ts";

function launch(over: Partial<ContainerLaunch> = {}): ContainerLaunch {
  return {
    netns: "hamon-monitoring_prometheus-k8s-0",
    rootDir: "/run/hamon/pods/uid-1/prometheus/root",
    binaries: [{ source: "/cache/prometheus", target: "/bin/prometheus" }],
    mounts: [],
    files: [{ source: "/run/hamon/pods/uid-1/resolv.conf", target: "/etc/resolv.conf" }],
    user: { uid: 1000, gid: 2000, groups: [2000] },
    command: ["/bin/prometheus", "--config.file=/etc/prometheus/config_out/prometheus.env.yaml"],
    env: { HOME: "/", GOMAXPROCS: "1" },
    readOnlyRootFilesystem: true,
    ...over,
  };
}

function lines(script: string): string[] {
  return script.trimEnd().split("\n");
}

Deno.test("shellQuote() survives a round trip through /bin/sh", async () => {
  const hostile = ["plain", "with space", "it's", 'a"b', "$HOME `x` \\n", "new\nline", ""];
  const r = await run("/bin/sh", ["-c", `printf '%s\\0' ${hostile.map(shellQuote).join(" ")}`]);
  assert.equal(r.code, 0);
  assert.deepEqual(r.stdout.split("\0").slice(0, -1), hostile);
});

Deno.test("containerScript() binds each binary read-only at the image's path", () => {
  const script = containerScript(launch({
    binaries: [
      { source: "/cache/prometheus", target: "/bin/prometheus" },
      { source: "/cache/ksm", target: "/kube-state-metrics" },
    ],
  }));
  assert.ok(lines(script).includes('bind /cache/prometheus "$R"/bin/prometheus ro,nosuid,nodev'));
  assert.ok(lines(script).includes('bind /cache/ksm "$R"/kube-state-metrics ro,nosuid,nodev'));
  // Nothing else lands in /bin: the host's binaries are only under the read-only /usr.
  assert.deepEqual(lines(script).filter((l) => l.includes('"$R"/bin')), [
    'bind /cache/prometheus "$R"/bin/prometheus ro,nosuid,nodev',
  ]);
  assert.ok(lines(script).includes('bind /usr "$R"/usr ro,nosuid,nodev'));
  assert.ok(lines(script).includes('ln -s usr/lib64 "$R"/lib64'));
});

Deno.test("containerScript() builds the root on a tmpfs with a fresh /proc and a read-only /dev", () => {
  const l = lines(containerScript(launch()));
  assert.deepEqual(l.slice(0, 2), ["trap 'exit 143' TERM", "trap 'exit 129' HUP"]);
  assert.equal(l[2], "R=/run/hamon/pods/uid-1/prometheus/root");
  assert.equal(l[4], 'mkdir -p "$R"');
  assert.equal(l[5], 'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$R"');
  assert.ok(l.includes('mount -t proc -o nosuid,nodev,noexec proc "$R"/proc'));
  assert.ok(l.includes('bind /dev/urandom "$R"/dev/urandom rw'));
  assert.ok(
    l.indexOf('mount -o remount,bind,ro,nosuid,noexec "$R"/dev') > l.indexOf(
      'bind /dev/tty "$R"/dev/tty rw',
    ),
  );
  assert.ok(l.includes('bind /etc/ssl/certs "$R"/etc/ssl/certs ro,nosuid,nodev'));
  assert.ok(
    l.includes('bind /run/hamon/pods/uid-1/resolv.conf "$R"/etc/resolv.conf ro,nosuid,nodev'),
  );
  assert.ok(!l.some((s) => s.includes('"$R"/tmp')), "no /tmp without a volume there");
});

Deno.test("containerScript() binds volumes outer first, read-only when asked", () => {
  const l = lines(containerScript(launch({
    mounts: [
      { source: "/v/certs", target: "/etc/prometheus/certs", readOnly: true },
      { source: "/v/data", target: "/prometheus", readOnly: false },
      { source: "/v/config/prometheus.yaml", target: "/etc/prometheus/x.yaml", readOnly: true },
      { source: "/v/config-dir", target: "/etc/prometheus", readOnly: true },
    ],
  })));
  assert.deepEqual(l.filter((s) => s.startsWith("bind /v/")), [
    'bind /v/data "$R"/prometheus nosuid,nodev',
    'bind /v/config-dir "$R"/etc/prometheus ro,nosuid,nodev',
    'bind /v/certs "$R"/etc/prometheus/certs ro,nosuid,nodev',
    'bind /v/config/prometheus.yaml "$R"/etc/prometheus/x.yaml ro,nosuid,nodev',
  ]);
});

Deno.test("containerScript() remounts the root read-only only when readOnlyRootFilesystem", () => {
  const ro = 'mount -o remount,bind,ro,nosuid,nodev "$R"';
  const l = lines(containerScript(launch()));
  assert.equal(l.at(-2), ro);
  assert.ok(!lines(containerScript(launch({ readOnlyRootFilesystem: false }))).includes(ro));
});

Deno.test("containerScript() ends by exec-ing the command as the user with exactly its env", () => {
  const l = lines(containerScript(launch({
    workingDir: "/prometheus",
    env: { A: "1", QUOTED: "it's $x" },
    command: ["/bin/prometheus", "--web.listen-address=:9090"],
  })));
  assert.ok(l.includes('[ -d "$R"/prometheus ] || mkdir -p "$R"/prometheus'));
  assert.equal(
    l.at(-1),
    "exec /usr/sbin/chroot /run/hamon/pods/uid-1/prometheus/root /usr/bin/setpriv --reuid=1000" +
      " --regid=2000 --groups=2000 --no-new-privs --inh-caps=-all --bounding-set=-all" +
      " --pdeathsig=KILL -- /usr/bin/env -i --default-signal -C /prometheus -- A=1" +
      " 'QUOTED=it'\\''s $x' /bin/prometheus --web.listen-address=:9090",
  );
});

Deno.test("containerScript() sets the hostname only when the launch names one", () => {
  assert.ok(!containerScript(launch()).includes("/proc/sys/kernel/hostname"));
  assert.ok(
    lines(containerScript(launch({ hostname: "prometheus-k8s-0" })))
      .includes("printf %s prometheus-k8s-0 >/proc/sys/kernel/hostname"),
  );
});

Deno.test("passwdText() and groupText() list root, nobody and the pod's ids", () => {
  const user = { uid: 1000, gid: 2000, groups: [2000, 3000] };
  assert.equal(
    passwdText(user),
    "root:x:0:0:root:/root:/usr/sbin/nologin\n" +
      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n" +
      "container:x:1000:2000:container:/:/usr/sbin/nologin\n",
  );
  assert.equal(
    groupText(user),
    "root:x:0:\nnogroup:x:65534:\ngroup2000:x:2000:\ngroup3000:x:3000:\n",
  );
  assert.equal(passwdText({ uid: 65534, gid: 65534, groups: [] }).split("\n").length, 3);
});

Deno.test("userArgs() clears groups when there are none and keeps capabilities only for root", () => {
  assert.deepEqual(userArgs({ uid: 65534, gid: 65534, groups: [] }), [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
  ]);
  assert.deepEqual(userArgs({ uid: 0, gid: 0, groups: [2000, 2000] }), [
    "--reuid=0",
    "--regid=0",
    "--groups=2000",
    "--no-new-privs",
  ]);
});

Deno.test("checkLaunch() refuses paths that would escape or hide the shared folders", () => {
  const cases: [Partial<ContainerLaunch>, string][] = [
    [
      { binaries: [{ source: "/cache/p", target: "/usr/bin/p" }] },
      "container launch: binaries[0].target: /usr/bin/p is under /usr, which the container shares",
    ],
    [
      { mounts: [{ source: "/v", target: "/data/../proc", readOnly: false }] },
      'container launch: mounts[0].target: not a clean absolute path: "/data/../proc"',
    ],
    [
      { files: [{ source: "relative", target: "/etc/hosts" }] },
      'container launch: files[0].source: not a clean absolute path: "relative"',
    ],
    [
      { workingDir: "/proc/1" },
      "container launch: workingDir: /proc/1 is under /proc, which the container shares",
    ],
    [{ command: [] }, "container launch: command: is empty"],
    [{ command: ["A=b"] }, 'container launch: command[0]: contains "=": A=b'],
    [{ env: { "A=B": "x" } }, 'container launch: env: bad variable name "A=B"'],
    [
      { user: { uid: -1, gid: 0, groups: [] } },
      "container launch: user.uid: not a user or group id: -1",
    ],
    [{ netns: "a/b" }, 'container launch: netns: bad name "a/b"'],
  ];
  for (const [over, message] of cases) assert.throws(() => checkLaunch(launch(over)), { message });
});

Deno.test("launchCommand() runs the forwarder in the pod's netns with new mount and PID namespaces", () => {
  const l = launch({ hostname: "prometheus-k8s-0" });
  const { cmd, args } = launchCommand(l);
  assert.equal(cmd, "ip");
  assert.deepEqual(args.slice(0, 12), [
    "netns",
    "exec",
    "hamon-monitoring_prometheus-k8s-0",
    "unshare",
    "--mount",
    "--pid",
    "--uts",
    "--propagation",
    "private",
    "--",
    "/bin/sh",
    "-c",
  ]);
  assert.deepEqual(args.slice(12), [FORWARDER_SCRIPT, "container", containerScript(l)]);
  assert.ok(!launchCommand(launch()).args.includes("--uts"));
});

Deno.test("execCommand() enters the container's namespaces and root as its user", () => {
  const { cmd, args } = execCommand(4242, launch({ env: { A: "1" } }), [
    "/bin/promtool",
    "--version",
  ]);
  assert.equal(cmd, "nsenter");
  assert.deepEqual(args, [
    "--target=4242",
    "--mount",
    "--net",
    "--pid",
    "--uts",
    "--root",
    "--",
    "/usr/bin/setpriv",
    "--reuid=1000",
    "--regid=2000",
    "--groups=2000",
    "--no-new-privs",
    "--inh-caps=-all",
    "--bounding-set=-all",
    "--pdeathsig=KILL",
    "--",
    "/usr/bin/env",
    "-i",
    "--default-signal",
    "-C",
    "/",
    "--",
    "A=1",
    "/bin/promtool",
    "--version",
  ]);
  assert.throws(() => execCommand(1, launch(), []), { message: "exec probe: bad command []" });
});

Deno.test("FORWARDER_SCRIPT passes SIGTERM to the container and exits with its status", async () => {
  // The container's part, without namespaces: announce, then leave with 42 on SIGTERM. (The
  // pause lets the forwarder learn its pid first, as the building of a root always does.)
  const inner = "trap 'exit 42' TERM; sleep 0.1; echo ready; while :; do sleep 0.05; done";
  const child = new Deno.Command("/bin/sh", {
    args: ["-c", FORWARDER_SCRIPT, "container", inner],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const guard = setTimeout(() => child.kill("SIGKILL"), 10_000);
  try {
    const reader = child.stdout.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), "ready\n");
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 42);
    reader.releaseLock();
    await child.stdout.cancel();
  } finally {
    clearTimeout(guard);
  }
});

Deno.test("FORWARDER_SCRIPT exits with the container's own exit status", async () => {
  for (const code of [0, 3]) {
    const r = await run("/bin/sh", ["-c", FORWARDER_SCRIPT, "container", `echo out; exit ${code}`]);
    assert.deepEqual([r.code, r.stdout], [code, "out\n"]);
  }
});
