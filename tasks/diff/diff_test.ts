/**
 * diffRepo() on real git repositories made in temporary folders (the example clusters and the
 * real base/), with the real kustomize and amtool.
 */
import assert from "node:assert/strict";
import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Change } from "./change.ts";
import type { ClusterReport } from "./cluster_report.ts";
import { diffRepo, type DiffResult } from "./diff.ts";
import { formatMarkdown, formatText, textSummary } from "./format.ts";
import { runCommand } from "../cli/command.ts";
import { diffCommand } from "./main.ts";
import { type ScratchRepo, withScratchRepo } from "./scratch_repo.ts";

const ALL = ["edge", "local", "production", "staging"];

function report(r: DiffResult, name: string): ClusterReport {
  const found = r.reports.find((x) => x.name === name);
  assert.ok(found, `no report for ${name}`);
  return found;
}

function section(r: ClusterReport, title: string): Change[] {
  return r.sections.find((s) => s.title === title)?.changes ?? [];
}

function statuses(r: DiffResult): Record<string, string> {
  return Object.fromEntries(r.reports.map((x) => [x.name, x.status]));
}

/** The 1-based line of a file of the repository that holds `text`. */
async function lineOf(repo: ScratchRepo, path: string, text: string): Promise<number> {
  const lines = (await Deno.readTextFile(join(repo.root, path))).split("\n");
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${path} has no line with ${text}`);
  return i + 1;
}

/** A feature branch off main, as a pull request has. */
async function branch(repo: ScratchRepo): Promise<void> {
  await repo.git("checkout", "-q", "-b", "change");
}

Deno.test("diffRepo() describes a threshold tuned on one cluster and the retention of another, and nothing else", async () => {
  await withScratchRepo(ALL, async (repo) => {
    await branch(repo);
    await repo.edit("clusters/staging/prometheus.yaml", (t) =>
      t + [
        "  rules:",
        "    node_exporter:",
        "      node_filesystem_space_filling_up:",
        "        warning:",
        "          threshold: 30",
        "",
      ].join("\n"));
    await repo.edit(
      "clusters/production/prometheus.yaml",
      (t) => t.replace("retention_time: 30d", "retention_time: 60d"),
    );
    await repo.commit("tune staging's space alert, keep production's samples longer");

    const r = await diffRepo(repo.root);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(statuses(r), {
      edge: "unchanged",
      local: "unchanged",
      production: "changed",
      staging: "changed",
    });
    assert.equal(r.base.ref, "main");

    const staging = report(r, "staging");
    assert.deepEqual(staging.sections.map((s) => s.title), ["Alerts and recording rules"]);
    const [alert, ...others] = section(staging, "Alerts and recording rules");
    assert.deepEqual(others, []);
    assert.equal(alert?.subject, "alert `NodeFilesystemSpaceFillingUp` (warning)");
    assert.deepEqual(alert?.details?.[0], {
      op: "~",
      label: "parameter `node_exporter.node_filesystem_space_filling_up.warning.threshold`",
      from: "40",
      to: "30",
    });
    assert.deepEqual(staging.objects.map((o) => `${o.op} ${o.id}`), [
      "~ PrometheusRule monitoring/node-exporter-rules",
    ]);

    const production = report(r, "production");
    assert.deepEqual(production.sections, [{
      title: "Settings",
      changes: [{ op: "~", subject: "Prometheus `k8s`: retention time", from: "30d", to: "60d" }],
    }]);
    assert.deepEqual(production.objects.map((o) => `${o.op} ${o.id}`), [
      "~ Prometheus monitoring/k8s",
    ]);
    assert.deepEqual(textSummary(production), [
      "  Settings",
      "    ~ Prometheus `k8s`: retention time: 30d → 60d",
      "  Objects: 1 object (1 changed), +1 −1 lines",
      "    ~ Prometheus monitoring/k8s (+1 −1)",
    ]);

    const text = formatText(r);
    assert.match(text, /\nUnchanged: edge, local$/);
    assert.doesNotMatch(text, /^(edge|local):/m);
    const md = formatMarkdown(r);
    assert.match(md, /\*\*Unchanged:\*\* `edge`, `local`/);
    assert.doesNotMatch(md, /### `(edge|local)`/);

    // The same comparison again is read from the render cache.
    const again = await diffRepo(repo.root);
    assert.deepEqual(again.renders, { cached: 4, built: 0 });
    assert.deepEqual(again.reports, r.reports);
  });
});

Deno.test("diffRepo() reports settings: replicas, storage, labels, intervals, retention size, images, resources", async () => {
  await withScratchRepo(["staging", "edge"], async (repo) => {
    await branch(repo);
    await repo.edit(
      "clusters/staging/cluster.yaml",
      (t) =>
        t.replace("    region: eu-west-1\n", "    region: eu-west-1\n    team: sre\n")
          .replace("      size: 20Gi", "      size: 40Gi") +
        "  scrapeInterval: 15s\n" +
        "  evaluationInterval: 15s\n",
    );
    await repo.edit(
      "clusters/staging/prometheus.yaml",
      (t) =>
        t.replace("retention_size: 16GB", "retention_size: 32GB") +
        "  deployment:\n    replicas: 3\n",
    );
    await repo.edit(
      "base/prometheus/prometheus.yaml",
      (t) => t.replace("      cpu: 200m\n", "      cpu: 300m\n"),
    );
    const versions = JSON.parse(await Deno.readTextFile(join(repo.root, "versions.json")));
    const grafana = versions.images.grafana;
    const oldImage = `${grafana.image}:${grafana.tag}`;
    const [major, minor, patch] = String(grafana.tag).split(".");
    grafana.tag = `${major}.${minor}.${Number(patch) + 1}`;
    const newImage = `${grafana.image}:${grafana.tag}`;
    await repo.write("versions.json", JSON.stringify(versions, null, 2) + "\n");

    const r = await diffRepo(repo.root);
    assert.deepEqual(r.findings, []);
    const lines = (name: string) =>
      section(report(r, name), "Settings").map((c) =>
        `${c.op} ${c.subject}: ${c.from ?? ""} → ${c.to ?? ""}`
      );
    assert.deepEqual(lines("staging"), [
      `~ Deployment \`grafana\`: container \`grafana\` image: ${oldImage} → ${newImage}`,
      // Grafana's datasource reads the scrape interval from its environment.
      "~ Deployment `grafana`: container `grafana` env PROMETHEUS_SCRAPE_INTERVAL: 30s → 15s",
      "~ Prometheus `k8s`: replicas: 2 → 3",
      "~ Prometheus `k8s`: retention size: 16GB → 32GB",
      "+ Prometheus `k8s`: external label `team`:  → sre",
      "~ Prometheus `k8s`: scrape interval: 30s → 15s",
      "~ Prometheus `k8s`: evaluation interval: 30s → 15s",
      "~ Prometheus `k8s`: storage size: 20Gi → 40Gi",
      "~ Prometheus `k8s`: resources requests.cpu: 200m → 300m",
    ]);
    // The base and versions.json changes reach every cluster.
    assert.deepEqual(lines("edge"), [
      `~ Deployment \`grafana\`: container \`grafana\` image: ${oldImage} → ${newImage}`,
      "~ Prometheus `k8s`: resources requests.cpu: 200m → 300m",
    ]);
  });
});

Deno.test("diffRepo() reports a cluster's heartbeat, Ingress authentication, spread, cluster domain and Grafana database", async () => {
  await withScratchRepo(["staging", "edge"], async (repo) => {
    await branch(repo);
    await repo.edit(
      "clusters/staging/cluster.yaml",
      (t) =>
        t.replace(
          "      basicAuthSecret: thanos-query-users\n",
          "      authUrl: https://auth.example.com/oauth2/auth\n" +
            "    controllerNamespace: ingress-system\n",
        ) +
        "  clusterDomain: corp.example\n" +
        "  spread:\n    topologyKey: topology.kubernetes.io/zone\n",
    );
    await repo.edit(
      "clusters/staging/alertmanager.yaml",
      (t) =>
        t.replace(
          "spec:\n",
          "spec:\n  heartbeat:\n" +
            "    urlFile: /etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url\n" +
            "    interval: 2m\n",
        ),
    );
    await repo.write(
      "clusters/staging/grafana.yaml",
      [
        "apiVersion: addons.metalk8s.scality.com/v1alpha1",
        "kind: GrafanaConfig",
        "spec:",
        "  deployment:",
        "    replicas: 2",
        "  database:",
        "    type: postgres",
        "    host: grafana-db.databases.svc:5432",
        "    user: grafana",
        "    passwordSecret:",
        "      name: grafana-database",
        "",
      ].join("\n"),
    );
    const r = await diffRepo(repo.root);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(statuses(r), { edge: "unchanged", staging: "changed" });
    const lines = section(report(r, "staging"), "Settings").map((c) =>
      `${c.op} ${c.subject}: ${c.from ?? ""} → ${c.to ?? ""}`
    );
    const zone = "required apart on topology.kubernetes.io/zone";
    const host = "required apart on kubernetes.io/hostname";
    assert.deepEqual(lines, [
      "+ Grafana: grafana.ini [database] host:  → grafana-db.databases.svc:5432",
      "+ Grafana: grafana.ini [database] name:  → grafana",
      "+ Grafana: grafana.ini [database] type:  → postgres",
      "+ Grafana: grafana.ini [database] user:  → grafana",
      "~ Alertmanager configuration: heartbeat: off (Watchdog goes nowhere) → " +
      "webhook (url_file /etc/alertmanager/secrets/alertmanager-receivers/heartbeat-url)",
      "+ Alertmanager configuration: heartbeat interval:  → 2m",
      "~ Deployment `grafana`: replicas: 1 → 2",
      "+ Deployment `grafana`: container `grafana` env GF_DATABASE_PASSWORD:  → " +
      "from Secret `grafana-database` key `password`",
      `~ Deployment \`thanos-query\`: spread: ${host} → ${zone}`,
      "~ Deployment `thanos-query`: container `thanos-query` env CLUSTER_DOMAIN: cluster.local → corp.example",
      `~ Alertmanager \`main\`: spread: ${host} → ${zone}`,
      `~ Prometheus \`k8s\`: spread: ${host} → ${zone}`,
      "~ Ingress `thanos-query`: authentication: basic, users in Secret `thanos-query-users` → " +
      "service at https://auth.example.com/oauth2/auth",
      "~ NetworkPolicy `grafana-from-ingress-controller`: ingress from: " +
      "namespace `ingress-nginx` on http/TCP → namespace `ingress-system` on http/TCP",
      "~ NetworkPolicy `thanos-query-from-ingress-controller`: ingress from: " +
      "namespace `ingress-nginx` on http/TCP → namespace `ingress-system` on http/TCP",
    ]);
  });
});

Deno.test("diffRepo() reports routes, receivers, inhibit rules and the route tests that now reach another receiver", async () => {
  const keyFile = "/etc/alertmanager/secrets/alertmanager-receivers/pagerduty-routing-key";
  await withScratchRepo(["staging"], async (repo) => {
    await branch(repo);
    await repo.edit("clusters/staging/alertmanager.yaml", (t) =>
      t.replace(
        "        receiver: chat\n",
        [
          "        receiver: chat",
          "        routes:",
          "          - receiver: pager",
          "            matchers:",
          '              - severity = "critical"',
          "",
        ].join("\n"),
      ) + [
        "        - name: pager",
        "          pagerduty_configs:",
        `            - routing_key_file: ${keyFile}`,
        "      inhibit_rules:",
        "        - source_matchers: ['alertname = \"NodeDown\"']",
        "          target_matchers: ['severity = \"warning\"']",
        "          equal: [instance]",
        "",
      ].join("\n"));
    const r = await diffRepo(repo.root);
    assert.deepEqual(r.findings, []);
    const staging = report(r, "staging");
    const am = section(staging, "Alertmanager").map((c) => `${c.op} ${c.subject}`);
    assert.deepEqual(am, [
      '+ route `{severity = "critical"} → pager`',
      "+ receiver `pager`",
      '+ inhibit rule `{alertname = "NodeDown"} silences {severity = "warning"} with equal [instance]`',
    ]);
    assert.deepEqual(section(staging, "Alertmanager")[1]?.details, [
      { label: "`pagerduty_configs[0].routing_key_file`", to: keyFile },
    ]);
    assert.deepEqual(section(staging, "Route tests"), [{
      op: "~",
      subject: 'route test "every alert goes to the staging chat channel" ' +
        "{alertname=NodeDown, severity=critical}",
      from: "chat",
      to: "pager",
      note: "the test expects chat: it now fails, update routes-test.yaml or the routes",
    }]);
  });
});

Deno.test("diffRepo() never prints a secret: one in clusters/ is refused at its line, one in base/ is redacted", async () => {
  const secret = "Pd0123456789abcdefROUTINGKEY42";
  const password = "correct-horse-battery-staple";
  await withScratchRepo(["staging", "edge"], async (repo) => {
    await branch(repo);
    await repo.edit("clusters/staging/alertmanager.yaml", (t) =>
      t + [
        "        - name: pager",
        "          pagerduty_configs:",
        `            - routing_key: ${secret}`,
        "",
      ].join("\n"));
    await repo.edit(
      "base/grafana/grafana.ini",
      (t) => t.replace("[security]\n", `[security]\nadmin_password = ${password}\n`),
    );
    await repo.edit(
      "base/grafana/deployment.yaml",
      (t) =>
        t.replace(
          "            - name: GF_PATHS_DATA\n",
          `            - name: GF_SMTP_PASSWORD\n              value: ${password}\n` +
            "            - name: GF_PATHS_DATA\n",
        ),
    );
    const r = await diffRepo(repo.root);
    assert.deepEqual(r.findings.map((f) => [f.side, f.file, f.line, f.field, f.check]), [[
      "head",
      "clusters/staging/alertmanager.yaml",
      await lineOf(repo, "clusters/staging/alertmanager.yaml", "routing_key:"),
      "spec.notification.config.receivers[1].pagerduty_configs[0].routing_key",
      "credentials",
    ]]);
    assert.deepEqual(statuses(r), { edge: "changed", staging: "broken" });
    assert.deepEqual(
      section(report(r, "edge"), "Settings").map((c) =>
        `${c.op} ${c.subject}: ${c.from ?? ""} → ${c.to ?? ""}`
      ),
      [
        "+ Grafana: grafana.ini [security] admin_password:  → (redacted)",
        "+ Deployment `grafana`: container `grafana` env GF_SMTP_PASSWORD:  → (redacted)",
      ],
    );
    const text = formatText(r);
    assert.match(text, /^ {4}\+ {4}admin_password = \(redacted\)$/m);
    assert.match(text, /^ {4}\+ {14}value: \(redacted\)$/m);
    for (const out of [text, formatMarkdown(r), JSON.stringify(r)]) {
      assert.ok(!out.includes(secret), "the routing key is never printed");
      assert.ok(!out.includes(password), "the password is never printed");
    }
  });
});

Deno.test("diffRepo() reports alerts added and changed and dashboards changed by panel", async () => {
  await withScratchRepo(["local", "staging"], async (repo) => {
    await branch(repo);
    await repo.edit("clusters/staging/prometheus.yaml", (t) =>
      t + [
        "  extraRules:",
        "    groups:",
        "      - name: team",
        "        rules:",
        "          - alert: QueueTooLong",
        "            expr: queue_length > 100",
        "            for: 10m",
        "            labels: { severity: warning }",
        "",
      ].join("\n"));
    await repo.edit("base/rules/general.rules.yaml", (t) => t.replace(/for: (\d+)m/, "for: 42m"));
    const dashboard = JSON.parse(
      await Deno.readTextFile(join(repo.root, "base/dashboards/nodes.json")),
    );
    const first = dashboard.panels[0];
    first.targets[0].expr = "avg(rate(node_cpu_seconds_total[5m]))";
    const removed = dashboard.panels.pop();
    await repo.write("base/dashboards/nodes.json", JSON.stringify(dashboard, null, 2) + "\n");

    const r = await diffRepo(repo.root);
    assert.deepEqual(r.findings, []);
    const staging = report(r, "staging");
    const rules = section(staging, "Alerts and recording rules");
    const added = rules.find((c) => c.op === "+");
    assert.deepEqual(added, {
      op: "+",
      subject: "alert `QueueTooLong` (warning)",
      details: [
        { label: "expr", to: "queue_length > 100", code: true },
        { label: "for", to: "10m" },
        { label: "group", to: "extra-rules/team" },
      ],
    });
    const forChange = rules.find((c) => c.op === "~");
    assert.ok(forChange, JSON.stringify(rules));
    assert.deepEqual(forChange.details?.find((d) => d.label === "for")?.to, "42m");
    // The base changed for every cluster: local has the same rule and dashboard changes.
    const local = report(r, "local");
    assert.deepEqual(section(local, "Alerts and recording rules"), [forChange]);
    const dashboards = section(local, "Dashboards");
    assert.deepEqual(dashboards.map((c) => `${c.op} ${c.subject}`), ["~ dashboard `Nodes`"]);
    assert.deepEqual(dashboards[0]?.details?.map((d) => `${d.op} ${d.label}`), [
      `- panel \`${removed.title}\``,
      `~ panel \`${first.title}\` queries`,
    ]);
  });
});

Deno.test("diffRepo() reports a new and a removed cluster", async () => {
  await withScratchRepo(["edge", "local"], async (repo) => {
    await branch(repo);
    await cp(join(repo.root, "clusters/local"), join(repo.root, "clusters/lab"), {
      recursive: true,
    });
    await repo.edit("clusters/lab/cluster.yaml", (t) => t.replace("name: local", "name: lab"));
    await rm(join(repo.root, "clusters/edge"), { recursive: true });
    const r = await diffRepo(repo.root);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(statuses(r), { edge: "removed", lab: "added", local: "unchanged" });
    assert.match(report(r, "lab").note ?? "", /^new cluster: \d+ objects, \d+ alerts/);
    assert.ok(
      section(report(r, "lab"), "Settings").some((c) =>
        c.subject === "Prometheus `k8s`: retention time" && c.to === "1d"
      ),
    );
    assert.match(report(r, "edge").note ?? "", /^cluster removed: its \d+ objects/);
  });
});

Deno.test("diffRepo() names broken input with file:line:col on the side it is, and compares the rest", async () => {
  await withScratchRepo(["staging", "edge"], async (repo) => {
    // Broken on main (the base side), fixed on the branch.
    await repo.edit(
      "clusters/edge/prometheus.yaml",
      (t) => t.replace("retention_time: 15d", "retention_time: 15days"),
    );
    await repo.commit("a typo on main");
    await branch(repo);
    await repo.edit(
      "clusters/edge/prometheus.yaml",
      (t) => t.replace("retention_time: 15days", "retention_time: 15d"),
    );
    // Broken in the working tree.
    await repo.edit(
      "clusters/staging/prometheus.yaml",
      (t) => t.replace("retention_time: 7d", "retention_time: [7d"),
    );
    const r = await diffRepo(repo.root);
    assert.deepEqual(statuses(r), { edge: "broken", staging: "broken" });
    assert.deepEqual(
      r.findings.map((f) => [f.side, `${f.file}:${f.line}:${f.column}`, f.field]),
      [
        ["base", "clusters/edge/prometheus.yaml:11:21", "spec.config.retention_time"],
        ["head", "clusters/staging/prometheus.yaml:8:5", ""],
      ],
    );
    assert.match(
      report(r, "edge").note ?? "",
      /does not render at main \(merge base [0-9a-f]{7}\)/,
    );
    assert.match(report(r, "staging").note ?? "", /does not render in the working tree/);

    const err: string[] = [];
    const code = await runCommand(diffCommand(repo.root), [], {
      out: () => {},
      err: (l) => err.push(l),
    });
    assert.equal(code, 1);
    assert.match(
      err.join("\n"),
      /^clusters\/edge\/prometheus\.yaml:11:21: error: spec\.config\.retention_time: .* \(at the base main \(merge base [0-9a-f]{7}\)\)$/m,
    );
    assert.match(
      err.join("\n"),
      /^clusters\/staging\/prometheus\.yaml:8:5: error: .*\(in the working tree\)$/m,
    );
  });
});

Deno.test("diffRepo() reports a base/ that does not build at the kustomization line, and a broken rule template", async () => {
  await withScratchRepo(["local"], async (repo) => {
    await repo.edit(
      "base/grafana/kustomization.yaml",
      (t) => t.replace("  - service.yaml\n", "  - service.yaml\n  - missing.yaml\n"),
    );
    const r = await diffRepo(repo.root);
    assert.deepEqual(statuses(r), { local: "broken" });
    assert.deepEqual(
      r.findings.map((f) => [f.side, `${f.file}:${f.line}:${f.column}`, f.check]),
      [[
        "head",
        `base/grafana/kustomization.yaml:${await lineOf(
          repo,
          "base/grafana/kustomization.yaml",
          "- missing.yaml",
        )}:3`,
        "render",
      ]],
    );
    assert.match(r.findings[0]?.message ?? "", /missing\.yaml: no such file or directory/);

    await repo.edit(
      "base/rules/general.rules.yaml",
      (t) => t.replace(/for: (\d+)m/, "for: ${nope.x}m"),
    );
    const t = await diffRepo(repo.root);
    assert.deepEqual(
      t.findings.map((f) => [f.side, `${f.file}:${f.line}`, f.message]),
      [[
        "head",
        `base/rules/general.rules.yaml:${await lineOf(
          repo,
          "base/rules/general.rules.yaml",
          "${nope.x}",
        )}`,
        "unknown placeholder ${nope.x}: rule parameters are defined in tasks/model/rule_params.ts",
      ]],
    );
  });
});
