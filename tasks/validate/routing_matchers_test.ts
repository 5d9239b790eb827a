import { deepEqual as assertEquals } from "node:assert/strict";
import { defaultAlertmanagerConfig } from "../model/merged_cluster.ts";
import { parseMatchers } from "./matchers.ts";
import { parseRouteTests } from "./routing.ts";
import { matcherFindings } from "./routing_matchers.ts";

const PATH = "clusters/a/alertmanager.yaml";
const csc = (config: string) =>
  "apiVersion: addons.metalk8s.scality.com/v1alpha1\nkind: AlertmanagerConfig\nspec:\n" +
  "  notification:\n    config:\n" + config;
const found = (config: string) =>
  matcherFindings({ path: PATH, text: csc(config) }).map((f) => [
    f.line,
    f.column,
    f.field,
    f.message,
  ]);

Deno.test("matcherFindings() refuses a doubled operator in a route, at its column", () => {
  const config = "      route:\n        receiver: chat\n        routes:\n" +
    "          - receiver: pager\n            matchers:\n              - severity == critical\n";
  assertEquals(found(config), [[
    11,
    27,
    "spec.notification.config.route.routes[0].matchers[0]",
    'expected matchers Alertmanager\'s strict UTF-8 parser accepts, found "severity == critical": ' +
    "expected a label value after `severity =`, found `=` (column 11); Alertmanager falls back " +
    'to its lenient classic parser, which reads the value as "= critical", so the route never ' +
    "matches",
  ]]);
});

Deno.test("matcherFindings() checks nested routes, the top route and quoted flow items", () => {
  const config = "      route:\n        receiver: chat\n        matchers: ['team = \"db\"']\n" +
    "        routes:\n          - receiver: a\n            routes:\n" +
    "              - receiver: b\n                matchers: ['x = \"1\"', \"severity = 'critical'\"]\n";
  assertEquals(found(config), [[
    13,
    51,
    "spec.notification.config.route.routes[0].routes[0].matchers[1]",
    "expected matchers Alertmanager's strict UTF-8 parser accepts, found \"severity = 'critical'\": " +
    "unexpected `'` (only double quotes quote a name or value) (column 12)",
  ]]);
});

Deno.test("matcherFindings() checks inhibition source_matchers and target_matchers", () => {
  const config = "      inhibit_rules:\n        - source_matchers: ['severity = \"critical\"']\n" +
    "          target_matchers:\n            - severity =~ warning info\n" +
    "          equal: [alertname]\n";
  assertEquals(found(config), [[
    9,
    35,
    "spec.notification.config.inhibit_rules[0].target_matchers[0]",
    "expected matchers Alertmanager's strict UTF-8 parser accepts, found \"severity =~ warning " +
    'info": expected `,` or the end of the matchers after `severity =~ warning`, found `info` ' +
    "(column 21)",
  ]]);
  const source = "      inhibit_rules:\n        - source_matchers: ['severity critical']\n" +
    "          target_matchers: ['severity = \"warning\"']\n";
  assertEquals(found(source).map(([l, c, f]) => [l, c, f]), [[
    7,
    39,
    "spec.notification.config.inhibit_rules[0].source_matchers[0]",
  ]]);
});

Deno.test("matcherFindings() flags a quoted value that begins with an operator character", () => {
  const config = "      route:\n        receiver: chat\n        routes:\n" +
    '          - receiver: pager\n            matchers: [\'{team="db", severity="=critical"}\']\n';
  assertEquals(found(config), [[
    10,
    37,
    "spec.notification.config.route.routes[0].matchers[0]",
    'expected a label value to compare with, found "=critical" in "{team=\\"db\\", ' +
    'severity=\\"=critical\\"}": the value "=critical" begins with `=`, an operator character (a ' +
    "doubled or misplaced operator?); the route matches only alerts whose severity is literally " +
    'that (did you mean severity = "critical"?)',
  ]]);
});

Deno.test("matcherFindings() flags the deprecated match maps' values too", () => {
  const config = "      route:\n        receiver: chat\n        routes:\n" +
    "          - receiver: pager\n            match:\n              severity: '!critical'\n";
  assertEquals(found(config).map(([l, c, f]) => [l, c, f]), [[
    11,
    26,
    "spec.notification.config.route.routes[0].match.severity",
  ]]);
});

Deno.test("matcherFindings() accepts well-formed matchers and files without a configuration", () => {
  const config = "      route:\n        receiver: chat\n        routes:\n" +
    "          - receiver: pager\n            matchers:\n" +
    '              - severity = "critical"\n              - "{team=~\\"db|web\\", env!=dev}"\n';
  assertEquals(found(config), []);
  assertEquals(
    matcherFindings({ path: PATH, text: "kind: AlertmanagerConfig\nspec: {}\n" }),
    [],
  );
  assertEquals(matcherFindings({ path: PATH, text: "spec: [" }), []);
});

Deno.test("the default Alertmanager configuration's matchers parse strictly", () => {
  const config = defaultAlertmanagerConfig();
  const all = [
    ...((config.route?.routes ?? []) as Array<{ matchers?: string[] }>).flatMap((r) =>
      r.matchers ?? []
    ),
    ...(config.inhibit_rules ?? []).flatMap((r) => [
      ...(r.source_matchers as string[] ?? []),
      ...(r.target_matchers as string[] ?? []),
    ]),
  ];
  assertEquals(all.length > 0, true);
  assertEquals(all.filter((m) => parseMatchers(m).error !== undefined), []);
});

Deno.test("parseRouteTests() flags a label value that begins with an operator character", () => {
  const text = "cases:\n  - name: pages\n    labels: { severity: =critical }\n" +
    "    receivers: [pager]\n";
  const r = parseRouteTests({ path: "clusters/a/routes-test.yaml", text });
  assertEquals(r.findings.map((f) => [f.line, f.column, f.field, f.message]), [[
    3,
    25,
    "cases[0].labels.severity",
    'expected the value of label severity as an alert carries it, found "=critical": the value ' +
    '"=critical" begins with `=`, an operator character (a doubled or misplaced operator?)',
  ]]);
});
