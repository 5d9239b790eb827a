/**
 * The node agent's plumbing on the real kernel, as root: pods in network namespaces on a bridge,
 * containers in their own mount and PID namespaces, the firewall that keeps the pod network on
 * the machine, and the sweep after a crash. Its own bridge, prefix, table and addresses, so it runs
 * beside a `deno task up`. Everything is removed, even on failure.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { ROOT, toolPath } from "../model/paths.ts";
import { run, runOk } from "../proc/run.ts";
import { Supervisor } from "../stack/process.ts";
import {
  type ContainerLaunch,
  containerPid,
  execCommand,
  launchCommand,
} from "../node/container.ts";
import { gatewayOf, nextFreeIp } from "../node/ipv4.ts";
import {
  cleanupStale,
  createPodNetns,
  DEFAULT_POD_NETWORK,
  ensurePodNetwork,
  exposeHostPort,
  type PodNetworkConfig,
  teardownPodNetwork,
} from "../node/pod_network.ts";
import { waitFor } from "./helpers.ts";

const STATE = join(ROOT, ".tmp", "node-sandbox-test");
const CFG: PodNetworkConfig = {
  bridge: "hamt0",
  prefix: "hamt",
  table: "hamt",
  // The top of the default pod range, which the agent fills from the bottom: a real stack's
  // kube-proxy drops all of its Service range that it has not allocated.
  podCidr: "198.18.255.0/24",
  serviceCidr: "198.18.254.0/24",
  stateDir: join(STATE, "state"),
};
const GATEWAY = gatewayOf(CFG.podCidr);
/** Another pod network whose pod range holds the test's, as a running `up`'s does. */
const OTHER: PodNetworkConfig = {
  bridge: "hamu0",
  prefix: "hamu",
  table: "hamu",
  podCidr: "198.18.240.0/20",
  serviceCidr: "198.18.236.0/22",
  stateDir: join(STATE, "state-other"),
};
/**
 * TEST-NET-3, routed on the host into a veth whose peer is down: a stand-in for "off the machine"
 * that cannot carry a packet anywhere.
 */
const OFF_MACHINE = "203.0.113.77";
const DUMMY = "hamtx0";

const SERVICE_IP = "198.18.254.10";
const KUBE_PROXY_TABLE = "hamt_kube_proxy";

/** Translates a Service IP's port 80 to a pod, before routing and for the host's own traffic. */
function kubeProxyStandIn(serviceIp: string, endpoint: string): string {
  const dnat = `ip daddr ${serviceIp} tcp dport 80 dnat to ${endpoint}`;
  return [
    `table ip ${KUBE_PROXY_TABLE} {`,
    `  chain prerouting { type nat hook prerouting priority dstnat; ${dnat}; }`,
    // -100 is dstnat, a name nft 1.0.6 accepts only at prerouting.
    `  chain output { type nat hook output priority -100; ${dnat}; }`,
    "}",
    "",
  ].join("\n");
}

/** Fails with one clear line when this machine cannot run the test, instead of skipping it. */
async function preconditions(): Promise<void> {
  if (Deno.uid() !== 0) throw new Error("the node sandbox test needs root (namespaces, nftables)");
  // A local cluster's firewall from before interface groups drops every other pod network's
  // traffic in its ranges, this test's included.
  const running = await run("nft", ["list", "table", "inet", DEFAULT_POD_NETWORK.table]);
  if (running.code === 0 && !running.stdout.includes("oifgroup")) {
    throw new Error(
      "a local cluster of an older checkout is running (its firewall would drop this test's " +
        "traffic): stop it first",
    );
  }
}

/** Everything of ours the host still shows: netns, links, nftables tables, mounts. */
interface Leftovers {
  netns: string[];
  links: string[];
  tables: string[];
  mounts: string[];
}

async function leftovers(): Promise<Leftovers> {
  const netns = (await runOk("ip", ["netns", "list"])).split("\n").map((l) => l.split(" ")[0] ?? "")
    .filter((l) => l.startsWith(`${CFG.prefix}-`));
  const links = (JSON.parse(await runOk("ip", ["-j", "link", "show"])) as { ifname: string }[])
    .map((l) => l.ifname).filter((n) => n.startsWith(CFG.prefix));
  const tables = (await runOk("nft", ["list", "tables"])).split("\n").filter((l) =>
    l === `table inet ${CFG.table}` || l === `table ip ${KUBE_PROXY_TABLE}`
  );
  const mounts = readFileSync("/proc/self/mountinfo", "utf8").split("\n")
    .map((l) => l.split(" ")[4] ?? "").filter((p) =>
      p.startsWith(STATE) || p.includes(`/${CFG.prefix}-`)
    );
  return { netns, links, tables, mounts };
}

const NOTHING: Leftovers = { netns: [], links: [], tables: [], mounts: [] };

function curl(
  url: string,
  netns?: string,
  extra: string[] = [],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = ["-sS", "--max-time", "5", ...extra, url];
  return netns ? run("ip", ["netns", "exec", netns, "curl", ...args]) : run("curl", args);
}

function nodeExporterLaunch(
  netns: string,
  ip: string,
  dir: string,
  over: Partial<ContainerLaunch> = {},
): ContainerLaunch {
  return {
    netns,
    rootDir: join(dir, "root"),
    binaries: [{
      source: Deno.realPathSync(toolPath("node_exporter")),
      target: "/bin/node_exporter",
    }],
    mounts: [],
    files: [],
    user: { uid: 65534, gid: 65534, groups: [] },
    command: ["/bin/node_exporter", `--web.listen-address=${ip}:9100`],
    env: {},
    readOnlyRootFilesystem: true,
    ...over,
  };
}

/** The counter of one rule of a chain of our table, found by its text before `counter`. */
async function ruleCounter(chain: string, ruleStart: string): Promise<number> {
  const text = await runOk("nft", ["list", "chain", "inet", CFG.table, chain]);
  const line = text.split("\n").map((l) => l.trim()).find((l) =>
    l.startsWith(`${ruleStart} counter`)
  );
  const m = line ? /counter packets (\d+)/.exec(line) : null;
  if (!m) throw new Error(`no counted rule "${ruleStart}" in:\n${text}`);
  return Number(m[1]);
}

function freshDir(name: string): string {
  const dir = join(STATE, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

Deno.test("the pod network joins pods to each other and to the host, and nothing leaves the machine", async () => {
  await preconditions();
  await cleanupStale(CFG);
  const forwardBefore = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
  const sup = new Supervisor({ logDir: freshDir("logs-network") });
  const servers: Deno.HttpServer[] = [];
  try {
    await ensurePodNetwork(CFG);
    await ensurePodNetwork(CFG); // idempotent
    assert.equal(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(), "1");
    const ipA = nextFreeIp(CFG.podCidr, []);
    const ipB = nextFreeIp(CFG.podCidr, [ipA]);
    const a = await createPodNetns(CFG, "monitoring/a", ipA);
    const b = await createPodNetns(CFG, "monitoring/b", ipB);
    const launchA = nodeExporterLaunch(a.netns, ipA, freshDir("pod-a"));
    await sup.start({
      name: "a",
      ...launchCommand(launchA),
      ready: async () => (await curl(`http://${ipA}:9100/metrics`)).code === 0,
    });
    await sup.waitReady(30_000);

    // No route off the machine: the kernel refuses before any packet is sent (192.0.2.1 is
    // this machine's real gateway: only asked about, never sent to).
    for (const dest of [OFF_MACHINE, "192.0.2.1"]) {
      const route = await run("ip", ["-n", b.netns, "route", "get", dest]);
      assert.notEqual(route.code, 0);
      assert.match(route.stderr, /Network is unreachable/);
    }
    const noRoute = await curl(`http://${OFF_MACHINE}/`, b.netns);
    assert.equal(noRoute.code, 7, noRoute.stderr); // curl: could not connect

    // Even with a route through the gateway, the forward chain drops it. The host routes the
    // address into a dead-end link, so a failure of the rule could not send anything out either.
    await runOk("ip", ["link", "add", DUMMY, "type", "veth", "peer", "name", `${DUMMY}p`]);
    writeFileSync(`/proc/sys/net/ipv6/conf/${DUMMY}/disable_ipv6`, "1\n");
    await runOk("ip", ["link", "set", DUMMY, "up"]); // its peer stays down: nothing gets through
    await runOk("ip", ["route", "add", `${OFF_MACHINE}/32`, "dev", DUMMY]);
    await runOk("ip", ["-n", b.netns, "route", "add", `${OFF_MACHINE}/32`, "via", GATEWAY]);
    const dropsBefore = await ruleCounter("forward", `iifname "${CFG.bridge}"`);
    const routed = await curl(`http://${OFF_MACHINE}/`, b.netns, ["--max-time", "1"]);
    assert.equal(routed.code, 28, routed.stderr); // timed out: dropped, not answered
    assert.ok(await ruleCounter("forward", `iifname "${CFG.bridge}"`) > dropsBefore);
    const dummy = JSON.parse(await runOk("ip", ["-j", "-s", "link", "show", DUMMY])) as {
      stats64: { tx: { packets: number } };
    }[];
    assert.equal(dummy[0]?.stats64.tx.packets, 0);

    // Another pod network whose range holds this one's, as a running `up`'s does: neither
    // firewall drops the other's traffic. (Loaded after the drop above, which it would count.)
    await cleanupStale(OTHER);
    await ensurePodNetwork(OTHER);

    // Host to pod, and pod to pod through the bridge.
    assert.match((await curl(`http://${ipA}:9100/metrics`)).stdout, /^node_exporter_build_info\{/m);
    const fromB = await curl(`http://${ipA}:9100/metrics`, b.netns);
    assert.equal(fromB.code, 0, fromB.stderr);
    assert.match(fromB.stdout, /^node_exporter_build_info\{/m);

    // Through a Service IP, translated as kube-proxy does (a stand-in table: the real one needs
    // an API server): from pod B, routed back onto the bridge, and from the host.
    await runOk("nft", ["-f", "-"], { stdin: kubeProxyStandIn(SERVICE_IP, `${ipA}:9100`) });
    for (const netns of [b.netns, undefined]) {
      const viaService = await curl(`http://${SERVICE_IP}/metrics`, netns);
      assert.equal(viaService.code, 0, `${netns ?? "host"}: ${viaService.stderr}`);
      assert.match(viaService.stdout, /^node_exporter_build_info\{/m);
    }

    // The gateway's exposed port reaches the host's loopback; an unexposed one does not.
    const serve = (body: string) => {
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        () => new Response(body),
      );
      servers.push(server);
      return server.addr.port;
    };
    const exposed = serve("from the host");
    const hidden = serve("must not be seen");
    await exposeHostPort(CFG, exposed);
    await exposeHostPort(CFG, exposed); // idempotent
    await ensurePodNetwork(CFG); // keeps exposed ports
    const viaGateway = await curl(`http://${GATEWAY}:${exposed}/`, b.netns);
    assert.equal(viaGateway.stdout, "from the host", viaGateway.stderr);
    // Refused by the input chain before any socket is looked for.
    const rejectsBefore = await ruleCounter("input", `iifname "${CFG.bridge}"`);
    const notExposed = await curl(`http://${GATEWAY}:${hidden}/`, b.netns);
    assert.equal(notExposed.code, 7, notExposed.stdout);
    assert.ok(await ruleCounter("input", `iifname "${CFG.bridge}"`) > rejectsBefore);

    // The other network goes first: forwarding stays on for this one, whose Service path needs it.
    await teardownPodNetwork(OTHER);
    assert.equal(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(), "1");
    assert.equal((await curl(`http://${SERVICE_IP}/metrics`, b.netns)).code, 0);
  } finally {
    await Promise.all(servers.map((s) => s.shutdown()));
    await sup.stopAll();
    await run("ip", ["link", "del", DUMMY]);
    await run("nft", ["delete", "table", "ip", KUBE_PROXY_TABLE]);
    await teardownPodNetwork(OTHER);
    await teardownPodNetwork(CFG);
  }
  assert.deepEqual(await leftovers(), NOTHING);
  assert.equal((await runOk("nft", ["list", "tables"])).includes(`inet ${OTHER.table}\n`), false);
  assert.equal((await run("ip", ["link", "show", "dev", OTHER.bridge])).code, 1);
  assert.equal(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(), forwardBefore);
});

Deno.test("a container runs as its user in a read-only root with only its binary, files, volumes and env", async () => {
  await preconditions();
  await cleanupStale(CFG);
  const dir = freshDir("pod-c");
  const sup = new Supervisor({ logDir: freshDir("logs-container") });
  try {
    await ensurePodNetwork(CFG);
    const ip = nextFreeIp(CFG.podCidr, []);
    const pod = await createPodNetns(CFG, "monitoring/c", ip);
    const emptyDir = join(dir, "empty-dir");
    const config = join(dir, "config");
    mkdirSync(emptyDir);
    chmodSync(emptyDir, 0o777); // as the kubelet makes an emptyDir
    mkdirSync(join(config, "sub"), { recursive: true });
    writeFileSync(join(config, "sub", "rules.yaml"), "groups: []\n");
    writeFileSync(
      join(dir, "resolv.conf"),
      "nameserver 198.18.254.10\nsearch monitoring.svc.cluster.local\n",
    );
    const launch = nodeExporterLaunch(pod.netns, ip, dir, {
      mounts: [
        { source: emptyDir, target: "/data", readOnly: false },
        { source: config, target: "/etc/config", readOnly: true },
        // A subPath: the sub-path's own file, bound alone.
        {
          source: join(config, "sub", "rules.yaml"),
          target: "/etc/rules/rules.yaml",
          readOnly: true,
        },
      ],
      files: [{ source: join(dir, "resolv.conf"), target: "/etc/resolv.conf" }],
      user: { uid: 65534, gid: 65534, groups: [2000] },
      workingDir: "/data",
      env: { A: "1", B: "two words" },
      hostname: "pod-c",
    });
    await sup.start({
      name: "c",
      ...launchCommand(launch),
      ready: async () => (await curl(`http://${ip}:9100/metrics`)).code === 0,
    });
    await sup.waitReady(30_000);
    const pid = await waitFor("the container's process", 5_000, async () => {
      // The forwarder is the netns's first process whose child has chrooted.
      for (
        const p of (await runOk("ip", ["netns", "pids", pod.netns])).trim().split("\n").map(Number)
      ) {
        const c = await containerPid(p, launch);
        if (c !== undefined) return c;
      }
      return undefined;
    });
    // The host's view of the process: the pod's user, no privileges.
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    assert.match(status, /^Uid:\t65534\t65534\t65534\t65534$/m);
    assert.match(status, /^Groups:\t2000 ?$/m);
    assert.match(status, /^NoNewPrivs:\t1$/m);
    assert.match(status, /^CapEff:\t0+$/m);
    // The container's mounts are its own: the host sees none of them.
    assert.ok(!readFileSync("/proc/self/mountinfo", "utf8").includes(launch.rootDir));

    const inside = async (script: string) => {
      const { cmd, args } = execCommand(pid, launch, ["/usr/bin/sh", "-c", script]);
      return await run(cmd, args, { timeoutMs: 10_000 });
    };
    // Exactly its env, as the process got it and as an exec probe gets it.
    assert.equal(readFileSync(`/proc/${pid}/environ`, "utf8"), "A=1\0B=two words\0");
    const env = execCommand(pid, launch, ["/usr/bin/env"]);
    assert.deepEqual(await run(env.cmd, env.args), {
      code: 0,
      stdout: "A=1\nB=two words\n",
      stderr: "",
    });
    assert.equal(
      (await inside("id -u; id -G; pwd; hostname; ls /bin")).stdout,
      "65534\n65534 2000\n/data\npod-c\nnode_exporter\n",
    );
    assert.equal(
      (await inside("cat /etc/resolv.conf")).stdout,
      readFileSync(join(dir, "resolv.conf"), "utf8"),
    );
    assert.equal((await inside("cat /etc/rules/rules.yaml")).stdout, "groups: []\n");
    // Its /proc shows its own processes: node_exporter is PID 1.
    assert.equal(
      (await inside("tr '\\0' ' ' </proc/1/cmdline")).stdout,
      `/bin/node_exporter --web.listen-address=${ip}:9100 `,
    );
    for (const path of ["/x", "/etc/config/y", "/etc/rules/rules.yaml", "/bin/node_exporter"]) {
      const w = await inside(`echo > ${path}`);
      assert.notEqual(w.code, 0, `${path} is writable`);
      assert.match(w.stderr, /Read-only file system/, path);
    }
    assert.equal((await inside("echo written > /data/out && cat /data/out")).stdout, "written\n");
    assert.equal(statSync(join(emptyDir, "out")).uid, 65534);
    assert.ok(!existsSync(join(dir, "root", "bin")), "the root is a tmpfs the host does not see");

    await sup.stop("c", 10_000);
    assert.equal(await runOk("ip", ["netns", "pids", pod.netns]), "");

    // SIGTERM to the spawned process reaches the container through the forwarder: node_exporter
    // has no handler of its own, so Go's runtime exits 2 (a SIGKILL would be 137).
    const { cmd, args } = launchCommand(launch);
    const direct = new Deno.Command(cmd, { args, stdout: "null", stderr: "null" }).spawn();
    await waitFor(
      "node_exporter again",
      30_000,
      async () => (await curl(`http://${ip}:9100/metrics`)).code === 0 || undefined,
    );
    direct.kill("SIGTERM");
    assert.equal((await direct.status).code, 2);
    assert.equal(await runOk("ip", ["netns", "pids", pod.netns]), "");

    // A stop right after the start ends the container too, however early it comes.
    for (let i = 0; i < 3; i++) {
      await sup.start({ name: `early-${i}`, ...launchCommand(launch) });
      await sup.stop(`early-${i}`, 2_000);
      assert.equal(await runOk("ip", ["netns", "pids", pod.netns]), "", `early stop ${i}`);
    }
  } finally {
    await sup.stopAll();
    await teardownPodNetwork(CFG);
  }
  assert.deepEqual(await leftovers(), NOTHING);
});

Deno.test("cleanupStale() removes what a run killed with SIGKILL left behind", async () => {
  await preconditions();
  await cleanupStale(CFG);
  const forwardBefore = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
  const dir = freshDir("pod-crash");
  const leftoverMount = join(CFG.stateDir, "leftover");
  const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);
  // A run of the agent's plumbing, killed with SIGKILL once its container serves.
  const crashing = `
    import { createPodNetns, ensurePodNetwork } from ${module("../node/pod_network.ts")};
    import { launchCommand } from ${module("../node/container.ts")};
    import { Supervisor } from ${module("../stack/process.ts")};
    import { runOk } from ${module("../proc/run.ts")};
    const { cfg, launch, ip, logDir, mount } = JSON.parse(Deno.env.get("CRASH_INPUT"));
    await ensurePodNetwork(cfg);
    await createPodNetns(cfg, "monitoring/crash", ip);
    const sup = new Supervisor({ logDir });
    await sup.start({ name: "crash", ...launchCommand(launch) });
    // Our containers mount only in their own namespaces; this stands for a host mount a run left.
    Deno.mkdirSync(mount, { recursive: true });
    await runOk("mount", ["-t", "tmpfs", "tmpfs", mount]);
    console.log("started");
    setInterval(() => {}, 3_600_000);
  `;
  const ip = nextFreeIp(CFG.podCidr, []);
  const netns = `${CFG.prefix}-monitoring_crash`;
  const launch = nodeExporterLaunch(netns, ip, dir);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", crashing],
    env: {
      CRASH_INPUT: JSON.stringify({ cfg: CFG, launch, ip, logDir: dir, mount: leftoverMount }),
    },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = child.stdout.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "started\n");
    reader.releaseLock();
    await waitFor(
      "the crashing run's container",
      30_000,
      async () => (await curl(`http://${ip}:9100/metrics`)).code === 0 || undefined,
    );
    child.kill("SIGKILL");
    await child.status;
    await child.stdout.cancel();
    // The kernel's parent-death signals take the container down with the run.
    await waitFor(
      "the container to die with its run",
      5_000,
      async () => (await runOk("ip", ["netns", "pids", netns])) === "" || undefined,
      100,
    );
    const left = await leftovers();
    assert.deepEqual(left.netns, [netns]);
    assert.ok(left.links.includes(CFG.bridge));
    assert.deepEqual(left.tables, [`table inet ${CFG.table}`]);
    assert.deepEqual(left.mounts.filter((p) => p.startsWith(STATE)), [leftoverMount]);

    const removed = await cleanupStale(CFG);
    assert.deepEqual(removed.netns, [netns]);
    assert.equal(removed.bridge, true);
    assert.equal(removed.table, true);
    assert.deepEqual(removed.mounts, [leftoverMount]);
    assert.deepEqual(await leftovers(), NOTHING);
    assert.equal(readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim(), forwardBefore);
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await teardownPodNetwork(CFG);
  }
});
