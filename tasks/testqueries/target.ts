/**
 * What test-queries expects of a stack, derived from the cluster's render: the replicas, the
 * scrape jobs and how many targets each replica should have up, the workloads whose pods must
 * run, the expressions to evaluate, the Alertmanager routing. A deployed cluster and the local
 * cluster (`deno task up`) are judged alike; the local one differs in where its URLs come from
 * (its state file), in its notification sink, and in the images it cannot run (their pods wait
 * with the reason ImageNotRunnable, and their targets cannot be up).
 */
import type { ClusterState } from "../controlplane/state.ts";
import { parseDuration } from "../model/units.ts";
import type { Versions } from "../model/versions.ts";
import { runnableImage } from "../node/images.ts";
import { type K8sObject, objectsOf, type Prometheus } from "../render/objects.ts";
import {
  dashboardExpressions,
  type Expression,
  renderedDashboards,
  ruleExpressions,
} from "./expressions.ts";
import type { ExpectedEmpty, Mode } from "./expected_empty.ts";
import { type PodTemplate, podTemplates, scrapeTargets } from "./scrape_targets.ts";
import { stackFacts } from "./stack_facts.ts";
import type { AlertmanagerConfig } from "../model/alertmanager_config.ts";

/** Targets each replica should have up for one job: a fixed number plus DaemonSets' pods. */
export interface ExpectedJob {
  job: string;
  fixed: number;
  /** DaemonSets whose pod count (known on the cluster only) adds to `fixed`. */
  daemonsets: string[];
  /** Workloads of the job whose targets cannot be up here (see ExpectedWorkload.notRunnable). */
  notRunnable: string[];
}

/** Pods a workload should have Running and Ready. */
export interface ExpectedWorkload {
  workload: string;
  /** Matches its pods' names. */
  podPattern: string;
  /** undefined for a DaemonSet: one per scheduled node. */
  replicas: number | undefined;
  daemonset: string | undefined;
  /** Local cluster only: the image of its pods that has no pinned binary to run it with. */
  notRunnable: string | undefined;
}

export interface TestTarget {
  mode: Mode;
  cluster: string;
  namespace: string;
  replicaLabel: string;
  replicas: string[];
  scrapeIntervalMs: number;
  jobs: ExpectedJob[];
  workloads: ExpectedWorkload[];
  expressions: Expression[];
  expectedEmpty: ExpectedEmpty[];
  alertmanagerConfig: AlertmanagerConfig;
  urls: { thanosQuery: string; alertmanagers: string[]; sink: string | undefined };
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Pod names of a workload: `<name>-<n>` for StatefulSet-like, hashes for the others. */
function podPattern(kind: string, name: string): string {
  const n = escapeRegex(name);
  switch (kind) {
    case "Prometheus":
      return `prometheus-${n}-[0-9]+`;
    case "Alertmanager":
      return `alertmanager-${n}-[0-9]+`;
    case "StatefulSet":
      return `${n}-[0-9]+`;
    case "DaemonSet":
      return `${n}-[a-z0-9]{5}`;
    default:
      return `${n}-[a-z0-9]+-[a-z0-9]{5}`;
  }
}

interface Where {
  mode: Mode;
  cluster: string;
  urls: TestTarget["urls"];
  expectedEmpty: ExpectedEmpty[];
  /** The image of a workload's pods that cannot run where the stack runs, if any. */
  notRunnable: (pods: PodTemplate) => string | undefined;
}

function stackTarget(objects: readonly K8sObject[], where: Where): TestTarget {
  const facts = stackFacts(objects);
  const scrapeIntervalMs = parseDuration(facts.prometheus.scrapeInterval);
  const prom = objectsOf(objects, "Prometheus")[0] as Prometheus;
  const jobs = new Map<string, ExpectedJob>();
  for (const t of scrapeTargets(objects, prom)) {
    const j = jobs.get(t.job) ?? { job: t.job, fixed: 0, daemonsets: [], notRunnable: [] };
    if (where.notRunnable(t.pods)) {
      if (!j.notRunnable.includes(t.pods.workload)) j.notRunnable.push(t.pods.workload);
    } else if (t.pods.replicas === undefined) j.daemonsets.push(t.pods.name);
    else j.fixed += t.pods.replicas;
    jobs.set(t.job, j);
  }
  const workloads = podTemplates(objects)
    .filter((p) => p.namespace === facts.namespace)
    .map((p) => ({
      workload: p.workload,
      podPattern: podPattern(p.kind, p.name),
      replicas: p.replicas,
      daemonset: p.kind === "DaemonSet" ? p.name : undefined,
      notRunnable: where.notRunnable(p),
    }));
  return {
    mode: where.mode,
    cluster: where.cluster,
    namespace: facts.namespace,
    replicaLabel: facts.prometheus.replicaLabel,
    replicas: facts.prometheus.replicaNames,
    scrapeIntervalMs,
    jobs: [...jobs.values()].sort((a, b) => (a.job < b.job ? -1 : 1)),
    workloads,
    expressions: [
      ...ruleExpressions(facts.ruleFiles),
      ...dashboardExpressions(renderedDashboards(objects), scrapeIntervalMs),
    ],
    expectedEmpty: where.expectedEmpty,
    alertmanagerConfig: facts.alertmanager.config,
    urls: where.urls,
  };
}

/** The expectations on a deployed cluster, from its render. */
export function clusterTarget(
  objects: readonly K8sObject[],
  opts: {
    cluster: string;
    thanosQueryUrl: string;
    /** Optional when only the expressions are checked. */
    alertmanagerUrl: string | undefined;
    expectedEmpty: ExpectedEmpty[];
  },
): TestTarget {
  return stackTarget(objects, {
    mode: "cluster",
    cluster: opts.cluster,
    urls: {
      thanosQuery: opts.thanosQueryUrl,
      alertmanagers: opts.alertmanagerUrl ? [opts.alertmanagerUrl] : [],
      sink: undefined,
    },
    expectedEmpty: opts.expectedEmpty,
    notRunnable: () => undefined,
  });
}

/** The expectations on the running local cluster (its state file), from the same render. */
export function localTarget(
  objects: readonly K8sObject[],
  versions: Versions,
  state: Pick<ClusterState, "cluster" | "urls">,
  expectedEmpty: ExpectedEmpty[],
): TestTarget {
  return stackTarget(objects, {
    mode: "local",
    cluster: state.cluster,
    urls: {
      thanosQuery: state.urls.thanosQuery,
      alertmanagers: state.urls.alertmanagers,
      sink: state.urls.sink,
    },
    expectedEmpty,
    // The node agent runs an image only through its pinned binary (versions.json `run`).
    notRunnable: (pods) => pods.images.find((i) => !runnableImage(versions, i)),
  });
}
