import { deepEqual as assertEquals } from "node:assert/strict";
import { formatGithub, formatSummaryTable, formatText } from "./format.ts";
import { type Reported, summarize } from "./summary.ts";

const findings: Reported[] = [{
  severity: "error",
  file: "clusters/a/prometheus.yaml",
  line: 6,
  column: 5,
  field: "spec.config.retention_tme",
  message: "unknown key `retention_tme`; did you mean `retention_time`?",
  check: "schema",
  family: "cluster folder",
  clusters: ["a"],
}, {
  severity: "warning",
  file: "base/rules/x.rules.yaml",
  line: 0,
  column: 0,
  field: "",
  message: "50%, done: a,b",
  check: "rules/metrics",
  family: "rules",
  clusters: [],
}];
const summary = { ...summarize(findings, ["a"], 1.234), timings: {} };

Deno.test("formatText() prints a file:line:col line per finding, then the table and the verdict", () => {
  assertEquals(formatText(findings, summary).split("\n"), [
    "clusters/a/prometheus.yaml:6:5: error: spec.config.retention_tme: unknown key " +
    "`retention_tme`; did you mean `retention_time`? [schema] (a)",
    "base/rules/x.rules.yaml: warning: 50%, done: a,b [rules/metrics]",
    "",
    "cluster  cluster folder  freshness  render  schemas  rules  routing  dashboards  policies  " +
    "api server",
    "base     -               -          -       -        1W     -        -           -         -",
    "a        1E              -          -       -        -      -        -           -         -",
    "FAILED: 1 error(s), 1 warning(s) in 1 cluster(s) and the base, 1.23 s",
  ]);
});

Deno.test("formatGithub() prints escaped workflow annotations", () => {
  assertEquals(formatGithub(findings, summary).split("\n").slice(0, 2), [
    "::error file=clusters/a/prometheus.yaml,line=6,col=5,title=cluster folder%3A schema " +
    "spec.config.retention_tme::unknown key `retention_tme`; did you mean `retention_time`? (a)",
    "::warning file=base/rules/x.rules.yaml,title=rules%3A rules/metrics::50%25, done: a,b",
  ]);
});

Deno.test("formatSummaryTable() has a row for the base and each cluster", () => {
  assertEquals(formatSummaryTable(summary).split("\n").length, 3);
});
