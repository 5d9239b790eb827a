/**
 * Snapshots of a cluster's replicas, through kubectl. The admin API is turned on and off only
 * through git (`spec.config.enable_admin_api` in clusters/<name>/prometheus.yaml, generate, pull
 * request, sync): this task checks that the cluster runs it, then for each replica port-forwards,
 * calls the snapshot endpoint, `kubectl cp`s the snapshot out of the `prometheus` container,
 * removes it from the pod and verifies the copy; and says how to turn the admin API off again.
 * `planText()` prints the same steps as commands, without running anything (`--print`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run, runOk } from "../proc/run.ts";
import type { StackFacts } from "../testqueries/stack_facts.ts";
import { freePort, httpUrl } from "../stack/ports.ts";
import { httpReady, Supervisor } from "../stack/process.ts";
import { SNAPSHOT_PATH } from "./admin_api.ts";
import { refuseExisting, type ReplicaSnapshot, snapshotReplica } from "./replica.ts";

/** The operator's names in a Prometheus pod. */
export const PROMETHEUS_CONTAINER = "prometheus";
export const PROMETHEUS_DATA_DIR = "/prometheus";
export const PROMETHEUS_PORT = 9090;

export interface ClusterSnapshotTarget {
  cluster: string;
  /** The kubectl context of the cluster. */
  context: string;
  namespace: string;
  /** The Prometheus CR's name (`k8s`). */
  prometheus: string;
  /** The replicas' pods, which are also their replica label values. */
  pods: string[];
  /** Whether the committed overlay (what Argo CD or Flux applies) has the admin API on. */
  adminApiInGit: boolean;
}

/** What a cluster's committed render says about its Prometheus. */
export function clusterTarget(
  cluster: string,
  context: string,
  rendered: Pick<StackFacts, "namespace" | "prometheus">,
): ClusterSnapshotTarget {
  return {
    cluster,
    context,
    namespace: rendered.namespace,
    prometheus: rendered.prometheus.name,
    pods: rendered.prometheus.replicaNames,
    adminApiInGit: rendered.prometheus.enableAdminAPI,
  };
}

/** `kubectl --context K --namespace NS …`. */
export function kubectl(t: ClusterSnapshotTarget, ...args: string[]): string[] {
  return ["kubectl", "--context", t.context, "--namespace", t.namespace, ...args];
}

export function adminApiQuery(t: ClusterSnapshotTarget): string[] {
  return kubectl(t, "get", "prometheus", t.prometheus, "-o", "jsonpath={.spec.enableAdminAPI}");
}

export function portForward(t: ClusterSnapshotTarget, pod: string, localPort: number): string[] {
  return kubectl(
    t,
    "port-forward",
    "--address",
    "127.0.0.1",
    `pod/${pod}`,
    `${localPort}:${PROMETHEUS_PORT}`,
  );
}

export function snapshotDir(name: string): string {
  return `${PROMETHEUS_DATA_DIR}/snapshots/${name}`;
}

export function copyOut(t: ClusterSnapshotTarget, pod: string, name: string, dest: string) {
  return kubectl(t, "cp", "--container", PROMETHEUS_CONTAINER, `${pod}:${snapshotDir(name)}`, dest);
}

export function removeInPod(t: ClusterSnapshotTarget, pod: string, name: string): string[] {
  return kubectl(
    t,
    "exec",
    pod,
    "--container",
    PROMETHEUS_CONTAINER,
    "--",
    "rm",
    "-rf",
    snapshotDir(name),
  );
}

/** A shell word, quoted only when it needs to be. */
export function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function line(argv: readonly string[]): string {
  return argv.map(shellWord).join(" ");
}

/** The git side of turning the admin API on (`on`) or off. */
export function gitSteps(t: ClusterSnapshotTarget, on: boolean): string[] {
  const file = `clusters/${t.cluster}/prometheus.yaml`;
  return [
    on
      ? `Set spec.config.enable_admin_api: true in ${file}.`
      : `Remove spec.config.enable_admin_api from ${file} (the default is false) or set it to false.`,
    `Run \`deno task generate ${t.cluster}\` and \`deno task validate ${t.cluster}\`.`,
    "Open a pull request with both changes, merge it, and wait for the sync (Argo CD or Flux): " +
    "the operator restarts the replicas one at a time.",
    `Check: \`${line(adminApiQuery(t))}\` prints ${on}.`,
  ];
}

/**
 * The whole procedure as text: comments and commands a person can run (`--print`). `<name>` is
 * the snapshot's name, which each POST answers.
 */
export function planText(t: ClusterSnapshotTarget, out: string): string {
  const lines: string[] = [
    `# Prometheus snapshots of cluster ${t.cluster} (kubectl context ${t.context}, ` +
    `namespace ${t.namespace}, ${t.pods.length} replicas).`,
    "# Printed only: nothing was run. Without --print, deno task snapshot runs the kubectl steps",
    "# itself and verifies each copy.",
    "",
    "# 1. The admin API on, through git:",
    ...(t.adminApiInGit
      ? [
        `#    clusters/${t.cluster}/prometheus.yaml already sets spec.config.enable_admin_api: ` +
        "true; check that the cluster runs it (prints true):",
      ]
      : gitSteps(t, true).map((s) => `#    - ${s}`)),
    line(adminApiQuery(t)),
  ];
  t.pods.forEach((pod, i) => {
    const dest = join(out, pod);
    lines.push(
      "",
      `# ${i + 2}. ${pod}: forward a local port, take the snapshot (the answer names it),`,
      "#    copy it out of the prometheus container, remove it from the pod, check the copy.",
      `${line(portForward(t, pod, PROMETHEUS_PORT))} &`,
      `curl -fsS -X POST http://127.0.0.1:${PROMETHEUS_PORT}${SNAPSHOT_PATH}`,
      line(copyOut(t, pod, "<name>", dest)),
      line(removeInPod(t, pod, "<name>")),
      "kill %1",
      line(["promtool", "tsdb", "list", dest]),
    );
  });
  lines.push(
    "",
    `# ${t.pods.length + 2}. The admin API off again, through git:`,
    ...gitSteps(t, false).map((s) => `#    - ${s}`),
  );
  return lines.join("\n") + "\n";
}

async function liveAdminApi(t: ClusterSnapshotTarget): Promise<string> {
  const argv = adminApiQuery(t);
  return (await runOk(argv[0] as string, argv.slice(1), { timeoutMs: 60_000 })).trim();
}

/**
 * Runs the procedure against the cluster: refuses (with the git steps) when the cluster does not
 * run the admin API, then snapshots, copies and verifies each replica in turn.
 */
export async function snapshotCluster(
  t: ClusterSnapshotTarget,
  out: string,
  progress: (line: string) => void = () => {},
  timeoutMs = 120_000,
): Promise<ReplicaSnapshot[]> {
  const live = await liveAdminApi(t);
  if (live !== "true") {
    throw new Error(
      `the Prometheus ${t.prometheus} of cluster ${t.cluster} runs without the admin API ` +
        `(spec.enableAdminAPI is ${live || "unset"}); turn it on first:\n` +
        gitSteps(t, true).map((s) => `  - ${s}`).join("\n"),
    );
  }
  refuseExisting(out, t.pods);
  const done: ReplicaSnapshot[] = [];
  for (const pod of t.pods) {
    const port = freePort();
    const argv = portForward(t, pod, port);
    const logDir = mkdtempSync(join(tmpdir(), "snapshot-port-forward-"));
    const supervisor = new Supervisor({ logDir, lifetimeMs: 4 * timeoutMs });
    supervisor.addCleanup(() => rmSync(logDir, { recursive: true, force: true }));
    try {
      progress(`${pod}: ${line(argv)}`);
      await supervisor.start({
        name: `port-forward-${pod}`,
        cmd: argv[0] as string,
        args: argv.slice(1),
        ready: httpReady(`${httpUrl(port)}/-/ready`),
      });
      await supervisor.waitReady(timeoutMs);
      done.push(
        await snapshotReplica(
          {
            replica: pod,
            url: httpUrl(port),
            async copyOut(name, dest) {
              const cp = copyOut(t, pod, name, dest);
              progress(`${pod}: ${line(cp)}`);
              await runOk(cp[0] as string, cp.slice(1), { timeoutMs: 60 * 60_000 });
              const rm = removeInPod(t, pod, name);
              const r = await run(rm[0] as string, rm.slice(1), { timeoutMs: 120_000 });
              if (r.code !== 0) {
                progress(`${pod}: could not remove ${snapshotDir(name)}: ${r.stderr}`);
              }
            },
          },
          join(out, pod),
          { minSeries: 1, timeoutMs },
        ),
      );
    } finally {
      await supervisor.stopAll();
    }
  }
  return done;
}
