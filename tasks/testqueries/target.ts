/**
 * What test-queries expects of a stack, derived from the cluster's render: the replicas, the
 * scrape jobs and how many targets each replica should have up, the workloads whose pods must
 * run, the expressions to evaluate, the Alertmanager routing. For the local stack, the targets
 * are the local processes that `up` started (its state file).
 */
import { parseDuration } from "../model/cluster.ts";
import type { K8sObject } from "../render/kustomize.ts";
import type { Versions } from "../model/versions.ts";
import { readStack } from "../stack/config.ts";
import { podTemplates, scrapeTargets } from "../stack/jobs.ts";
import type { StackState } from "../stack/up.ts";
import {
  dashboardExpressions,
  type Expression,
  renderedDashboards,
  ruleExpressions,
} from "./expressions.ts";
import type { ExpectedEmpty, Mode } from "./expected_empty.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** Targets each replica should have up for one job: a fixed number plus DaemonSets' pods. */
export interface ExpectedJob {
  job: string;
  fixed: number;
  /** DaemonSets whose pod count (known on the cluster only) adds to `fixed`. */
  daemonsets: string[];
}

/** Pods a workload should have Running and Ready on a cluster. */
export interface ExpectedWorkload {
  workload: string;
  /** Matches its pods' names. */
  podPattern: string;
  /** undefined for a DaemonSet: one per scheduled node. */
  replicas: number | undefined;
  daemonset: string | undefined;
}

export interface TestTarget {
  mode: Mode;
  cluster: string;
  namespace: string;
  replicaLabel: string;
  replicas: string[];
  scrapeIntervalMs: number;
  jobs: ExpectedJob[];
  /** local only: every target each replica scrapes. */
  localTargets: { job: string; instance: string }[];
  /** cluster only. */
  workloads: ExpectedWorkload[];
  expressions: Expression[];
  expectedEmpty: ExpectedEmpty[];
  alertmanagerConfig: Json;
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

function common(objects: readonly K8sObject[], versions: Versions) {
  const stack = readStack(objects, versions);
  const scrapeIntervalMs = parseDuration(stack.prometheus.scrapeInterval);
  return {
    stack,
    scrapeIntervalMs,
    expressions: [
      ...ruleExpressions(stack.ruleFiles),
      ...dashboardExpressions(renderedDashboards(objects), scrapeIntervalMs),
    ],
  };
}

/** The expectations on a deployed cluster, from its render. */
export function clusterTarget(
  objects: readonly K8sObject[],
  versions: Versions,
  opts: {
    cluster: string;
    thanosQueryUrl: string;
    /** Optional when only the expressions are checked. */
    alertmanagerUrl: string | undefined;
    expectedEmpty: ExpectedEmpty[];
  },
): TestTarget {
  const { stack, scrapeIntervalMs, expressions } = common(objects, versions);
  const prom = objects.find((o) => o.kind === "Prometheus") as K8sObject;
  const jobs = new Map<string, ExpectedJob>();
  for (const t of scrapeTargets(objects, prom)) {
    const j = jobs.get(t.job) ?? { job: t.job, fixed: 0, daemonsets: [] };
    if (t.pods.replicas === undefined) j.daemonsets.push(t.pods.name);
    else j.fixed += t.pods.replicas;
    jobs.set(t.job, j);
  }
  const workloads = podTemplates(objects)
    .filter((p) => p.namespace === stack.namespace)
    .map((p) => ({
      workload: p.workload,
      podPattern: podPattern(p.kind, p.name),
      replicas: p.replicas,
      daemonset: p.kind === "DaemonSet" ? p.name : undefined,
    }));
  return {
    mode: "cluster",
    cluster: opts.cluster,
    namespace: stack.namespace,
    replicaLabel: stack.prometheus.replicaLabel,
    replicas: stack.prometheus.replicaNames,
    scrapeIntervalMs,
    jobs: [...jobs.values()].sort((a, b) => (a.job < b.job ? -1 : 1)),
    localTargets: [],
    workloads,
    expressions,
    expectedEmpty: opts.expectedEmpty,
    alertmanagerConfig: stack.alertmanager.config,
    urls: {
      thanosQuery: opts.thanosQueryUrl,
      alertmanagers: opts.alertmanagerUrl ? [opts.alertmanagerUrl] : [],
      sink: undefined,
    },
  };
}

/** The expectations on the local stack `up` started (its state file), from the same render. */
export function localTarget(
  objects: readonly K8sObject[],
  versions: Versions,
  state: StackState,
  expectedEmpty: ExpectedEmpty[],
): TestTarget {
  const { stack, scrapeIntervalMs, expressions } = common(objects, versions);
  const jobs = new Map<string, ExpectedJob>();
  for (const t of state.plan.targets) {
    const j = jobs.get(t.job) ?? { job: t.job, fixed: 0, daemonsets: [] };
    j.fixed++;
    jobs.set(t.job, j);
  }
  return {
    mode: "local",
    cluster: state.cluster,
    namespace: stack.namespace,
    replicaLabel: state.plan.replicaLabel,
    replicas: state.plan.replicas,
    scrapeIntervalMs,
    jobs: [...jobs.values()].sort((a, b) => (a.job < b.job ? -1 : 1)),
    localTargets: state.plan.targets.map((t) => ({ job: t.job, instance: t.instance })),
    workloads: [],
    expressions,
    expectedEmpty,
    alertmanagerConfig: stack.alertmanager.config,
    urls: {
      thanosQuery: state.plan.urls.thanosQuery,
      alertmanagers: state.plan.urls.alertmanagers,
      sink: state.plan.urls.sink,
    },
  };
}
