/**
 * What the agent needs from the machine to run a pod without a container runtime: a sandbox per
 * pod (its network namespace and address) and the command line that runs one container in it.
 * `linuxRuntime()` implements it with network and mount namespaces; tests of the agent's logic
 * can give their own.
 */
export interface PodSandbox {
  /** The network namespace's name (`ip netns`). */
  netns: string;
  /** The pod's IP. */
  ip: string;
}

import type { ContainerLaunch } from "./container.ts";
export type { ContainerLaunch };

export interface Runtime {
  /** Creates the pod's sandbox (hostNetwork pods share the node's). */
  createSandbox(podKey: string, hostNetwork: boolean): Promise<PodSandbox>;
  removeSandbox(sandbox: PodSandbox, hostNetwork: boolean): Promise<void>;
  /** The command line that runs the container (its process ends when the container does). */
  launchCommand(launch: ContainerLaunch): { cmd: string; args: string[] };
  /**
   * The command line that runs `argv` inside a running container (exec probes), given the pid
   * of the process the agent spawned.
   */
  execCommand(
    pid: number,
    launch: ContainerLaunch,
    argv: string[],
  ): Promise<{ cmd: string; args: string[] }>;
}
