/**
 * The pod network of the node agent: a host bridge that exists only on this machine, one network
 * namespace per pod plugged into it by a veth pair, and an nftables table of our own that keeps
 * every packet of the pod and Service ranges on the machine. Command texts are built by pure
 * functions; `ip` and `nft` run at the edges, through tasks/proc/run.ts.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { run, runOk } from "../proc/run.ts";
import { gatewayOf, parseCidr } from "./ipv4.ts";

export interface PodNetworkConfig {
  /** The host bridge every pod is plugged into. */
  bridge: string;
  /** Starts the name of every netns (`<prefix>-…`) and host veth (`<prefix><8 hex>`) we make. */
  prefix: string;
  /** Our own nftables table, family inet. */
  table: string;
  /** Pod addresses; the first host address is the gateway, on the bridge. */
  podCidr: string;
  /** Service addresses: routed from pods to the gateway, where kube-proxy translates them. */
  serviceCidr: string;
  /** Holds the containers' root folders; mounts left under it are swept. */
  stateDir: string;
}

/** The node's pod network: 198.18.0.0/15 is reserved for network tests (RFC 2544). */
export const DEFAULT_POD_NETWORK: Readonly<PodNetworkConfig> = {
  bridge: "hamon0",
  prefix: "hamon",
  table: "hamon",
  podCidr: "198.18.0.0/16",
  serviceCidr: "198.19.0.0/16",
  // A tmpfs: cleared at boot, like the namespaces, links and sysctls it describes.
  stateDir: "/run/hamon",
};

/**
 * The interface group of every bridge and host veth of a pod network on this machine, of this
 * run or of another (a test's). The firewall lets pod and Service addresses out only through
 * these links and loopback, so two networks on one machine do not drop each other's traffic.
 */
export const POD_LINK_GROUP = 26721;

/** Checks names and ranges before anything is created; throws naming the field. */
export function checkPodNetworkConfig(cfg: PodNetworkConfig): void {
  const fail = (field: keyof PodNetworkConfig, why: string) => {
    throw new Error(`pod network ${field} ${JSON.stringify(cfg[field])}: ${why}`);
  };
  // A veth name is the prefix and 8 hex digits, within the kernel's 15 characters.
  if (!/^[a-z][a-z0-9]{0,6}$/.test(cfg.prefix)) fail("prefix", "must be 1-7 of [a-z0-9]");
  if (!/^[a-z][a-z0-9-]{0,14}$/.test(cfg.bridge)) fail("bridge", "must be 1-15 of [a-z0-9-]");
  if (new RegExp(`^${cfg.prefix}[0-9a-f]{8}$`).test(cfg.bridge)) {
    fail("bridge", "looks like one of our veth names");
  }
  if (!/^[a-z][a-z0-9_]{0,31}$/.test(cfg.table)) fail("table", "must be 1-32 of [a-z0-9_]");
  for (const field of ["podCidr", "serviceCidr"] as const) {
    try {
      parseCidr(cfg[field]);
    } catch (e) {
      fail(field, (e as Error).message);
    }
  }
  if (parseCidr(cfg.podCidr).prefixLength > 30) fail("podCidr", "is too small");
  if (!cfg.stateDir.startsWith("/")) fail("stateDir", "must be an absolute path");
}

function hash8(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 8);
}

/** The pod's netns: `<prefix>-<namespace>_<name>`, hashed when long; `/run/netns/<name>`. */
export function netnsName(cfg: PodNetworkConfig, podKey: string): string {
  const readable = podKey.replace(/[^a-z0-9.-]/g, "_");
  const name = `${cfg.prefix}-${readable}`;
  return name.length <= 64 ? name : `${name.slice(0, 55)}-${hash8(podKey)}`;
}

/** The host end of the pod's veth pair: `<prefix><8 hex>`, at most 15 characters. */
export function vethName(cfg: PodNetworkConfig, podKey: string): string {
  return `${cfg.prefix}${hash8(podKey)}`;
}

function isOurVeth(cfg: PodNetworkConfig, ifname: string): boolean {
  return new RegExp(`^${cfg.prefix}[0-9a-f]{8}$`).test(ifname);
}

function isOurNetns(cfg: PodNetworkConfig, name: string): boolean {
  return name.startsWith(`${cfg.prefix}-`);
}

/** A fixed, locally administered MAC, so the bridge's address never follows its ports'. */
export function bridgeMac(bridge: string): string {
  const h = hash8(`bridge:${bridge}`) + hash8(`mac:${bridge}`);
  return ["02", h.slice(0, 2), h.slice(2, 4), h.slice(4, 6), h.slice(6, 8), h.slice(8, 10)]
    .join(":");
}

function prefixLength(cidr: string): number {
  return parseCidr(cidr).prefixLength;
}

/**
 * Our nftables table, written so that loading it again keeps the exposed host ports (set
 * elements) and replaces every rule. Nothing with a pod or Service address may leave through an
 * interface other than the bridge and loopback; pods reach the host only on exposed ports.
 */
export function nftRuleset(cfg: PodNetworkConfig): string {
  const t = `inet ${cfg.table}`;
  const br = JSON.stringify(cfg.bridge);
  const gw = gatewayOf(cfg.podCidr);
  const ours = `{ ${cfg.podCidr}, ${cfg.serviceCidr} }`;
  return [
    `table ${t} {`,
    "  set host_tcp_ports { type inet_service; }",
    "  set host_udp_ports { type inet_service; }",
    "  chain prerouting { type nat hook prerouting priority dstnat - 10; policy accept; }",
    "  chain input { type filter hook input priority filter - 10; policy accept; }",
    "  chain forward { type filter hook forward priority filter - 10; policy accept; }",
    "  chain postrouting { type filter hook postrouting priority filter - 10; policy accept; }",
    "}",
    `flush chain ${t} prerouting`,
    `flush chain ${t} input`,
    `flush chain ${t} forward`,
    `flush chain ${t} postrouting`,
    // The gateway's exposed ports lead to the host's loopback (with route_localnet on the bridge).
    `add rule ${t} prerouting iifname ${br} ip daddr ${gw} tcp dport @host_tcp_ports dnat ip to 127.0.0.1`,
    `add rule ${t} prerouting iifname ${br} ip daddr ${gw} udp dport @host_udp_ports dnat ip to 127.0.0.1`,
    // From pods to the host: replies, exposed ports (translated above), ICMP; nothing else, so
    // route_localnet cannot be used to reach other services on 127.0.0.1.
    `add rule ${t} input iifname ${br} ct state established,related accept`,
    `add rule ${t} input iifname ${br} ct status dnat accept`,
    `add rule ${t} input iifname ${br} meta l4proto { icmp, ipv6-icmp } accept`,
    `add rule ${t} input iifname ${br} counter reject with icmpx type admin-prohibited`,
    // Routed traffic: only from the bridge back onto it (pod to pod, pod to Service to pod);
    // our addresses neither come in nor go out through a link that is not a pod network's.
    `add rule ${t} forward iifname ${br} oifname ${br} accept`,
    `add rule ${t} forward iifname ${br} counter drop`,
    `add rule ${t} forward oifname ${br} counter drop`,
    `add rule ${t} forward iifgroup != ${POD_LINK_GROUP} ip daddr ${ours} counter drop`,
    `add rule ${t} forward oifgroup != ${POD_LINK_GROUP} ip saddr ${ours} counter drop`,
    // The last word, forwarded or local: our addresses never leave through another interface.
    `add rule ${t} postrouting oifname != "lo" oifgroup != ${POD_LINK_GROUP} ip saddr ${ours} counter drop`,
    `add rule ${t} postrouting oifname != "lo" oifgroup != ${POD_LINK_GROUP} ip daddr ${ours} counter drop`,
    "",
  ].join("\n");
}

/** The sysctls the pod network needs, by name; the global ones are restored on teardown. */
export function podNetworkSysctls(cfg: PodNetworkConfig): Record<string, string> {
  return {
    // Service traffic: pod → Service IP → kube-proxy's DNAT → routed back onto the bridge.
    "net.ipv4.ip_forward": "1",
    // Bridged replies of translated connections must meet conntrack to be translated back.
    "net.bridge.bridge-nf-call-iptables": "1",
    // Lets the gateway's exposed ports be translated to 127.0.0.1.
    [`net.ipv4.conf.${cfg.bridge}.route_localnet`]: "1",
  };
}

/** Sysctls that outlive the bridge, whose previous values we record and restore. */
function globalSysctls(cfg: PodNetworkConfig): string[] {
  return Object.keys(podNetworkSysctls(cfg)).filter((k) => !k.includes(`.${cfg.bridge}.`));
}

function sysctlPath(name: string): string {
  return `/proc/sys/${name.replaceAll(".", "/")}`;
}

/**
 * The machine's sysctls before the first pod network came up: one record for every network on
 * the machine (a run's, a test's), written by the first and restored by the teardown that leaves
 * none, whatever the order in which they come and go. On a tmpfs, like the sysctls themselves.
 */
export const SYSCTL_RECORD = "/run/pod-network-sysctl-before.json";

/** Whether a bridge or veth of any pod network is still on the machine. */
async function anyPodLinkLeft(): Promise<boolean> {
  // Not -j: iproute2 6.1 prints an empty object for each link the group filter leaves out.
  const out = await runOk("ip", ["-o", "link", "show", "group", String(POD_LINK_GROUP)]);
  return out.trim() !== "";
}

/** `ip -batch` lines that plug a pod's netns into the bridge (run on the host). */
export function hostSideCommands(cfg: PodNetworkConfig, podKey: string): string[] {
  const ns = netnsName(cfg, podKey);
  const veth = vethName(cfg, podKey);
  return [
    `netns add ${ns}`,
    `link add ${veth} type veth peer name eth0 netns ${ns}`,
    // Hairpin: a pod reaching itself through its Service comes back through its own port.
    `link set ${veth} group ${POD_LINK_GROUP}`,
    `link set ${veth} master ${cfg.bridge}`,
    `link set ${veth} type bridge_slave hairpin on`,
    `link set ${veth} up`,
  ];
}

/**
 * `ip -batch` lines run inside the pod's netns: its address, and a route for Services only. No
 * default route: an address off the machine is unreachable from the pod before any packet leaves.
 */
export function podSideCommands(cfg: PodNetworkConfig, ip: string): string[] {
  return [
    "link set lo up",
    `addr add ${ip}/${prefixLength(cfg.podCidr)} dev eth0`,
    "link set eth0 up",
    `route add ${cfg.serviceCidr} via ${gatewayOf(cfg.podCidr)} dev eth0`,
  ];
}

async function linkExists(name: string): Promise<boolean> {
  return (await run("ip", ["-j", "link", "show", "dev", name])).code === 0;
}

/** Reads a sysctl, or undefined when the kernel has no such setting. */
function readSysctl(name: string): string | undefined {
  const path = sysctlPath(name);
  return existsSync(path) ? readFileSync(path, "utf8").trim() : undefined;
}

function writeSysctl(name: string, value: string): void {
  const path = sysctlPath(name);
  if (!existsSync(path)) {
    throw new Error(
      `sysctl ${name} does not exist on this kernel` +
        (name.startsWith("net.bridge.")
          ? " (load the br_netfilter module: modprobe br_netfilter)"
          : ""),
    );
  }
  writeFileSync(path, `${value}\n`);
}

/**
 * Creates the bridge with the gateway address, sets the sysctls (recording the machine's values
 * first, see SYSCTL_RECORD) and loads our nftables table. Idempotent.
 */
export async function ensurePodNetwork(cfg: PodNetworkConfig): Promise<void> {
  checkPodNetworkConfig(cfg);
  mkdirSync(cfg.stateDir, { recursive: true });
  const record = SYSCTL_RECORD;
  if (!existsSync(record)) {
    const before: Record<string, string> = {};
    for (const name of globalSysctls(cfg)) {
      const v = readSysctl(name);
      if (v !== undefined) before[name] = v;
    }
    writeFileSync(record, JSON.stringify(before, null, 2) + "\n");
  }
  if (!(await linkExists(cfg.bridge))) {
    await runOk("ip", [
      "link",
      "add",
      cfg.bridge,
      "address",
      bridgeMac(cfg.bridge),
      "type",
      "bridge",
    ]);
  }
  const gw = gatewayOf(cfg.podCidr);
  await runOk("ip", ["-batch", "-"], {
    stdin: [
      `link set ${cfg.bridge} group ${POD_LINK_GROUP}`,
      `addr replace ${gw}/${prefixLength(cfg.podCidr)} dev ${cfg.bridge}`,
      `link set ${cfg.bridge} up`,
      // The host reaches Services from the gateway address, so pods can answer it.
      `route replace ${cfg.serviceCidr} dev ${cfg.bridge} src ${gw}`,
      "",
    ].join("\n"),
  });
  for (const [name, value] of Object.entries(podNetworkSysctls(cfg))) writeSysctl(name, value);
  await runOk("nft", ["-f", "-"], { stdin: nftRuleset(cfg) });
}

/**
 * Makes `<gateway>:<port>` (as pods see the host) reach `127.0.0.1:<port>` on the host, through
 * the DNAT rule of our table. Idempotent.
 */
export async function exposeHostPort(
  cfg: PodNetworkConfig,
  port: number,
  protocol: "tcp" | "udp" = "tcp",
): Promise<void> {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`exposeHostPort: port ${port} is not a TCP/UDP port`);
  }
  await runOk("nft", [
    "add",
    "element",
    "inet",
    cfg.table,
    `host_${protocol}_ports`,
    `{ ${port} }`,
  ]);
}

export interface PodNetns {
  netns: string;
  hostVeth: string;
  ip: string;
}

/** Creates the pod's netns with `eth0` at `ip` on the bridge. Half-made state is undone on error. */
export async function createPodNetns(
  cfg: PodNetworkConfig,
  podKey: string,
  ip: string,
): Promise<PodNetns> {
  const pod: PodNetns = { netns: netnsName(cfg, podKey), hostVeth: vethName(cfg, podKey), ip };
  try {
    await runOk("ip", ["-batch", "-"], { stdin: hostSideCommands(cfg, podKey).join("\n") + "\n" });
    await runOk("ip", ["-netns", pod.netns, "-batch", "-"], {
      stdin: podSideCommands(cfg, ip).join("\n") + "\n",
    });
  } catch (e) {
    await removeNetns(pod.netns, pod.hostVeth);
    throw new Error(`creating the network namespace of pod ${podKey}: ${(e as Error).message}`);
  }
  return pod;
}

/** Kills what still runs in the pod's netns, then deletes its veth pair and the netns. */
export async function deletePodNetns(cfg: PodNetworkConfig, podKey: string): Promise<void> {
  await removeNetns(netnsName(cfg, podKey), vethName(cfg, podKey));
}

async function netnsPids(netns: string): Promise<number[]> {
  const r = await run("ip", ["netns", "pids", netns]);
  return r.code === 0 ? r.stdout.split("\n").filter((l) => /^\d+$/.test(l)).map(Number) : [];
}

/** SIGKILLs every process in the netns, until none is left (a second or so at most). */
async function killAllIn(netns: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const pids = await netnsPids(netns);
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch { /* already gone */ }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`processes still run in network namespace ${netns} after SIGKILL`);
}

async function removeNetns(netns: string, hostVeth: string | undefined): Promise<void> {
  // A process left in the netns would keep it, and the pod's eth0, alive after `netns del`.
  await killAllIn(netns);
  // Deleting the host end removes the pair at once; the netns alone would go asynchronously.
  if (hostVeth && await linkExists(hostVeth)) await runOk("ip", ["link", "del", hostVeth]);
  if (existsSync(`/run/netns/${netns}`)) await runOk("ip", ["netns", "del", netns]);
}

/** What a teardown removed, for the agent's log. */
export interface Removed {
  netns: string[];
  veths: string[];
  bridge: boolean;
  table: boolean;
  mounts: string[];
  sysctls: Record<string, string>;
}

/** Mount points at or under `dir`, deepest first, from /proc/self/mountinfo's text. */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const unescape = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8)));
  const base = dir.replace(/\/+$/, "");
  return mountinfo.split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined)
    .map(unescape)
    .filter((p) => p === base || p.startsWith(`${base}/`))
    .sort((a, b) => b.split("/").length - a.split("/").length || b.localeCompare(a));
}

/**
 * Removes everything of ours: processes in our netns, the netns, our veths, the bridge, the
 * nftables table, mounts under the state dir; and restores the recorded sysctls when no pod
 * network is left on the machine. Safe to run when nothing is there.
 */
export async function teardownPodNetwork(cfg: PodNetworkConfig): Promise<Removed> {
  checkPodNetworkConfig(cfg);
  const removed: Removed = {
    netns: [],
    veths: [],
    bridge: false,
    table: false,
    mounts: [],
    sysctls: {},
  };
  const listed = await runOk("ip", ["-j", "netns", "list"]);
  const names = (listed.trim() ? JSON.parse(listed) as { name: string }[] : []).map((n) => n.name);
  const ours = names.filter((n) => isOurNetns(cfg, n));
  for (const name of ours) await killAllIn(name);
  // Veths before namespaces: deleting a netns removes its pair only later, asynchronously.
  const links = JSON.parse(await runOk("ip", ["-j", "link", "show", "type", "veth"]) || "[]") as {
    ifname: string;
  }[];
  for (const { ifname } of links.filter((l) => isOurVeth(cfg, l.ifname))) {
    await runOk("ip", ["link", "del", ifname]);
    removed.veths.push(ifname);
  }
  for (const name of ours) {
    await removeNetns(name, undefined);
    removed.netns.push(name);
  }
  if (await linkExists(cfg.bridge)) {
    await runOk("ip", ["link", "del", cfg.bridge]);
    removed.bridge = true;
  }
  if ((await run("nft", ["list", "table", "inet", cfg.table])).code === 0) {
    await runOk("nft", ["delete", "table", "inet", cfg.table]);
    removed.table = true;
  }
  for (const path of mountsUnder(readFileSync("/proc/self/mountinfo", "utf8"), cfg.stateDir)) {
    await runOk("umount", ["-l", path]);
    removed.mounts.push(path);
  }
  const record = SYSCTL_RECORD;
  if (existsSync(record) && !(await anyPodLinkLeft())) {
    const before = JSON.parse(readFileSync(record, "utf8")) as Record<string, string>;
    for (const [name, value] of Object.entries(before)) {
      if (readSysctl(name) !== undefined) writeSysctl(name, value);
      removed.sysctls[name] = value;
    }
    rmSync(record);
  }
  return removed;
}

/**
 * At the start of a run: removes what a previous run killed with SIGKILL left behind (the same
 * sweep as teardown, since everything of ours is recognisable by its name).
 */
export function cleanupStale(cfg: PodNetworkConfig): Promise<Removed> {
  return teardownPodNetwork(cfg);
}
