import assert from "node:assert/strict";
import type { ClusterReport } from "./cluster_report.ts";
import type { DiffResult } from "./diff.ts";
import { formatGithub, formatMarkdown, formatText, MARKDOWN_MARKER } from "./format.ts";

const staging: ClusterReport = {
  name: "staging",
  status: "changed",
  sections: [{
    title: "Alerts and recording rules",
    changes: [{
      op: "~",
      subject: "alert `NodeFilesystemSpaceFillingUp` (warning)",
      details: [
        {
          op: "~",
          label: "parameter `node_exporter.node_filesystem_space_filling_up.warning.threshold`",
          from: "40",
          to: "30",
        },
        { op: "~", label: "expr", from: "(\n  x < 40\n)", to: "(\n  x < 30\n)", code: true },
      ],
    }],
  }],
  objects: [{ op: "~", id: "PrometheusRule monitoring/node-exporter-rules", added: 1, removed: 1 }],
  manifest: [
    "--- before/PrometheusRule/monitoring/node-exporter-rules",
    "+++ after/PrometheusRule/monitoring/node-exporter-rules",
    "@@ -1,1 +1,1 @@",
    "-x < 40",
    "+x < 30",
  ],
};

const production: ClusterReport = {
  name: "production",
  status: "changed",
  sections: [{
    title: "Settings",
    changes: [{ op: "~", subject: "Prometheus `k8s`: retention time", from: "30d", to: "60d" }],
  }],
  objects: [{ op: "~", id: "Prometheus monitoring/k8s", added: 1, removed: 1 }],
  manifest: ["--- before/Prometheus/monitoring/k8s", "+++ after/Prometheus/monitoring/k8s"],
};

const unchanged = (name: string): ClusterReport => ({
  name,
  status: "unchanged",
  sections: [],
  objects: [],
  manifest: [],
});

function result(over: Partial<DiffResult> = {}): DiffResult {
  return {
    base: { ref: "main", sha: "3f2a1bc0", label: "main (merge base 3f2a1bc)" },
    head: "the working tree",
    reports: [unchanged("edge"), unchanged("local"), production, staging],
    findings: [],
    timings: {},
    renders: { cached: 4, built: 0 },
    ...over,
  };
}

Deno.test("formatText() prints each changed cluster's summary, its manifest diff, then the unchanged", () => {
  assert.equal(
    formatText(result()),
    [
      "deno task diff: main (merge base 3f2a1bc) → the working tree",
      "",
      "production: changed",
      "  Settings",
      "    ~ Prometheus `k8s`: retention time: 30d → 60d",
      "  Objects: 1 object (1 changed), +1 −1 lines",
      "    ~ Prometheus monitoring/k8s (+1 −1)",
      "  Manifest diff",
      "    --- before/Prometheus/monitoring/k8s",
      "    +++ after/Prometheus/monitoring/k8s",
      "",
      "staging: changed",
      "  Alerts and recording rules",
      "    ~ alert `NodeFilesystemSpaceFillingUp` (warning)",
      "        ~ parameter `node_exporter.node_filesystem_space_filling_up.warning.threshold`: " +
      "40 → 30",
      "        ~ expr:",
      "              (",
      "            -   x < 40",
      "            +   x < 30",
      "              )",
      "  Objects: 1 object (1 changed), +1 −1 lines",
      "    ~ PrometheusRule monitoring/node-exporter-rules (+1 −1)",
      "  Manifest diff",
      "    --- before/PrometheusRule/monitoring/node-exporter-rules",
      "    +++ after/PrometheusRule/monitoring/node-exporter-rules",
      "    @@ -1,1 +1,1 @@",
      "    -x < 40",
      "    +x < 30",
      "",
      "Unchanged: edge, local",
    ].join("\n"),
  );
});

Deno.test("formatMarkdown() starts with the marker, folds manifest diffs and names the unchanged", () => {
  const md = formatMarkdown(result());
  assert.ok(md.startsWith(`${MARKDOWN_MARKER}\n`));
  assert.match(md, /### `staging`: changed/);
  assert.match(
    md,
    /- changed alert `NodeFilesystemSpaceFillingUp` \(warning\)\n {2}- changed parameter `node_exporter\.node_filesystem_space_filling_up\.warning\.threshold`: `40` → `30`/,
  );
  assert.match(md, /- changed Prometheus `k8s`: retention time: `30d` → `60d`/);
  assert.ok(
    md.includes(
      ["    ```diff", "      (", "    -   x < 40", "    +   x < 30", "      )", "    ```"].join(
        "\n",
      ),
    ),
  );
  assert.match(
    md,
    /<details><summary>Manifest diff of staging: 1 object \(1 changed\), \+1 −1 lines<\/summary>\n\n```diff\n--- before/,
  );
  assert.ok(md.trimEnd().endsWith("**Unchanged:** `edge`, `local`"));
  assert.ok(md.indexOf("### `production`") < md.indexOf("### `staging`"));
});

Deno.test("formatMarkdown() keeps within the comment limit by cutting manifest diffs, saying so", () => {
  const big: ClusterReport = {
    ...staging,
    manifest: Array.from({ length: 5000 }, (_, i) => `+line ${i} ${"x".repeat(40)}`),
  };
  const md = formatMarkdown(result({ reports: [big, production] }), 20_000);
  assert.ok(md.length <= 20_000, `${md.length} characters`);
  assert.match(md, /… \d+ more lines: run `deno task diff staging` to see them all\./);
  assert.match(md, /\*\*Unchanged:\*\* none/);
});

Deno.test("formatMarkdown() escapes HTML in prose and lists errors with their side", () => {
  const md = formatMarkdown(result({
    reports: [{
      ...unchanged("x"),
      status: "broken",
      note: "not compared: the cluster does not render <here>",
    }],
    findings: [{
      side: "base",
      severity: "error",
      file: "clusters/x/prometheus.yaml",
      line: 3,
      column: 5,
      field: "spec.config.retention_time",
      message: "expected a duration",
      check: "schema",
    }],
  }));
  assert.match(md, /does not render &lt;here>/);
  assert.match(
    md,
    /clusters\/x\/prometheus\.yaml:3:5: error: spec\.config\.retention_time: expected a duration \[schema\] \(at the base main \(merge base 3f2a1bc\)\)/,
  );
});

Deno.test("formatGithub() prints a notice per changed cluster, one for the unchanged, errors with positions", () => {
  const out = formatGithub(result({
    findings: [{
      side: "head",
      severity: "error",
      file: "clusters/staging/prometheus.yaml",
      line: 7,
      column: 3,
      field: "spec.config.retention_time",
      message: "expected a duration, found 10x",
      check: "schema",
    }],
  })).split("\n");
  assert.equal(
    out[0],
    "::error file=clusters/staging/prometheus.yaml,line=7,col=3,title=deno task diff%3A " +
      "spec.config.retention_time (in the working tree)::clusters/staging/prometheus.yaml:7:3: " +
      "error: spec.config.retention_time: expected a duration, found 10x [schema]",
  );
  assert.equal(
    out[1],
    "::notice file=clusters/production/cluster.yaml,title=deno task diff%3A production changed::" +
      "Settings%0A  ~ Prometheus `k8s`: retention time: 30d → 60d%0AObjects: 1 object " +
      "(1 changed), +1 −1 lines%0A  ~ Prometheus monitoring/k8s (+1 −1)",
  );
  assert.match(
    out[2] ?? "",
    /^::notice file=clusters\/staging\/cluster.yaml,title=deno task diff%3A staging changed::/,
  );
  assert.equal(out[3], "::notice title=deno task diff%3A unchanged::Unchanged: edge, local");
  assert.equal(out.length, 4);
});
