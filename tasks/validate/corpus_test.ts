/**
 * The corpus: mistakes people really make in a cluster folder or in base/, each applied to a
 * copy of this repository and caught by validateRepo() at the right file, line and message; and
 * good changes that must pass with no error. Cases run a few at a time and share one result
 * cache, so a render or a tool run identical between cases is done once.
 */
import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mkdirSync } from "node:fs";
import { generate } from "../generate/main.ts";
import { ROOT } from "../model/paths.ts";
import { Pool } from "./pool.ts";
import type { Family, Reported } from "./summary.ts";
import { validateRepo } from "./validate.ts";

/** A copy of the repository under test, with helpers to make a change in it. */
class Repo {
  constructor(readonly root: string) {}

  read(path: string): string {
    return readFileSync(join(this.root, path), "utf8");
  }

  write(path: string, text: string): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    writeFileSync(join(this.root, path), text);
  }

  /** Replaces the first `from` in a file; throws when absent (a case must change something). */
  replace(path: string, from: string | RegExp, to: string): void {
    const text = this.read(path);
    const found = typeof from === "string" ? text.includes(from) : from.test(text);
    if (!found) throw new Error(`${path} has no ${from}: the case no longer applies`);
    this.write(path, text.replace(from, to));
  }

  remove(path: string): void {
    rmSync(join(this.root, path), { recursive: true });
  }

  copy(from: string, to: string): void {
    cpSync(join(this.root, from), join(this.root, to), { recursive: true });
  }

  /** 1-based line of the first line containing `needle` (after the change). */
  line(path: string, needle: string | RegExp): number {
    const lines = this.read(path).split("\n");
    const i = lines.findIndex((
      l,
    ) => (typeof needle === "string" ? l.includes(needle) : needle.test(l)));
    if (i < 0) throw new Error(`${path} has no line with ${needle}`);
    return i + 1;
  }

  /** Runs `deno task generate <names>` in the copy; throws with its errors. */
  async generate(...names: string[]): Promise<void> {
    const errors: string[] = [];
    const code = await generate({
      root: this.root,
      names,
      out: () => {},
      err: (l) => errors.push(l),
    });
    if (code !== 0) throw new Error(`generate failed: ${errors.join("\n")}`);
  }
}

interface Expected {
  family: Family;
  file: string;
  /** The line, or how to find it in the changed file. */
  line: number | string | RegExp | ((r: Repo) => number);
  message: string | RegExp;
  severity?: "error" | "warning";
  /** The clusters the finding must name, exactly. */
  clusters?: string[];
}

interface Case {
  name: string;
  /** Clusters to validate (default staging). */
  clusters?: string[];
  apply: (r: Repo) => void | Promise<void>;
  /** A bad change: the finding that must be among the results. */
  expect?: Expected;
  /** No finding of this family may name this cluster. */
  forbid?: { family: Family; cluster: string };
  /** Tool processes at once (default 2). */
  concurrency?: number;
  /** Runs without the shared result cache, so every tool step of the case runs. */
  uncached?: true;
}

const bad: Case[] = [
  // ---- cluster folder
  {
    name: "a misspelt CSC key gets a did-you-mean",
    apply: (r) =>
      r.replace("clusters/staging/prometheus.yaml", "retention_time:", "retention_tme:"),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/prometheus.yaml",
      line: "retention_tme:",
      message: /^unknown key `retention_tme`; did you mean `retention_time`\? \(expected one of: /,
    },
  },
  {
    name: "metadata.name differing from the folder",
    apply: (r) => r.replace("clusters/staging/cluster.yaml", "name: staging", "name: stage"),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/cluster.yaml",
      line: "name: stage",
      message: 'expected "staging" (the folder\'s name), found "stage"',
    },
  },
  {
    name: "a key written twice",
    apply: (r) =>
      r.replace(
        "clusters/staging/alertmanager.yaml",
        "receiver: chat\n",
        "receiver: chat\n        receiver: pager\n",
      ),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/alertmanager.yaml",
      line: "receiver: pager",
      message: "duplicate key `receiver`; a key may appear once",
    },
  },
  {
    name: "a tab in the indentation",
    apply: (r) =>
      r.replace("clusters/staging/cluster.yaml", "  reconciler: argocd", "\treconciler: argocd"),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/cluster.yaml",
      line: "\treconciler: argocd",
      message: /^YAML: /,
    },
  },
  {
    name: "a retention size larger than the volume",
    apply: (r) =>
      r.replace("clusters/staging/prometheus.yaml", "retention_size: 16GB", "retention_size: 30GB"),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/prometheus.yaml",
      line: "retention_size: 30GB",
      message: /^expected at most the Prometheus volume \(spec\.storage\.prometheus\.size 20Gi/,
    },
  },
  {
    name: "one Prometheus replica without opting out of HA",
    apply: (r) =>
      r.replace(
        "clusters/staging/prometheus.yaml",
        "spec:\n",
        "spec:\n  deployment:\n    replicas: 1\n",
      ),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/prometheus.yaml",
      line: "replicas: 1",
      message: /^with one Prometheus replica there is no HA pair/,
    },
  },
  {
    name: "a retention time Prometheus cannot read",
    apply: (r) =>
      r.replace("clusters/staging/prometheus.yaml", "retention_time: 7d", "retention_time: 7days"),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/prometheus.yaml",
      line: "retention_time: 7days",
      message: /^expected a Prometheus duration such as 30s, 10d or 1h30m/,
    },
  },
  {
    name: "a CSC file with a misspelt file name",
    apply: (r) => r.copy("clusters/staging/prometheus.yaml", "clusters/staging/prometheus.yml"),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/prometheus.yml",
      line: 0,
      message: /^unexpected file in a cluster folder; did you mean `prometheus\.yaml`\?/,
    },
  },
  {
    name: "two Grafana replicas on the default sqlite database",
    apply: (r) =>
      r.write(
        "clusters/staging/grafana.yaml",
        "apiVersion: addons.metalk8s.scality.com/v1alpha1\nkind: GrafanaConfig\nspec:\n" +
          "  deployment:\n    replicas: 2\n",
      ),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/grafana.yaml",
      line: "replicas: 2",
      message: /^expected 1 Grafana replica without a shared database/,
    },
  },
  {
    name: "a new cluster deploying to another cluster's destination",
    clusters: ["staging", "qa"],
    apply: async (r) => {
      r.copy("clusters/staging", "clusters/qa");
      r.replace("clusters/qa/cluster.yaml", "name: staging", "name: qa");
      r.replace("clusters/qa/cluster.yaml", "grafana.staging", "grafana.qa");
      r.replace("clusters/qa/cluster.yaml", "thanos.staging", "thanos.qa");
      await r.generate("qa");
    },
    expect: {
      family: "cluster folder",
      file: "clusters/qa/cluster.yaml",
      line: "server: https://staging.k8s.example.com:6443",
      message: /which cluster staging deploys to too/,
    },
  },

  // ---- freshness
  {
    name: "a hand edit of an overlay",
    apply: (r) =>
      r.replace("overlays/staging/patches/prometheus-k8s.yaml", "retention: 7d", "retention: 9d"),
    expect: {
      // The value is set in the cluster's folder: that is where to change it.
      family: "freshness",
      file: "clusters/staging/prometheus.yaml",
      line: "retention_time: 7d",
      message:
        /^stale: overlays\/staging\/patches\/prometheus-k8s\.yaml:\d+ has `retention: 9d` where generate now writes `retention: 7d` from spec\.config\.retention_time here; .*run `deno task generate staging`$/,
    },
  },
  {
    name: "a line added by hand to an overlay",
    apply: (r) =>
      r.replace(
        "overlays/staging/patches/prometheus-k8s.yaml",
        "  retention: 7d\n",
        "  retention: 7d\n  walCompression: true\n",
      ),
    expect: {
      family: "freshness",
      file: "overlays/staging/patches/prometheus-k8s.yaml",
      line: "walCompression: true",
      message: /found `walCompression: true`; .*run `deno task generate staging`/,
    },
  },
  {
    name: "a cluster change committed without generate",
    apply: (r) =>
      r.replace("clusters/staging/prometheus.yaml", "retention_time: 7d", "retention_time: 8d"),
    expect: {
      family: "freshness",
      file: "clusters/staging/prometheus.yaml",
      line: "retention_time: 8d",
      message:
        /^stale: overlays\/staging\/patches\/prometheus-k8s\.yaml:\d+ has `retention: 7d` where generate now writes `retention: 8d` from spec\.config\.retention_time here/,
    },
  },
  {
    name: "an alert threshold changed without generate",
    clusters: ["production"],
    apply: (r) => r.replace("clusters/production/prometheus.yaml", "hours: 48", "hours: 12"),
    expect: {
      family: "freshness",
      file: "clusters/production/prometheus.yaml",
      line: "hours: 12",
      message:
        /^stale: overlays\/production\/rules\/node-exporter\.yaml:\d+ has `.*48.*` where generate now writes `.*12.*` from spec\.rules\.node_exporter\.\w+\.warning\.hours here/,
    },
  },
  {
    name: "an external label added without generate",
    apply: (r) =>
      r.replace(
        "clusters/staging/cluster.yaml",
        "    region: eu-west-1\n",
        "    region: eu-west-1\n    team: sre\n",
      ),
    expect: {
      family: "freshness",
      file: "clusters/staging/cluster.yaml",
      line: "team: sre",
      message:
        /^stale: overlays\/staging\/patches\/prometheus-k8s\.yaml:\d+ lacks `team: sre`, which generate now writes from spec\.externalLabels\.team here/,
    },
  },
  {
    name: "a generated file deleted",
    apply: (r) => r.remove("overlays/staging/config/grafana.ini"),
    expect: {
      family: "freshness",
      file: "overlays/staging/config/grafana.ini",
      line: 0,
      message: "expected this generated file, found it missing; run `deno task generate staging`",
    },
  },
  {
    name: "a file added by hand to an overlay",
    apply: (r) =>
      r.copy("overlays/staging/patches/grafana.yaml", "overlays/staging/patches/extra.yaml"),
    expect: {
      family: "freshness",
      file: "overlays/staging/patches/extra.yaml",
      line: 0,
      message: /^expected only files generate writes, found one it does not/,
    },
  },
  {
    name: "the overlay of a removed cluster",
    apply: (r) => r.copy("overlays/staging", "overlays/old"),
    expect: {
      family: "freshness",
      file: "overlays/old/kustomization.yaml",
      line: 0,
      message: /found overlays\/old without clusters\/old\/cluster\.yaml/,
    },
  },
  {
    name: "versions.json bumped without generate",
    apply: (r) => r.replace("versions.json", '"tag": "12.3.0"', '"tag": "12.3.1"'),
    expect: {
      family: "freshness",
      file: "overlays/staging/kustomization.yaml",
      line: "newTag: 12.3.0",
      message: /`newTag: 12\.3\.1`\), found `newTag: 12\.3\.0`/,
    },
  },

  {
    name: "a default alert's summary changed without deno task docs",
    apply: (r) =>
      r.replace(
        "base/rules/general.rules.yaml",
        "summary: The alerting pipeline works.",
        "summary: The alerting path works.",
      ),
    expect: {
      family: "freshness",
      file: "docs/alerts.md",
      line: "The alerting pipeline works.",
      message: /found `.*The alerting pipeline works\..*`; .*run `deno task docs`$/,
    },
  },

  // ---- render
  {
    name: "an overlay naming a file that does not exist",
    apply: (r) =>
      r.replace(
        "overlays/staging/kustomization.yaml",
        "  - ../../base\n",
        "  - ../../base\n  - missing.yaml\n",
      ),
    expect: {
      family: "render",
      file: "overlays/staging/kustomization.yaml",
      line: "- missing.yaml",
      message: /^expected `kustomize build overlays\/staging` to succeed, found: .*missing\.yaml/,
    },
  },
  {
    name: "a base kustomization naming a file that does not exist",
    apply: (r) =>
      r.replace(
        "base/grafana/kustomization.yaml",
        "  - service.yaml\n",
        "  - service.yaml\n  - servise.yaml\n",
      ),
    expect: {
      family: "render",
      file: "base/grafana/kustomization.yaml",
      line: "- servise.yaml",
      message: /^expected `kustomize build overlays\/staging` to succeed, found: .*servise\.yaml/,
    },
  },
  {
    name: "a base file kustomize cannot parse",
    apply: (r) =>
      r.replace("base/grafana/service.yaml", "kind: Service", "kind: Service\n  oops: [1"),
    expect: {
      family: "render",
      file: "base/grafana/service.yaml",
      line: "oops: [1",
      message:
        /^expected `kustomize build overlays\/staging` to succeed, found: .*MalformedYAMLError/,
    },
  },
  {
    name: "a resource listed twice",
    apply: (r) =>
      r.replace(
        "base/grafana/kustomization.yaml",
        "  - service.yaml\n",
        "  - service.yaml\n  - service.yaml\n",
      ),
    expect: {
      family: "render",
      file: "base/grafana/kustomization.yaml",
      line: (r) => r.line("base/grafana/kustomization.yaml", "- service.yaml") + 1,
      message:
        /^expected `kustomize build overlays\/staging` to succeed, found: .*already registered id/,
    },
  },
  {
    name: "a base change that renames the Deployment the overlay patches",
    apply: (r) =>
      r.replace(
        "base/thanos-query/deployment.yaml",
        "  name: thanos-query\n",
        "  name: thanos-querier\n",
      ),
    expect: {
      family: "render",
      file: "overlays/staging/kustomization.yaml",
      line: 1,
      message: /^expected `kustomize build overlays\/staging` to succeed, found: .*thanos-query/i,
    },
  },

  // ---- schemas (kubeconform)
  {
    name: "a misspelt field of a Deployment",
    apply: (r) =>
      r.replace(
        "base/grafana/deployment.yaml",
        /\n(\s+)containers:/,
        "\n$1terminationGracePeriodSecond: 30\n$1containers:",
      ),
    expect: {
      family: "schemas",
      file: "base/grafana/deployment.yaml",
      line: "terminationGracePeriodSecond: 30",
      message: /additional properties 'terminationGracePeriodSecond' not allowed/,
    },
  },
  {
    name: "a Service port written as a string",
    apply: (r) => r.replace("base/grafana/service.yaml", /port: (\d+)/, 'port: "$1"'),
    expect: {
      family: "schemas",
      file: "base/grafana/service.yaml",
      line: /port: "\d+"/,
      message: /expected integer, but got string|got string, want integer/,
    },
  },
  {
    name: "a misspelt field of a ServiceMonitor (CRD schema)",
    apply: (r) => r.replace("base/grafana/servicemonitor.yaml", "endpoints:", "endpoint:"),
    expect: {
      family: "schemas",
      file: "base/grafana/servicemonitor.yaml",
      line: "endpoint:",
      message: /additional properties 'endpoint' not allowed/,
    },
  },
  {
    name: "a misspelt label selector of a PodDisruptionBudget",
    apply: (r) =>
      r.replace("base/prometheus/poddisruptionbudget.yaml", "matchLabels:", "matchLabel:"),
    expect: {
      family: "schemas",
      file: "base/prometheus/poddisruptionbudget.yaml",
      line: "matchLabel:",
      message: /additional properties 'matchLabel' not allowed/,
    },
  },
  {
    name: "a kind without a schema",
    apply: (r) => {
      r.write(
        "base/grafana/vpa.yaml",
        "apiVersion: autoscaling.k8s.io/v1\nkind: VerticalPodAutoscaler\nmetadata:\n  name: grafana\n" +
          "spec:\n  targetRef: { apiVersion: apps/v1, kind: Deployment, name: grafana }\n",
      );
      r.replace(
        "base/grafana/kustomization.yaml",
        "  - service.yaml\n",
        "  - service.yaml\n  - vpa.yaml\n",
      );
    },
    expect: {
      family: "schemas",
      file: "base/grafana/vpa.yaml",
      line: "name: grafana",
      message: /no schema for autoscaling\.k8s\.io\/v1 VerticalPodAutoscaler|could not find schema/,
    },
  },

  {
    // Both renders go to one kubeconform run; each error must stay with its own cluster.
    name: "an object invalid in one cluster's overlay only",
    clusters: ["production", "staging"],
    concurrency: 1,
    uncached: true,
    apply: (r) =>
      r.replace(
        "overlays/staging/patches/alertmanager-main.yaml",
        "  replicas: 3\n",
        "  replicas: 3\n  replica: 3\n",
      ),
    expect: {
      family: "schemas",
      file: "overlays/staging/patches/alertmanager-main.yaml",
      line: "replica: 3",
      message: /additional properties 'replica' not allowed/,
      clusters: ["staging"],
    },
    forbid: { family: "schemas", cluster: "production" },
  },

  // ---- rules
  {
    name: "an extra alert without severity",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") + extraRule({ severity: null }),
      );
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      file: "clusters/staging/prometheus.yaml",
      line: "            labels:",
      message:
        "alert QueueTooLong: expected labels.severity, one of critical, warning, info, none, found none",
    },
  },
  {
    name: "an extra alert with a severity outside the documented set",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") + extraRule({ severity: "page" }),
      );
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      file: "clusters/staging/prometheus.yaml",
      line: "severity: page",
      message:
        'alert QueueTooLong: expected labels.severity to be one of critical, warning, info, none, found "page"',
    },
  },
  {
    name: "an extra alert without a description",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") + extraRule({ description: null }),
      );
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      file: "clusters/staging/prometheus.yaml",
      line: "annotations:",
      message: "alert QueueTooLong: expected a non-empty annotations.description, found none",
    },
  },
  {
    name: "an extra alert whose PromQL does not parse",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") + extraRule({ expr: "sum(queue_length > 100" }),
      );
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      file: "clusters/staging/prometheus.yaml",
      line: "alert: QueueTooLong",
      message:
        /^expected rules promtool accepts, found: could not parse expression: .*unclosed left parenthesis/,
    },
  },
  {
    name: "an extra alert naming a metric nothing exposes",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") +
          extraRule({ expr: "node_filesystem_avial_bytes < 100" }),
      );
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      severity: "warning",
      file: "clusters/staging/prometheus.yaml",
      line: "expr: node_filesystem_avial_bytes",
      message:
        /found node_filesystem_avial_bytes, which nothing exposes; did you mean node_filesystem_avail_bytes\?$/,
    },
  },
  {
    name: "an extra alert on a metric no exporter of the stack exposes",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") + extraRule({ expr: "shop_queue_length > 100" }),
      );
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      severity: "warning",
      file: "clusters/staging/prometheus.yaml",
      line: "expr: shop_queue_length",
      message: /found shop_queue_length, which nothing exposes$/,
    },
  },
  {
    name: "two recording rules recording the same series",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") +
          "  extraRules:\n    groups:\n      - name: records\n        rules:\n" +
          "          - record: job:up:sum\n            expr: sum by (job) (up)\n" +
          "          - record: job:up:sum\n            expr: sum by (job) (up)\n",
      );
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      file: "clusters/staging/prometheus.yaml",
      line: "record: job:up:sum",
      message: /duplicate rule/,
    },
  },
  {
    name: "a rule unit test whose expectation no longer holds",
    clusters: ["production"],
    apply: (r) =>
      r.replace(
        "clusters/production/rules-tests/payments.test.yaml",
        "team: payments\n              namespace",
        "team: checkout\n              namespace",
      ),
    expect: {
      family: "rules",
      file: "clusters/production/rules-tests/payments.test.yaml",
      line: "- eval_time: 10m",
      message: /alertname: PaymentsPodRestarting, time: 10m/,
    },
  },
  {
    name: "a default rule template whose expression does not parse",
    apply: async (r) => {
      r.replace("base/rules/general.rules.yaml", "expr: vector(1)", "expr: vector(1");
      await r.generate("staging");
    },
    expect: {
      family: "rules",
      file: "base/rules/general.rules.yaml",
      line: "alert: Watchdog",
      message: /could not parse expression/,
    },
  },

  // ---- routing
  {
    name: "a route to a receiver that does not exist",
    apply: async (r) => {
      r.replace("clusters/staging/alertmanager.yaml", "receiver: chat", "receiver: chatt");
      await r.generate("staging");
    },
    expect: {
      family: "routing",
      file: "clusters/staging/alertmanager.yaml",
      line: "receiver: chatt",
      message: /^expected a receiver defined in receivers \(.*\), found "chatt"$/,
    },
  },
  {
    name: "a route matcher with a doubled operator",
    apply: async (r) => {
      r.replace(
        "clusters/staging/alertmanager.yaml",
        "        receiver: chat\n",
        "        receiver: chat\n        routes:\n          - receiver: chat\n" +
          "            matchers:\n              - severity == critical\n",
      );
      await r.generate("staging");
    },
    expect: {
      family: "routing",
      file: "clusters/staging/alertmanager.yaml",
      line: "- severity == critical",
      message:
        /^expected matchers Alertmanager's strict UTF-8 parser accepts, found "severity == critical": .*which reads the value as "= critical", so the route never matches$/,
    },
  },
  {
    name: "an inhibition whose matcher value begins with an operator",
    apply: async (r) => {
      r.write(
        "clusters/staging/alertmanager.yaml",
        r.read("clusters/staging/alertmanager.yaml") +
          "      inhibit_rules:\n        - source_matchers: ['alertname = \"NodeDown\"']\n" +
          "          target_matchers: ['severity = \"=warning\"']\n          equal: [instance]\n",
      );
      await r.generate("staging");
    },
    expect: {
      family: "routing",
      file: "clusters/staging/alertmanager.yaml",
      line: "target_matchers:",
      message: /found "=warning" in .*begins with `=`.*did you mean severity = "warning"\?\)$/,
    },
  },
  {
    name: "a route test label value that begins with an operator",
    apply: (r) =>
      r.replace(
        "clusters/staging/routes-test.yaml",
        "{ alertname: NodeDown, severity: critical }",
        '{ alertname: NodeDown, severity: "=critical" }',
      ),
    expect: {
      family: "routing",
      file: "clusters/staging/routes-test.yaml",
      line: 'severity: "=critical"',
      message: /^expected the value of label severity as an alert carries it, found "=critical"/,
    },
  },
  {
    name: "a misspelt field of a receiver, refused by amtool at its line",
    apply: async (r) => {
      r.replace("clusters/staging/alertmanager.yaml", "send_resolved: true", "send_resolve: true");
      await r.generate("staging");
    },
    expect: {
      family: "routing",
      file: "clusters/staging/alertmanager.yaml",
      line: "send_resolve: true",
      message: /^expected a configuration amtool check-config accepts, found: .*send_resolve/,
    },
  },
  {
    name: "an inline Slack webhook URL",
    apply: (r) => {
      r.replace(
        "clusters/staging/alertmanager.yaml",
        /api_url_file: .*/,
        "api_url: https://hooks.slack.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXX",
      );
    },
    expect: {
      family: "cluster folder",
      file: "clusters/staging/alertmanager.yaml",
      line: "api_url: https://hooks.slack.com",
      message:
        /^expected no inline credential \(use api_url_file .*\), found api_url with an inline webhook URL$/,
    },
  },
  {
    name: "an inline PagerDuty routing key",
    clusters: ["production"],
    apply: (r) => {
      r.replace(
        "clusters/production/alertmanager.yaml",
        /routing_key_file: .*/,
        "routing_key: 0123456789abcdef0123456789abcdef",
      );
    },
    expect: {
      family: "cluster folder",
      file: "clusters/production/alertmanager.yaml",
      line: "routing_key: 0123",
      message: /found routing_key with an inline value$/,
    },
  },
  {
    name: "a webhook URL carrying a token",
    apply: (r) => {
      r.replace(
        "clusters/staging/alertmanager.yaml",
        "      receivers:\n",
        "      receivers:\n        - name: hook\n          webhook_configs:\n" +
          "            - url: https://hooks.example.com/alert?token=s3cr3t\n",
      );
    },
    expect: {
      family: "cluster folder",
      file: "clusters/staging/alertmanager.yaml",
      line: "url: https://hooks.example.com",
      message: /found url with a query parameter token$/,
    },
  },
  {
    name: "an inline Grafana admin password",
    clusters: ["production"],
    apply: (r) => {
      r.replace(
        "clusters/production/grafana.yaml",
        "      users:\n",
        "      security:\n        admin_password: hunter2\n      users:\n",
      );
    },
    expect: {
      family: "cluster folder",
      file: "clusters/production/grafana.yaml",
      line: "admin_password: hunter2",
      message: /found admin_password with an inline value$/,
    },
  },
  {
    name: "a route test expecting a receiver that does not exist",
    apply: (r) =>
      r.replace("clusters/staging/routes-test.yaml", "receivers: [chat]", "receivers: [pager]"),
    expect: {
      family: "routing",
      file: "clusters/staging/routes-test.yaml",
      line: /- name: every alert/,
      message: /found "pager"$/,
    },
  },
  {
    name: "a route test that amtool routes elsewhere",
    clusters: ["production"],
    apply: (r) =>
      r.replace(
        "clusters/production/routes-test.yaml",
        "receivers: [pager]\n  - name: the extra",
        "receivers: [chat]\n  - name: the extra",
      ),
    expect: {
      family: "routing",
      file: "clusters/production/routes-test.yaml",
      line: "- name: critical alerts page the on-call",
      message:
        /^case "critical alerts page the on-call": expected labels \{.*\} to reach chat, found pager$/,
    },
  },
  {
    name: "a misspelt key in a route test",
    apply: (r) =>
      r.replace(
        "clusters/staging/routes-test.yaml",
        "receivers: [watchdog]",
        "recievers: [watchdog]",
      ),
    expect: {
      family: "routing",
      file: "clusters/staging/routes-test.yaml",
      line: "recievers: [watchdog]",
      message: "unknown key `recievers`; expected name, labels, receivers",
    },
  },
  {
    name: "an inhibition amtool refuses",
    apply: async (r) => {
      r.replace(
        "clusters/staging/alertmanager.yaml",
        "      receivers:\n",
        "      inhibit_rules:\n        - source_matchers: ['severity = = \"critical\"']\n" +
          "          target_matchers: ['severity = \"warning\"']\n      receivers:\n",
      );
      await r.generate("staging");
    },
    expect: {
      family: "routing",
      file: "clusters/staging/alertmanager.yaml",
      line: "source_matchers: ['severity = = \"critical\"']",
      message: /^expected a configuration amtool check-config accepts, found: /,
    },
  },

  // ---- dashboards
  {
    name: "a dashboard that is not valid JSON",
    apply: (r) =>
      r.replace("base/dashboards/nodes.json", '"title": "Nodes",', '"title": "Nodes",,'),
    expect: {
      family: "dashboards",
      file: "base/dashboards/nodes.json",
      line: '"title": "Nodes",,',
      message: /^invalid JSON: /,
    },
  },
  {
    name: "two dashboards with the same uid",
    apply: (r) => {
      r.copy("base/dashboards/nodes.json", "base/dashboards/nodes-copy.json");
      r.replace("base/dashboards/nodes-copy.json", '"title": "Nodes"', '"title": "Nodes (copy)"');
    },
    expect: {
      family: "dashboards",
      file: "base/dashboards/nodes.json",
      line: '"uid": "nodes"',
      message:
        /^duplicate uid "nodes": expected a uid no other dashboard has, found it also in base\/dashboards\/nodes-copy\.json$/,
    },
  },
  {
    name: "a panel on another datasource",
    apply: (r) =>
      r.replace("base/dashboards/nodes.json", '"uid": "thanos-query"', '"uid": "prometheus"'),
    expect: {
      family: "dashboards",
      file: "base/dashboards/nodes.json",
      line: '"uid": "prometheus"',
      message: /found uid "prometheus"$/,
    },
  },
  {
    name: "PromQL in a panel that does not parse",
    apply: (r) =>
      r.replace(
        "base/dashboards/nodes.json",
        '"expr": "1 - avg by (instance) (rate(',
        '"expr": "1 - avg by (instance) ((rate(',
      ),
    expect: {
      family: "dashboards",
      file: "base/dashboards/nodes.json",
      line: '"expr": "1 - avg by (instance) ((rate(',
      message: /^expected PromQL that parses, found: /,
    },
  },
  {
    name: "a variable used but never defined",
    apply: (r) =>
      r.replace(
        "base/dashboards/nodes.json",
        'node_load1{instance=~\\"$instance\\"}',
        'node_load1{instance=~\\"$node\\"}',
      ),
    expect: {
      family: "dashboards",
      file: "base/dashboards/nodes.json",
      line: "$node",
      message: /^undefined variable \$node: /,
    },
  },
  {
    name: "a rate over a range shorter than four scrape intervals",
    apply: (r) =>
      r.replace(
        "base/dashboards/nodes.json",
        'instance=~\\"$instance\\"}[$__rate_interval]))",',
        'instance=~\\"$instance\\"}[30s]))",',
      ),
    expect: {
      family: "dashboards",
      file: "base/dashboards/nodes.json",
      line: "[30s]",
      message: /expected at least \S+ \(4 scrape intervals\) or \$__rate_interval/,
    },
  },

  {
    name: "a cluster scrape interval too slow for a dashboard's fixed range",
    apply: async (r) => {
      r.replace(
        "base/dashboards/nodes.json",
        'instance=~\\"$instance\\"}[$__rate_interval]))",',
        'instance=~\\"$instance\\"}[5m]))",',
      );
      r.replace(
        "clusters/staging/cluster.yaml",
        "  storage:\n",
        "  scrapeInterval: 2m\n  storage:\n",
      );
      await r.generate("staging");
    },
    expect: {
      family: "dashboards",
      file: "clusters/staging/cluster.yaml",
      line: "scrapeInterval: 2m",
      message:
        /^base\/dashboards\/nodes\.json:\d+: rate\(\) range \[5m\] is too short for a 2m scrape interval: .*\(this cluster's scrape interval, spec\.scrapeInterval here/,
      clusters: ["staging"],
    },
  },

  // ---- policies
  {
    name: "a writable root filesystem",
    apply: (r) =>
      r.replace(
        "base/grafana/deployment.yaml",
        "readOnlyRootFilesystem: true",
        "readOnlyRootFilesystem: false",
      ),
    expect: {
      family: "policies",
      file: "base/grafana/deployment.yaml",
      line: "readOnlyRootFilesystem: false",
      message: "expected readOnlyRootFilesystem: true, found false",
    },
  },
  {
    name: "a container without limits",
    apply: (r) =>
      r.replace(
        "base/kube-state-metrics/deployment.yaml",
        /\n\s+limits:\n(\s+(cpu|memory): \S+\n)+/,
        "\n",
      ),
    expect: {
      family: "policies",
      file: "base/kube-state-metrics/deployment.yaml",
      line: "resources:",
      message:
        "expected requests and limits for cpu and memory, found no limits.cpu, limits.memory",
    },
  },
  {
    name: "a sidecar on the latest tag",
    apply: (r) =>
      r.replace(
        "base/grafana/deployment.yaml",
        /\n(\s+)containers:\n/,
        "\n$1initContainers:\n$1  - name: init\n$1    image: busybox:latest\n$1containers:\n",
      ),
    expect: {
      family: "policies",
      file: "base/grafana/deployment.yaml",
      line: "image: busybox:latest",
      message: "expected a pinned tag, found busybox:latest",
    },
  },
  {
    name: "no PodDisruptionBudget for Prometheus",
    apply: (r) =>
      r.replace("base/prometheus/kustomization.yaml", "  - poddisruptionbudget.yaml\n", ""),
    expect: {
      family: "policies",
      file: "base/prometheus/prometheus.yaml",
      line: "name: k8s",
      message:
        /^expected a PodDisruptionBudget selecting the pods of Prometheus k8s \(.*\), found none$/,
    },
  },
  {
    name: "one Alertmanager replica without the opt-out",
    apply: (r) =>
      r.replace(
        "clusters/staging/alertmanager.yaml",
        "spec:\n",
        "spec:\n  deployment:\n    replicas: 1\n",
      ),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/alertmanager.yaml",
      line: "replicas: 1",
      message:
        /^with one Alertmanager replica there is no cluster: .* set spec\.deployment\.highAvailability: false to accept this$/,
    },
  },
  {
    name: "a sidecar Service that selects no Prometheus pod",
    apply: (r) =>
      r.replace(
        "base/prometheus/thanos-sidecar-service.yaml",
        "operator.prometheus.io/name: k8s",
        "operator.prometheus.io/name: k8",
      ),
    expect: {
      family: "policies",
      file: "base/prometheus/thanos-sidecar-service.yaml",
      line: /^ {2}selector:/,
      message: /^expected a selector matching the Prometheus pods' labels/,
    },
  },
  {
    name: "Thanos Query on the ingress without authentication",
    apply: (r) => r.replace("clusters/staging/cluster.yaml", /\n {4}thanosAuth:\n.*\n/, "\n"),
    expect: {
      family: "cluster folder",
      file: "clusters/staging/cluster.yaml",
      line: "  ingress:",
      message:
        /^Thanos Query's UI and API have no login of their own: set spec\.ingress\.thanosAuth/,
    },
  },
  {
    name: "Grafana's datasource on the wrong port",
    apply: (r) =>
      r.replace(
        "base/grafana/datasources.yaml",
        "thanos-query:10902",
        "thanos-query:9090",
      ),
    expect: {
      family: "policies",
      file: "base/grafana/datasources.yaml",
      line: "url: http://thanos-query:9090",
      message: /^expected the datasource port to be one of Service thanos-query's/,
    },
  },
  {
    name: "a Secret with data committed to the base",
    apply: (r) => {
      r.write(
        "base/grafana/admin-secret.yaml",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: grafana-admin\ndata:\n  admin-password: aHVudGVyMg==\n",
      );
      r.replace(
        "base/grafana/kustomization.yaml",
        "  - service.yaml\n",
        "  - service.yaml\n  - admin-secret.yaml\n",
      );
    },
    expect: {
      family: "policies",
      file: "base/grafana/admin-secret.yaml",
      line: /^data:/,
      message: /found data keys admin-password$/,
    },
  },
  {
    name: "host networking outside node-exporter",
    apply: (r) =>
      r.replace(
        "base/kube-state-metrics/deployment.yaml",
        /\n(\s+)containers:\n/,
        "\n$1hostNetwork: true\n$1containers:\n",
      ),
    expect: {
      family: "policies",
      file: "base/kube-state-metrics/deployment.yaml",
      line: "hostNetwork: true",
      message: /^expected no hostNetwork/,
    },
  },
];

/** An extra alert appended to a prometheus.yaml that has no extraRules yet. */
function extraRule(
  o: { severity?: string | null; description?: string | null; expr?: string },
): string {
  const labels = o.severity === null
    ? "              team: shop\n"
    : `              severity: ${o.severity ?? "warning"}\n`;
  const description = o.description === null
    ? ""
    : `              description: The queue holds {{ $value }} items.\n`;
  return "  extraRules:\n    groups:\n      - name: shop\n        rules:\n" +
    "          - alert: QueueTooLong\n" +
    `            expr: ${o.expr ?? "sum(kube_deployment_status_replicas) > 100"}\n` +
    "            for: 10m\n" +
    "            labels:\n" +
    labels +
    "            annotations:\n              summary: The shop queue is long.\n" +
    description;
}

const good: Case[] = [
  {
    name: "a new receiver with its route test",
    apply: async (r) => {
      r.replace(
        "clusters/staging/alertmanager.yaml",
        "        receiver: chat\n",
        "        receiver: chat\n        routes:\n          - receiver: pager\n" +
          '            matchers:\n              - severity = "critical"\n',
      );
      r.write(
        "clusters/staging/alertmanager.yaml",
        r.read("clusters/staging/alertmanager.yaml") +
          "        - name: pager\n          pagerduty_configs:\n" +
          "            - routing_key_file: /etc/alertmanager/secrets/alertmanager-receivers/pd\n",
      );
      r.replace("clusters/staging/routes-test.yaml", "receivers: [chat]", "receivers: [pager]");
      r.write(
        "clusters/staging/routes-test.yaml",
        r.read("clusters/staging/routes-test.yaml") +
          "  - name: warnings stay in the chat\n    labels: { alertname: X, severity: warning }\n" +
          "    receivers: [chat]\n",
      );
      await r.generate("staging");
    },
  },
  {
    name: "a new cluster copied from an example",
    clusters: ["qa"],
    apply: async (r) => {
      r.copy("clusters/staging", "clusters/qa");
      r.replace("clusters/qa/cluster.yaml", "name: staging", "name: qa");
      r.replace("clusters/qa/cluster.yaml", "staging.k8s.example.com", "qa.k8s.example.com");
      r.replace("clusters/qa/cluster.yaml", "grafana.staging", "grafana.qa");
      r.replace("clusters/qa/cluster.yaml", "thanos.staging", "thanos.qa");
      r.replace("clusters/qa/cluster.yaml", "environment: staging", "environment: qa");
      await r.generate("qa");
    },
  },
  {
    name: "a new extra alert with its unit test",
    apply: async (r) => {
      r.write(
        "clusters/staging/prometheus.yaml",
        r.read("clusters/staging/prometheus.yaml") + extraRule({}),
      );
      r.write(
        "clusters/staging/rules-tests/shop.test.yaml",
        "rule_files: [extra-rules.yaml]\nevaluation_interval: 1m\ntests:\n" +
          "  - interval: 1m\n    input_series:\n" +
          '      - series: kube_deployment_status_replicas{deployment="a"}\n        values: "150x30"\n' +
          "    alert_rule_test:\n      - eval_time: 5m\n        alertname: QueueTooLong\n        exp_alerts: []\n" +
          "      - eval_time: 15m\n        alertname: QueueTooLong\n        exp_alerts:\n" +
          "          - exp_labels: { severity: warning }\n" +
          "            exp_annotations:\n              summary: The shop queue is long.\n" +
          "              description: The queue holds 150 items.\n",
      );
      await r.generate("staging");
    },
  },
  {
    name: "a retention change",
    clusters: ["production"],
    apply: async (r) => {
      r.replace(
        "clusters/production/prometheus.yaml",
        "retention_time: 30d",
        "retention_time: 15d",
      );
      await r.generate("production");
    },
  },
  {
    name: "a threshold change",
    clusters: ["production"],
    apply: async (r) => {
      r.replace("clusters/production/prometheus.yaml", "hours: 48", "hours: 12");
      await r.generate("production");
    },
  },
  {
    name: "a faster scrape interval",
    apply: async (r) => {
      r.replace(
        "clusters/staging/cluster.yaml",
        "  storage:\n",
        "  scrapeInterval: 15s\n  storage:\n",
      );
      await r.generate("staging");
    },
  },
  {
    name: "a Grafana setting",
    apply: async (r) => {
      r.write(
        "clusters/staging/grafana.yaml",
        "apiVersion: addons.metalk8s.scality.com/v1alpha1\nkind: GrafanaConfig\nspec:\n" +
          "  config:\n    grafana.ini:\n      users:\n        default_theme: dark\n",
      );
      await r.generate("staging");
    },
  },
  {
    name: "a single Prometheus with HA explicitly given up",
    apply: async (r) => {
      r.replace(
        "clusters/staging/prometheus.yaml",
        "spec:\n",
        "spec:\n  deployment:\n    replicas: 1\n    highAvailability: false\n",
      );
      await r.generate("staging");
    },
  },
  {
    name: "an external label",
    apply: async (r) => {
      r.replace(
        "clusters/staging/cluster.yaml",
        "    region: eu-west-1\n",
        "    region: eu-west-1\n    team: sre\n",
      );
      await r.generate("staging");
    },
  },
  {
    name: "a bigger volume and retention size",
    apply: async (r) => {
      r.replace("clusters/staging/cluster.yaml", "size: 20Gi", "size: 40Gi");
      r.replace("clusters/staging/prometheus.yaml", "retention_size: 16GB", "retention_size: 34GB");
      await r.generate("staging");
    },
  },
  {
    name: "five Alertmanager replicas",
    apply: async (r) => {
      r.replace(
        "clusters/staging/alertmanager.yaml",
        "spec:\n",
        "spec:\n  deployment:\n    replicas: 5\n",
      );
      await r.generate("staging");
    },
  },
  {
    name: "a cluster without an ingress",
    apply: async (r) => {
      r.replace("clusters/staging/cluster.yaml", / {2}ingress:\n( {4}.*\n)+/, "");
      await r.generate("staging");
    },
  },
];

// ---------------------------------------------------------------------------------------------

const cacheDir = mkdtempSync(join(tmpdir(), "corpus-cache-"));
const pool = new Pool(2);

function copyRepo(): Repo {
  const root = mkdtempSync(join(tmpdir(), "corpus-"));
  for (
    const p of ["clusters", "overlays", "base", "schemas", "versions.json", "docs", "examples"]
  ) {
    if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(root, p), { recursive: true });
  }
  return new Repo(root);
}

interface Outcome {
  repo: Repo;
  findings: Reported[];
}

function runCase(c: Case): Promise<Outcome> {
  return pool.run(async () => {
    const repo = copyRepo();
    await c.apply(repo);
    const { findings } = await validateRepo(repo.root, {
      clusters: c.clusters ?? ["staging"],
      cacheDir: c.uncached ? null : cacheDir,
      concurrency: c.concurrency ?? 2,
      // The API server's family has its own cases (dry_run_test.ts): one server per case here
      // would cost seconds each.
      apiServer: false,
    });
    return { repo, findings };
  });
}

let started: Map<string, Promise<Outcome>> | undefined;
/** Every case starts at the first test; each test then waits for its own. */
function outcome(c: Case): Promise<Outcome> {
  started ??= new Map([...bad, ...good].map((x) => {
    const p = runCase(x);
    p.catch(() => {}); // reported by the case's own test
    return [x.name, p];
  }));
  return started.get(c.name) as Promise<Outcome>;
}

function show(f: Reported): string {
  return `${f.file}:${f.line}: ${f.severity} [${f.family}/${f.check}] ${f.message} ` +
    `(${f.clusters.join(", ") || "base"})`;
}

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test("the corpus has at least 40 bad changes over the eight families and 10 good ones", () => {
  const families = new Set(bad.map((c) => c.expect?.family));
  assertEquals(families.size, 8);
  ok(bad.length >= 40, `${bad.length} bad changes`);
  ok(good.length >= 10, `${good.length} good changes`);
});

for (const c of bad) {
  Deno.test({
    name: `validateRepo() catches ${c.name}`,
    ...opts,
    fn: async () => {
      const { repo, findings } = await outcome(c);
      try {
        const e = c.expect as Expected;
        const line = typeof e.line === "number"
          ? e.line
          : typeof e.line === "function"
          ? e.line(repo)
          : repo.line(e.file, e.line);
        const match = findings.find((f) =>
          f.family === e.family && f.file === e.file && f.line === line &&
          f.severity === (e.severity ?? "error") &&
          (typeof e.message === "string" ? f.message === e.message : e.message.test(f.message)) &&
          (e.clusters === undefined || f.clusters.join() === e.clusters.join())
        );
        ok(
          match,
          `expected ${e.severity ?? "error"} at ${e.file}:${line} [${e.family}] ${e.message}` +
            `${e.clusters ? ` for ${e.clusters.join(", ")}` : ""}\n` +
            `found:\n${findings.map(show).join("\n")}`,
        );
        const forbid = c.forbid;
        if (forbid) {
          const wrong = findings.filter((f) =>
            f.family === forbid.family && f.clusters.includes(forbid.cluster)
          );
          assertEquals(wrong.map(show), []);
        }
      } finally {
        rmSync(repo.root, { recursive: true, force: true });
      }
    },
  });
}

for (const c of good) {
  Deno.test({
    name: `validateRepo() passes ${c.name}`,
    ...opts,
    fn: async () => {
      const { repo, findings } = await outcome(c);
      try {
        const errors = findings.filter((f) => f.severity === "error");
        assertEquals(errors.map(show), []);
      } finally {
        rmSync(repo.root, { recursive: true, force: true });
      }
    },
  });
}

Deno.test({
  name: "corpus: remove the shared cache",
  ...opts,
  fn: () => {
    rmSync(cacheDir, { recursive: true, force: true });
  },
});
