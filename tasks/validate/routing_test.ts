import { deepEqual as assertEquals } from "node:assert/strict";
import { ClusterValues } from "./cluster_values.ts";
import {
  alertmanagerConfigOf,
  amtoolFailureAt,
  checkConfigFailures,
  parseCheckConfig,
  parseRouteTests,
  receiverFindings,
  undefinedReceivers,
  unknownCaseReceivers,
} from "./routing.ts";

Deno.test("undefinedReceivers() names routes whose receiver does not exist", () => {
  const config = {
    route: { receiver: "chat", routes: [{ receiver: "pager" }, { routes: [{ receiver: "x" }] }] },
    receivers: [{ name: "chat" }, { name: "pager" }],
  };
  assertEquals(undefinedReceivers(config), [{
    receiver: "x",
    path: "route.routes[1].routes[0].receiver",
    message: 'expected a receiver defined in receivers (chat, pager), found "x"',
  }]);
});

Deno.test("receiverFindings() points at the receiver's line in the cluster's file", () => {
  const source = {
    path: "clusters/a/alertmanager.yaml",
    text: "spec:\n  notification:\n    config:\n      route:\n        receiver: pagr\n",
  };
  const config = "route:\n  receiver: pagr\nreceivers:\n  - name: pager\n";
  assertEquals(receiverFindings(config, [source], "x"), [{
    severity: "error",
    file: "clusters/a/alertmanager.yaml",
    line: 5,
    column: 9,
    field: "spec.notification.config.route.receiver",
    message: 'expected a receiver defined in receivers (pager), found "pagr"',
    check: "routing/receivers",
  }]);
});

Deno.test("parseRouteTests() reads cases and reports malformed ones", () => {
  const text = `cases:
  - name: pages
    labels: { severity: critical }
    receivers: [pager]
  - name: pages
    labels: {}
    receivers: []
    recievers: [x]
`;
  const r = parseRouteTests({ path: "clusters/a/routes-test.yaml", text });
  assertEquals(r.cases, [{
    name: "pages",
    labels: { severity: "critical" },
    receivers: ["pager"],
    line: 2,
    column: 5,
  }]);
  assertEquals(r.findings.map((f) => [f.line, f.message]), [
    [8, "unknown key `recievers`; expected name, labels, receivers"],
    [5, 'expected unique case names, found "pages" twice'],
    [6, "expected a map of alert labels, found none"],
    [7, "expected a non-empty list of receivers, found none"],
  ]);
});

Deno.test("unknownCaseReceivers() names receivers the configuration lacks", () => {
  const cases = [{
    name: "c",
    labels: { a: "b" },
    receivers: ["pager", "nobody"],
    line: 3,
    column: 5,
  }];
  assertEquals(
    unknownCaseReceivers("f", cases, "receivers:\n  - name: pager\n").map((f) => f.message),
    ['case "c": expected receivers defined in the configuration (pager), found "nobody"'],
  );
});

Deno.test("alertmanagerConfigOf() reads the generated Secret's key", () => {
  const secret = {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "alertmanager-main-config" },
    data: { "alertmanager.yaml": btoa("route: {}\n") },
  };
  assertEquals(alertmanagerConfigOf([secret]), "route: {}\n");
  assertEquals(alertmanagerConfigOf([]), null);
});

Deno.test("parseCheckConfig() maps amtool's failures to their sources", () => {
  const out =
    "Checking '/t/a.yaml'  SUCCESS\nChecking '/t/b.yaml'  FAILED: undefined receiver \"x\"\n";
  const files = [
    { path: "/t/a.yaml", report: { file: "clusters/a/alertmanager.yaml", line: 1, column: 1 } },
    { path: "/t/b.yaml", report: { file: "clusters/b/alertmanager.yaml", line: 1, column: 1 } },
  ];
  assertEquals(parseCheckConfig(out, files).map((f) => [f.file, f.message]), [[
    "clusters/b/alertmanager.yaml",
    'expected a configuration amtool check-config accepts, found: undefined receiver "x"',
  ]]);
});

Deno.test("checkConfigFailures() keeps amtool's reasons that run over several lines", () => {
  const out = "Checking '/t/a.yaml'  FAILED: yaml: unmarshal errors:\n" +
    "  line 7: field recevier not found in type config.plain\n" +
    "  line 9: field matcher not found in type config.plain\n\n" +
    "Checking '/t/b.yaml'  SUCCESS\nFound:\n - global config\n\n" +
    "Checking '/t/c.yaml'  FAILED: undefined receiver \"x\" used in route\n\n";
  assertEquals(
    [...checkConfigFailures(out)],
    [
      [
        "/t/a.yaml",
        "yaml: unmarshal errors:\n  line 7: field recevier not found in type config.plain\n" +
        "  line 9: field matcher not found in type config.plain",
      ],
      ["/t/c.yaml", 'undefined receiver "x" used in route'],
    ],
  );
});

const csc = `apiVersion: addons.metalk8s.scality.com/v1alpha1
kind: AlertmanagerConfig
spec:
  notification:
    config:
      route:
        receiver: chat
        routes:
          - recevier: pager
      receivers:
        - name: chat
`;
// What generate renders from it: the defaults, then the cluster's route and receiver.
const rendered = `# generated
route:
  receiver: chat
  routes:
    - receiver: watchdog
    - recevier: pager
receivers:
  - name: "null"
  - name: chat
`;

Deno.test("amtoolFailureAt() finds the line amtool names in the cluster's file", () => {
  const values = new ClusterValues("clusters/a", new Map([["alertmanager.yaml", csc]]));
  const failure =
    "yaml: unmarshal errors:\n  line 6: field recevier not found in type config.plain";
  assertEquals(amtoolFailureAt(failure, rendered, values), {
    file: "clusters/a/alertmanager.yaml",
    line: 9,
    column: 13,
    field: "spec.notification.config.route.routes[0].recevier",
    written: true,
  });
});

Deno.test("amtoolFailureAt() finds a quoted value, else the configuration's key", () => {
  const values = new ClusterValues("clusters/a", new Map([["alertmanager.yaml", csc]]));
  assertEquals(
    amtoolFailureAt('notification config name "chat" is not unique', rendered, values)?.line,
    11,
  );
  assertEquals(amtoolFailureAt("something else", rendered, values)?.line, 5);
  assertEquals(amtoolFailureAt("x", rendered, new ClusterValues("clusters/b", new Map())), null);
});

Deno.test("amtoolFailureAt() finds a value amtool quotes in part", () => {
  const own = `spec:
  notification:
    config:
      inhibit_rules:
        - source_matchers: ['severity = = "critical"']
`;
  const rendered = `inhibit_rules:
  - source_matchers: ['severity = "critical"']
  - source_matchers: ['severity = = "critical"']
`;
  const values = new ClusterValues("clusters/a", new Map([["alertmanager.yaml", own]]));
  const failure = 'matcher value contains unescaped double quote: = "critical"';
  // The default rule (first) holds "critical" too, but it is not the cluster's.
  assertEquals(
    amtoolFailureAt(failure, rendered, values)?.field,
    "spec.notification.config.inhibit_rules[0].source_matchers[0]",
  );
});
