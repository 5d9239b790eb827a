import assert from "node:assert/strict";
import { AlertmanagerApi, fetchHttp, SinkApi, ThanosQuery } from "./client.ts";
import type { CheckContext } from "./check.ts";
import { checkComponents } from "./check_components.ts";
import { checkScrapeJobs } from "./check_scrape_jobs.ts";
import { checkThanos } from "./check_thanos.ts";
import { checkAlerts } from "./check_alerts.ts";
import { checkExpressions, judgeEmpty } from "./check_expressions.ts";
import { type FakeData, FakeThanosQuery, sample } from "./fake_thanos_query.ts";
import type { TestTarget } from "./target.ts";

const R = "prometheus_replica";
const target: TestTarget = {
  mode: "cluster",
  cluster: "staging",
  namespace: "monitoring",
  replicaLabel: R,
  replicas: ["prometheus-k8s-0", "prometheus-k8s-1"],
  scrapeIntervalMs: 30_000,
  jobs: [
    { job: "node-exporter", fixed: 0, daemonsets: ["node-exporter"], notRunnable: [] },
    { job: "thanos-query", fixed: 2, daemonsets: [], notRunnable: [] },
  ],
  workloads: [
    {
      workload: "Prometheus/k8s",
      podPattern: "prometheus-k8s-[0-9]+",
      replicas: 2,
      daemonset: undefined,
      notRunnable: undefined,
    },
    {
      workload: "DaemonSet/node-exporter",
      podPattern: "node-exporter-[a-z0-9]{5}",
      replicas: undefined,
      daemonset: "node-exporter",
      notRunnable: undefined,
    },
  ],
  expressions: [{ kind: "alert", name: "Watchdog", source: "s", expr: "vector(1)" }],
  expectedEmpty: [],
  alertmanagerConfig: { route: { receiver: "null" } },
  urls: { thanosQuery: "", alertmanagers: [], sink: undefined },
};

async function withFake(
  data: FakeData,
  fn: (ctx: CheckContext, fake: FakeThanosQuery) => Promise<void>,
  overrides: Partial<TestTarget> = {},
) {
  const fake = new FakeThanosQuery(data);
  const http = fetchHttp(5_000);
  const t = { ...target, ...overrides };
  try {
    await fn({
      target: t,
      thanos: new ThanosQuery(http, fake.url),
      alertmanagers: [new AlertmanagerApi(http, fake.url)],
      sink: t.mode === "local" ? new SinkApi(http, fake.url) : undefined,
    }, fake);
  } finally {
    await fake.close();
  }
}

const DESIRED = 'kube_daemonset_status_desired_number_scheduled{namespace="monitoring"}';

Deno.test("checkComponents() on a cluster fails on a pod that is not Running and Ready", async () => {
  await withFake({
    queries: {
      'true|kube_pod_status_phase{namespace="monitoring"} == 1': {
        result: [
          sample({ pod: "prometheus-k8s-0", phase: "Running" }, "1"),
          sample({ pod: "prometheus-k8s-1", phase: "Pending" }, "1"),
          sample({ pod: "node-exporter-ab12c", phase: "Running" }, "1"),
        ],
      },
      'true|kube_pod_status_ready{namespace="monitoring", condition="true"}': {
        result: [
          sample({ pod: "prometheus-k8s-0" }, "1"),
          sample({ pod: "prometheus-k8s-1" }, "0"),
          sample({ pod: "node-exporter-ab12c" }, "0"),
        ],
      },
      [`true|${DESIRED}`]: { result: [sample({ daemonset: "node-exporter" }, "1")] },
    },
  }, async (ctx) => {
    const r = await checkComponents(ctx);
    assert.equal(r.ok, false);
    assert.deepEqual(r.details.filter((d) => d.startsWith("FAIL")), [
      "FAIL pod node-exporter-ab12c is Running but not Ready",
      "FAIL pod prometheus-k8s-1 is Pending, expected Running",
    ]);
    assert.deepEqual(r.queries, [
      'kube_pod_status_phase{namespace="monitoring"} == 1 (dedup=true)',
      'kube_pod_status_ready{namespace="monitoring", condition="true"} (dedup=true)',
      `${DESIRED} (dedup=true)`,
    ]);
  });
});

Deno.test("checkComponents() locally notes the pods of an image that cannot run, if they wait so", async () => {
  const grafana = {
    workload: "Deployment/grafana",
    podPattern: "grafana-[a-z0-9]+-[a-z0-9]{5}",
    replicas: 1,
    daemonset: undefined,
    notRunnable: "docker.io/grafana/grafana:12.0.0",
  };
  const waiting =
    'true|kube_pod_container_status_waiting_reason{namespace="monitoring", reason="ImageNotRunnable"}';
  const data = (reasons: string[]) => ({
    queries: {
      'true|kube_pod_status_phase{namespace="monitoring"} == 1': {
        result: [
          sample({ pod: "grafana-5d8f7c9b4-x2x7k", phase: "Pending" }, "1"),
          sample({ pod: "grafana-5d8f7c9b4-q9z8w", phase: "Pending" }, "1"),
        ],
      },
      'true|kube_pod_status_ready{namespace="monitoring", condition="true"}': { result: [] },
      [`true|${DESIRED}`]: { result: [] },
      [waiting]: { result: reasons.map((pod) => sample({ pod, container: "grafana" }, "1")) },
    },
  });
  await withFake(data(["grafana-5d8f7c9b4-x2x7k"]), async (ctx) => {
    const r = await checkComponents(ctx);
    assert.deepEqual(r.details, [
      "FAIL pod grafana-5d8f7c9b4-q9z8w is Pending, expected it to wait with ImageNotRunnable",
      "pod grafana-5d8f7c9b4-x2x7k waits (ImageNotRunnable): docker.io/grafana/grafana:12.0.0 cannot run here",
      "Deployment/grafana: 2/1 pods",
      '2 pods in namespace "monitoring"',
    ]);
    assert.equal(r.queries.at(-1), `${waiting.slice(5)} (dedup=true)`);
  }, { mode: "local", workloads: [grafana] });
});

Deno.test("checkScrapeJobs() compares each replica's targets with the expected table", async () => {
  await withFake({
    queries: {
      [`false|count by (job, ${R}) (up == 1)`]: {
        result: [
          sample({ job: "node-exporter", [R]: "prometheus-k8s-0" }, "3"),
          sample({ job: "node-exporter", [R]: "prometheus-k8s-1" }, "3"),
          sample({ job: "thanos-query", [R]: "prometheus-k8s-0" }, "2"),
          sample({ job: "thanos-query", [R]: "prometheus-k8s-1" }, "1"),
          sample({ job: "my-app", [R]: "prometheus-k8s-1" }, "1"),
        ],
      },
      [`true|${DESIRED}`]: { result: [sample({ daemonset: "node-exporter" }, "3")] },
    },
  }, async (ctx) => {
    const r = await checkScrapeJobs(ctx);
    assert.equal(r.ok, false);
    assert.deepEqual(r.details, [
      "node-exporter            prometheus-k8s-0: 3/3  prometheus-k8s-1: 3/3",
      "FAIL prometheus-k8s-1 has 1 thanos-query targets up, expected 2",
      "thanos-query             prometheus-k8s-0: 2/2  prometheus-k8s-1: 1/2",
      "grafana                  prometheus-k8s-0: 0/0  prometheus-k8s-1: 0/0 (not expected up: Deployment/grafana cannot run here)",
      "also scraped (targets that are not the render's pods): my-app",
    ]);
  }, {
    jobs: [
      ...target.jobs,
      { job: "grafana", fixed: 0, daemonsets: [], notRunnable: ["Deployment/grafana"] },
    ],
  });
});

const dedupQueries = {
  [`false|count by (${R}) (up)`]: {
    result: [sample({ [R]: "prometheus-k8s-0" }, "9"), sample({ [R]: "prometheus-k8s-1" }, "9")],
  },
  [`true|count by (${R}) (up)`]: { result: [sample({}, "9")] },
};

Deno.test("checkThanos() passes with a healthy sidecar per replica and working deduplication", async () => {
  await withFake({
    queries: dedupQueries,
    stores: {
      sidecar: [
        { name: "10.0.0.1:10901", lastError: null, labelSets: [{ [R]: "prometheus-k8s-0" }] },
        { name: "10.0.0.2:10901", lastError: null, labelSets: [{ [R]: "prometheus-k8s-1" }] },
      ],
    },
  }, async (ctx) => {
    const r = await checkThanos(ctx);
    assert.deepEqual(r.details, [
      "2 sidecar stores: 10.0.0.1:10901, 10.0.0.2:10901",
      "dedup=false: 2 series, one per replica",
      "dedup=true: 1 series, without the replica label",
    ]);
    assert.equal(r.ok, true);
  });
});

Deno.test("checkThanos() fails on an unhealthy store and on a partial response", async () => {
  await withFake({
    queries: {
      ...dedupQueries,
      [`false|count by (${R}) (up)`]: {
        result: [sample({ [R]: "prometheus-k8s-0" }, "9")],
        warnings: ["fetch series for 10.0.0.2:10901: connection refused"],
      },
    },
    stores: {
      sidecar: [
        { name: "10.0.0.1:10901", lastError: null, labelSets: [{ [R]: "prometheus-k8s-0" }] },
        {
          name: "10.0.0.2:10901",
          lastError: "rpc error: connection refused",
          labelSets: [{ [R]: "prometheus-k8s-1" }],
        },
      ],
    },
  }, async (ctx) => {
    const r = await checkThanos(ctx);
    assert.equal(r.ok, false);
    assert.deepEqual(r.details.filter((d) => d.startsWith("FAIL")), [
      "FAIL store 10.0.0.2:10901 (prometheus-k8s-1) is unhealthy: rpc error: connection refused",
      'FAIL no healthy sidecar store for prometheus_replica="prometheus-k8s-1"',
      "FAIL partial response for count by (prometheus_replica) (up) (dedup=false): fetch series for 10.0.0.2:10901: connection refused",
      "FAIL dedup=false: series for prometheus-k8s-0, expected one per replica: prometheus-k8s-0, prometheus-k8s-1",
    ]);
  });
});

const watchdogQueries = {
  [`false|ALERTS{alertname="Watchdog", alertstate="firing"}`]: {
    result: [sample({ [R]: "prometheus-k8s-0" }, "1"), sample({ [R]: "prometheus-k8s-1" }, "1")],
  },
  [`false|sum by (${R}) (prometheus_notifications_sent_total)`]: {
    result: [sample({ [R]: "prometheus-k8s-0" }, "4"), sample({ [R]: "prometheus-k8s-1" }, "5")],
  },
};
const watchdogAlert = {
  labels: { alertname: "Watchdog", severity: "none" },
  status: { state: "active" },
  receivers: [{ name: "watchdog" }],
};
const notification = (receivedAt: number) => ({
  receivedAt,
  receiver: "watchdog",
  payload: {
    status: "firing",
    groupKey: "k",
    alerts: [{ status: "firing", labels: watchdogAlert.labels }],
  },
});
const routing = {
  route: {
    receiver: "null",
    repeat_interval: "12h",
    routes: [{ receiver: "watchdog", matchers: ['alertname="Watchdog"'] }],
  },
};

Deno.test("checkAlerts() locally passes when the sink got the Watchdog once", async () => {
  await withFake({
    queries: watchdogQueries,
    alerts: [watchdogAlert],
    notifications: [notification(1_000)],
  }, async (ctx) => {
    const r = await checkAlerts(ctx);
    assert.deepEqual(r.details, [
      "Watchdog firing on 2 of 2 replicas",
      "Watchdog active in 1 Alertmanager(s)",
      "receiver watchdog got Watchdog exactly once per repeat interval (1 notification)",
    ]);
    assert.equal(r.ok, true);
  }, { mode: "local", alertmanagerConfig: routing });
});

Deno.test("checkAlerts() locally fails on a second notification within the repeat interval", async () => {
  await withFake({
    queries: watchdogQueries,
    alerts: [watchdogAlert],
    notifications: [notification(1_000), notification(16_000)],
  }, async (ctx) => {
    const r = await checkAlerts(ctx);
    assert.equal(r.ok, false);
    assert.deepEqual(r.details.filter((d) => d.startsWith("FAIL")), [
      "FAIL receiver watchdog got Watchdog 2 times, 15 s apart, within its repeat interval of 43200 s",
    ]);
  }, { mode: "local", alertmanagerConfig: routing });
});

Deno.test("checkAlerts() fails when the Alertmanager alert still carries the replica label", async () => {
  await withFake({
    queries: {
      ...watchdogQueries,
      "true|sum(increase(alertmanager_notifications_failed_total[1h]))": { result: [] },
    },
    alerts: [
      { ...watchdogAlert, labels: { ...watchdogAlert.labels, [R]: "prometheus-k8s-0" } },
      { ...watchdogAlert, labels: { ...watchdogAlert.labels, [R]: "prometheus-k8s-1" } },
    ],
  }, async (ctx) => {
    const r = await checkAlerts(ctx);
    assert.equal(r.ok, false);
    assert.equal(
      r.details.filter((d) => d.startsWith("FAIL")).join("\n"),
      [
        `FAIL ${ctx.alertmanagers[0]?.url} has 2 active Watchdog alerts, expected 1`,
        `FAIL ${ctx.alertmanagers[0]?.url}: Watchdog carries ${R}; replicas would notify twice`,
        `FAIL ${ctx.alertmanagers[0]?.url}: Watchdog carries ${R}; replicas would notify twice`,
      ].join("\n"),
    );
  });
});

Deno.test("checkExpressions() judges each empty expression by the selectors it reads", async () => {
  const exprs = [
    { kind: "dashboard" as const, name: "CPU", source: "dashboard n.json", expr: "rate(cpu[1m])" },
    { kind: "dashboard" as const, name: "Errors", source: "dashboard n.json", expr: "errs > 0" },
    {
      kind: "dashboard" as const,
      name: "Replicas",
      source: "dashboard ha.json",
      expr: `count by (${R}) (up)`,
      dedup: false,
    },
    { kind: "alert" as const, name: "Down", source: "r", expr: "up == 0" },
    { kind: "alert" as const, name: "PodNotReady", source: "r", expr: "kube_pod_ready == 0" },
    {
      kind: "alert" as const,
      name: "SchedulerDown",
      source: "r",
      expr: 'absent(up{job="kube-schedular"} == 1) and up == 0',
    },
    { kind: "record" as const, name: "a:b", source: "r", expr: "sum(nothing)" },
  ];
  await withFake({
    queries: {
      "true|rate(cpu[1m])": { result: [sample({}, "0.5")] },
      "true|errs > 0": { result: [] },
      [`false|count by (${R}) (up)`]: {
        result: [
          sample({ [R]: "prometheus-k8s-0" }, "9"),
          sample({ [R]: "prometheus-k8s-1" }, "9"),
        ],
      },
      "true|up == 0": { result: [] },
      "true|kube_pod_ready == 0": { result: [] },
      'true|absent(up{job="kube-schedular"} == 1) and up == 0': { result: [] },
      "true|sum(nothing)": { result: [], warnings: ["store 10.0.0.2 unavailable"] },
      "true|count(errs)": { result: [sample({}, "3")] },
      "true|count(up)": { result: [sample({}, "9")] },
      "true|count(kube_pod_ready)": { result: [] },
      'true|count(up{job="kube-schedular"})': { result: [] },
    },
  }, async (ctx) => {
    const r = await checkExpressions(ctx);
    assert.equal(r.ok, false);
    assert.deepEqual(r.details, [
      "FAIL dashboard n.json › Errors: its series exist but it returns no data\n      errs > 0",
      'FAIL alert SchedulerDown: no series for up{job="kube-schedular"}\n      ' +
      'absent(up{job="kube-schedular"} == 1) and up == 0',
      "FAIL record a:b: partial response: store 10.0.0.2 unavailable\n      sum(nothing)",
      "alert PodNotReady: empty as expected: no kube-state-metrics here",
      "1 alerts not firing, every series they read present: Down",
      "7 expressions: 2 return data, 1 alerts not firing, 1 empty as expected, 3 failed " +
      "(with data: 2/7)",
    ]);
  }, {
    expressions: exprs,
    expectedEmpty: [{ metric: "kube_.*", where: "cluster", reason: "no kube-state-metrics here" }],
  });
});

Deno.test("judgeEmpty() explains by the expression's own entry before its missing series", () => {
  const e = { kind: "alert" as const, name: "KubeContainerWaiting", source: "r", expr: "x > 0" };
  const t = {
    mode: "local" as const,
    expectedEmpty: [{
      alert: "KubeContainerWaiting",
      where: "both" as const,
      reason: "exists only while a container waits",
    }],
  };
  assert.deepEqual(judgeEmpty(t, e, [{ text: "x", name: "x" }]), {
    kind: "explained",
    reason: "exists only while a container waits",
  });
  assert.deepEqual(judgeEmpty({ ...t, expectedEmpty: [] }, e, [{ text: "x", name: "x" }]), {
    kind: "failed",
    why: "no series for x",
  });
  assert.deepEqual(judgeEmpty({ ...t, expectedEmpty: [] }, e, []), { kind: "not firing" });
  assert.deepEqual(judgeEmpty({ ...t, expectedEmpty: [] }, { ...e, kind: "record" }, []), {
    kind: "failed",
    why: "its series exist but it returns no data",
  });
});

Deno.test("checkExpressions() counts a PromQL info annotation as data, not as a partial response", async () => {
  const info = 'PromQL info: metric might not be a counter, name does not end in _total: "pgmaj"';
  await withFake({
    queries: {
      "true|rate(pgmaj[5m])": { result: [sample({}, "3")], warnings: [info] },
      "true|rate(other[5m])": {
        result: [sample({}, "3")],
        warnings: ["store s1 unavailable", info],
      },
    },
  }, async (ctx) => {
    const r = await checkExpressions(ctx);
    assert.deepEqual(r.details, [
      "FAIL record b: partial response: store s1 unavailable\n      rate(other[5m])",
      "2 expressions: 1 return data, 0 alerts not firing, 0 empty as expected, 1 failed " +
      "(with data: 1/2)",
    ]);
  }, {
    expressions: [
      { kind: "record", name: "a", source: "r", expr: "rate(pgmaj[5m])" },
      { kind: "record", name: "b", source: "r", expr: "rate(other[5m])" },
    ],
  });
});
