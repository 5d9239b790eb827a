/**
 * A pod's status as the kubelet reports it, from what the agent knows of its containers: phase,
 * the four conditions, and each container's state, readiness and restarts. Pure.
 */
export type ContainerState =
  | { waiting: { reason: string; message?: string } }
  | { running: { startedAt: string } }
  | {
    terminated: {
      exitCode: number;
      reason: string;
      message?: string;
      startedAt?: string;
      finishedAt: string;
    };
  };

export interface ContainerView {
  name: string;
  image: string;
  state: ContainerState;
  lastState?: ContainerState;
  ready: boolean;
  restartCount: number;
  /** The process, once started (`pid://1234`): what a container ID names here. */
  containerID?: string;
}

export interface PodView {
  podIP?: string;
  hostIP: string;
  startTime: string;
  restartPolicy: "Always" | "OnFailure" | "Never";
  init: ContainerView[];
  containers: ContainerView[];
  /** Every init container has completed. */
  initialized: boolean;
  /** The sandbox (network namespace and volumes) is ready. */
  sandboxReady: boolean;
}

const isRunning = (c: ContainerView) => "running" in c.state;
const exitCode = (c: ContainerView) => "terminated" in c.state ? c.state.terminated.exitCode : -1;

/** Pending, Running, Succeeded or Failed, as Kubernetes defines them. */
export function podPhase(v: PodView): "Pending" | "Running" | "Succeeded" | "Failed" {
  if (!v.initialized) {
    const failed = v.init.some((c) => exitCode(c) > 0);
    return failed && v.restartPolicy === "Never" ? "Failed" : "Pending";
  }
  if (v.containers.some(isRunning)) return "Running";
  const done = v.containers.every((c) => "terminated" in c.state);
  if (!done) {
    // Waiting to be (re)started: still Running once a container has run.
    return v.containers.some((c) => c.restartCount > 0 || c.lastState) ? "Running" : "Pending";
  }
  if (v.restartPolicy === "Always") return "Running";
  if (v.containers.every((c) => exitCode(c) === 0)) return "Succeeded";
  return v.restartPolicy === "Never" ? "Failed" : "Running";
}

function condition(type: string, ok: boolean, now: string, reason?: string) {
  return {
    type,
    status: ok ? "True" : "False",
    lastTransitionTime: now,
    ...(ok || !reason ? {} : { reason }),
  };
}

/** The status object the agent writes to the pod's /status subresource. */
export function podStatus(
  v: PodView,
  now: string,
  previous?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] },
) {
  const ready = v.initialized && v.containers.every((c) => c.ready);
  const conditions = [
    condition("PodReadyToStartContainers", v.sandboxReady, now),
    condition("Initialized", v.initialized, now, "ContainersNotInitialized"),
    condition("ContainersReady", ready, now, "ContainersNotReady"),
    condition("Ready", ready, now, "ContainersNotReady"),
    condition("PodScheduled", true, now),
  ].map((c) => {
    // A condition keeps its transition time while its status stays.
    const old = previous?.conditions?.find((p) => p.type === c.type);
    return old?.status === c.status && old.lastTransitionTime
      ? { ...c, lastTransitionTime: old.lastTransitionTime }
      : c;
  });
  const container = (c: ContainerView) => ({
    name: c.name,
    image: c.image,
    imageID: "",
    state: c.state,
    ...(c.lastState ? { lastState: c.lastState } : { lastState: {} }),
    ready: c.ready,
    started: isRunning(c),
    restartCount: c.restartCount,
    ...(c.containerID ? { containerID: c.containerID } : {}),
  });
  return {
    phase: podPhase(v),
    conditions,
    hostIP: v.hostIP,
    hostIPs: [{ ip: v.hostIP }],
    ...(v.podIP ? { podIP: v.podIP, podIPs: [{ ip: v.podIP }] } : {}),
    startTime: v.startTime,
    initContainerStatuses: v.init.map(container),
    containerStatuses: v.containers.map(container),
  };
}
