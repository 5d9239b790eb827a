/**
 * `deno task bench sandbox [pods]` (as root): what the node agent's plumbing costs. The time to
 * create and delete a pod's netns, the time from spawn to a container's first byte of output
 * (with a trivial binary, and with node_exporter), and the memory each sandbox adds beyond its
 * binary: the kernel's and the forwarder's. Its own bridge, prefix, table and addresses (beside a
 * `deno task up`, like the end-to-end test); everything is removed at the end.
 */
import { command, UsageError } from "../cli/command.ts";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ROOT, toolPath } from "../model/paths.ts";
import { type ContainerLaunch, launchCommand } from "../node/container.ts";
import { nextFreeIp } from "../node/ipv4.ts";
import {
  cleanupStale,
  createPodNetns,
  deletePodNetns,
  ensurePodNetwork,
  type PodNetworkConfig,
  teardownPodNetwork,
} from "../node/pod_network.ts";

const STATE = join(ROOT, ".tmp", "bench-sandbox");
const CFG: PodNetworkConfig = {
  bridge: "hamb0",
  prefix: "hamb",
  table: "hamb",
  podCidr: "198.18.253.0/24",
  serviceCidr: "198.18.252.0/24",
  stateDir: join(STATE, "state"),
};

function ms(n: number): string {
  return `${n.toFixed(1)} ms`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function summary(xs: number[]): string {
  return `median ${ms(median(xs))}, max ${ms(Math.max(...xs))} (n=${xs.length})`;
}

function meminfoKb(field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync("/proc/meminfo", "utf8"));
  if (!m) throw new Error(`no ${field} in /proc/meminfo`);
  return Number(m[1]);
}

/** Proportional set size of a process, in kB (its share of pages it shares with others). */
function pssKb(pid: number): number {
  const m = /^Pss:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
  return m ? Number(m[1]) : NaN;
}

function launchOf(netns: string, name: string, binary: string, command: string[]): ContainerLaunch {
  return {
    netns,
    rootDir: join(STATE, name, "root"),
    binaries: [{ source: Deno.realPathSync(binary), target: `/bin/${command[0]}` }],
    mounts: [],
    files: [],
    user: { uid: 65534, gid: 65534, groups: [] },
    command: [`/bin/${command[0]}`, ...command.slice(1)],
    env: {},
    readOnlyRootFilesystem: true,
  };
}

/** Spawns a container and resolves with the milliseconds to its first byte on stdout or stderr. */
async function firstByte(
  launch: ContainerLaunch,
): Promise<{ ms: number; child: Deno.ChildProcess }> {
  const { cmd, args } = launchCommand(launch);
  const t0 = performance.now();
  const child = new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).spawn();
  const first = (s: ReadableStream<Uint8Array>) =>
    s.getReader().read().then((r) => {
      if (r.done) throw new Error(`container ${launch.command[0]} wrote nothing`);
      return performance.now() - t0;
    });
  const ms = await Promise.any([first(child.stdout), first(child.stderr)]);
  return { ms, child };
}

async function stop(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* already gone */ }
  await child.status;
}

export const benchCommand = command({
  name: "bench sandbox",
  summary: "(root) What the node agent's plumbing costs: pod netns create and delete, spawn to " +
    "a container's first output, and the memory each sandbox adds.",
  options: {},
  positionals: { usage: "[pods]", max: 1 },
  run: async ({ positionals }) => {
    const pods = Number(positionals[0] ?? 10);
    if (!(pods > 0)) {
      throw new UsageError(`expected a number of pods above 0, found ${positionals[0]}`);
    }
    if (Deno.uid() !== 0) throw new UsageError("bench sandbox needs root (namespaces, nftables)");
    await bench(pods);
    return 0;
  },
});

async function bench(pods: number): Promise<void> {
  rmSync(STATE, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });
  await cleanupStale(CFG);
  const children: Deno.ChildProcess[] = [];
  try {
    let t = performance.now();
    await ensurePodNetwork(CFG);
    const ensureMs = performance.now() - t;
    t = performance.now();
    await ensurePodNetwork(CFG);
    console.log(`ensurePodNetwork: ${ms(ensureMs)} (first), ${ms(performance.now() - t)} (again)`);

    const created: number[] = [];
    const deleted: number[] = [];
    for (let i = 0; i < pods; i++) {
      t = performance.now();
      await createPodNetns(CFG, `bench/netns-${i}`, nextFreeIp(CFG.podCidr, []));
      created.push(performance.now() - t);
      t = performance.now();
      await deletePodNetns(CFG, `bench/netns-${i}`);
      deleted.push(performance.now() - t);
    }
    console.log(`createPodNetns: ${summary(created)}`);
    console.log(`deletePodNetns: ${summary(deleted)}`);

    const used: string[] = [];
    const pod = async (key: string) => {
      const ip = nextFreeIp(CFG.podCidr, used);
      used.push(ip);
      return { ip, netns: (await createPodNetns(CFG, key, ip)).netns };
    };
    const echo: number[] = [];
    const exporter: number[] = [];
    const p = await pod("bench/first-byte");
    for (let i = 0; i < 5; i++) {
      const a = await firstByte(launchOf(p.netns, `echo-${i}`, "/usr/bin/echo", ["echo", "x"]));
      echo.push(a.ms);
      await a.child.status;
      const b = await firstByte(
        launchOf(p.netns, `exporter-${i}`, toolPath("node_exporter"), [
          "node_exporter",
          `--web.listen-address=${p.ip}:9100`,
        ]),
      );
      exporter.push(b.ms);
      await stop(b.child);
    }
    console.log(`spawn to first byte, /bin/echo: ${summary(echo)}`);
    console.log(`spawn to first byte, node_exporter: ${summary(exporter)}`);

    // Memory: N pods, each with one container that sleeps (dash, bound from the host). The
    // kernel's share is the growth of its unreclaimable memory, median of three rounds (other
    // work on the machine moves these figures too).
    const kernelKb = () =>
      ["SUnreclaim", "KernelStack", "PageTables", "Shmem", "Percpu"]
        .reduce((sum, f) => sum + meminfoKb(f), 0);
    const kernelPerPod: number[] = [];
    const forwarderPss: number[] = [];
    const sleeperPss: number[] = [];
    for (let round = 0; round < 3; round++) {
      const before = kernelKb();
      const keys: string[] = [];
      for (let i = 0; i < pods; i++) {
        const key = `bench/memory-${i}`;
        keys.push(key);
        const q = await pod(key);
        const a = await firstByte(
          launchOf(q.netns, `sleep-${i}`, "/usr/bin/sh", ["sh", "-c", "echo up; exec sleep 600"]),
        );
        children.push(a.child);
      }
      await new Promise((r) => setTimeout(r, 300));
      kernelPerPod.push((kernelKb() - before) / pods);
      for (const child of children) {
        forwarderPss.push(pssKb(child.pid));
        const kid = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, "utf8").trim();
        sleeperPss.push(pssKb(Number(kid.split(/\s+/)[0])));
      }
      await Promise.all(children.splice(0).map(stop));
      for (const key of keys) await deletePodNetns(CFG, key);
      used.splice(1);
    }
    const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const kernel = median(kernelPerPod);
    const forwarder = avg(forwarderPss);
    console.log(
      `memory per sandbox beyond its binary (${pods} pods, each a netns, a veth pair and one ` +
        `container): ${(kernel + forwarder).toFixed(0)} kB = kernel ${kernel.toFixed(0)} kB ` +
        `(median of ${kernelPerPod.map((k) => k.toFixed(0)).join(", ")}: netns, veth, mount/PID ` +
        `namespaces, the root's tmpfs) + forwarder (sh) ${forwarder.toFixed(0)} kB PSS; ` +
        `for scale, the container's own sleep is ${avg(sleeperPss).toFixed(0)} kB PSS`,
    );
  } finally {
    await Promise.all(children.map(stop));
    await teardownPodNetwork(CFG);
    rmSync(STATE, { recursive: true, force: true });
  }
}
