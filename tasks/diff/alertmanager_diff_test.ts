import assert from "node:assert/strict";
import type { AlertmanagerConfig } from "../model/alertmanager_config.ts";
import { defaultAlertmanagerConfig, mergeConfig } from "../model/merged_cluster.ts";
import { alertmanagerChanges, inhibitLines, routeLines } from "./alertmanager_diff.ts";

const SECRET = "R0utingKey0123456789abcdefGHIJ";

function config(over: unknown): AlertmanagerConfig {
  return mergeConfig(defaultAlertmanagerConfig(), over) as AlertmanagerConfig;
}

Deno.test("routeLines() draws the route tree, one line per route", () => {
  assert.deepEqual(
    routeLines(
      config({
        route: {
          receiver: "chat",
          routes: [{ receiver: "pager", matchers: ['severity = "critical"'] }],
        },
      }).route,
    ),
    [
      "default route → chat (group_by [alertname, cluster, namespace], group_wait 30s, " +
      "group_interval 5m, repeat_interval 12h)",
      '  {alertname = "Watchdog"} → watchdog',
      '  {alertname = "InfoInhibitor"} → null',
      '  {severity = "critical"} → pager',
    ],
  );
  assert.deepEqual(
    routeLines({ receiver: "a", routes: [{ match: { team: "x" }, continue: true }] }),
    [
      "default route → a",
      '  {team="x"} → (parent\'s receiver) (continue)',
    ],
  );
});

Deno.test("alertmanagerChanges() lists new routes, receivers (redacted) and inhibit rules", () => {
  const before = config({});
  const after = config({
    route: {
      receiver: "chat",
      routes: [{ receiver: "pager", matchers: ['severity = "critical"'] }],
    },
    receivers: [
      {
        name: "chat",
        slack_configs: [{
          api_url_file: "/etc/alertmanager/secrets/alertmanager-receivers/slack-api-url",
          channel: "#ops",
        }],
      },
      { name: "pager", pagerduty_configs: [{ routing_key: SECRET }] },
    ],
    inhibit_rules: [{
      source_matchers: ['alertname = "NodeDown"'],
      target_matchers: ['severity = "warning"'],
      equal: ["instance"],
    }],
  });
  const changes = alertmanagerChanges(before, after);
  assert.ok(!JSON.stringify(changes).includes(SECRET), "never a secret's value");
  assert.deepEqual(changes, [
    {
      op: "-",
      subject: "route `default route → null (group_by [alertname, cluster, namespace], " +
        "group_wait 30s, group_interval 5m, repeat_interval 12h)`",
    },
    {
      op: "+",
      subject: "route `default route → chat (group_by [alertname, cluster, namespace], " +
        "group_wait 30s, group_interval 5m, repeat_interval 12h)`",
    },
    { op: "+", subject: 'route `{severity = "critical"} → pager`' },
    {
      op: "+",
      subject: "receiver `chat`",
      details: [
        {
          label: "`slack_configs[0].api_url_file`",
          to: "/etc/alertmanager/secrets/alertmanager-receivers/slack-api-url",
        },
        { label: "`slack_configs[0].channel`", to: "#ops" },
      ],
    },
    {
      op: "+",
      subject: "receiver `pager`",
      details: [{ label: "`pagerduty_configs[0].routing_key`", to: "(redacted)" }],
    },
    {
      op: "+",
      subject:
        'inhibit rule `{alertname = "NodeDown"} silences {severity = "warning"} with equal [instance]`',
    },
  ]);
});

Deno.test("alertmanagerChanges() shows a changed receiver field by field and global settings", () => {
  const receiver = (channel: string, key: string) => ({
    receivers: [{
      name: "chat",
      slack_configs: [{ channel, api_url: `https://hooks.slack.com/services/${key}` }],
    }],
  });
  const before = config({ ...receiver("#a", SECRET), global: { resolve_timeout: "5m" } });
  const after = config({ ...receiver("#b", `${SECRET}X`), global: { resolve_timeout: "10m" } });
  const changes = alertmanagerChanges(before, after);
  assert.ok(!JSON.stringify(changes).includes(SECRET));
  assert.deepEqual(changes, [
    {
      op: "~",
      subject: "receiver `chat`",
      details: [
        { op: "~", label: "`slack_configs[0].channel`", from: "#a", to: "#b" },
        {
          op: "~",
          label: "`slack_configs[0].api_url`",
          from: "(redacted)",
          to: "(redacted, changed)",
        },
      ],
    },
    { op: "~", subject: "`global.resolve_timeout`", from: "5m", to: "10m" },
  ]);
  assert.deepEqual(alertmanagerChanges(before, structuredClone(before)), []);
});

Deno.test("inhibitLines() reads both matcher syntaxes", () => {
  assert.deepEqual(
    inhibitLines([{
      source_match: { severity: "critical" },
      target_match_re: { severity: "warning|info" },
    }]),
    [
      '{severity="critical"} silences {severity=~"warning|info"}',
    ],
  );
});
