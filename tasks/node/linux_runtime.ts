/**
 * The node agent's Runtime on Linux: a network namespace per pod on the pod bridge (hostNetwork
 * pods share the node's own namespace, at the node's address), and each container launched in
 * its own mount and PID namespaces (tasks/node/container.ts).
 */
import { runOk } from "../proc/run.ts";
import { containerPid, execCommand, launchCommand } from "./container.ts";
import { nextFreeIp } from "./ipv4.ts";
import { createPodNetns, deletePodNetns, type PodNetworkConfig } from "./pod_network.ts";
import type { ContainerLaunch, PodSandbox, Runtime } from "./runtime.ts";

/** The node's own namespace, where hostNetwork pods run. */
export const NODE_SANDBOX = "node";

export function linuxRuntime(cfg: PodNetworkConfig, nodeIP: string): Runtime {
  const inUse = new Map<string, string>();
  let node: Promise<PodSandbox> | undefined;
  /** Low ports may be bound by any user of the pod, as container runtimes set it up. */
  const lowPorts = (netns: string) =>
    runOk("ip", ["netns", "exec", netns, "sysctl", "-qw", "net.ipv4.ip_unprivileged_port_start=0"]);
  const nodeSandbox = () =>
    node ??= (async () => {
      const ns = await createPodNetns(cfg, NODE_SANDBOX, nodeIP);
      await lowPorts(ns.netns);
      return { netns: ns.netns, ip: nodeIP };
    })();
  return {
    async createSandbox(podKey, hostNetwork) {
      if (hostNetwork) return await nodeSandbox();
      await nodeSandbox();
      const ip = nextFreeIp(cfg.podCidr, [nodeIP, ...inUse.values()]);
      inUse.set(podKey, ip);
      try {
        const ns = await createPodNetns(cfg, podKey, ip);
        await lowPorts(ns.netns);
        return { netns: ns.netns, ip };
      } catch (e) {
        inUse.delete(podKey);
        throw e;
      }
    },
    async removeSandbox(sandbox, hostNetwork) {
      if (hostNetwork) return;
      const key = [...inUse].find(([, ip]) => ip === sandbox.ip)?.[0];
      if (key === undefined) return;
      await deletePodNetns(cfg, key);
      inUse.delete(key);
    },
    launchCommand: (launch: ContainerLaunch) => launchCommand(launch),
    async execCommand(pid, launch, argv) {
      const inside = await containerPid(pid, launch);
      if (inside === undefined) throw new Error("the container is not running");
      return execCommand(inside, launch, argv);
    },
  };
}
