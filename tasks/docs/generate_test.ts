import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../model/paths.ts";
import { ALERTS_DOC } from "./alerts_doc.ts";
import { CONFIGURATION_DOC } from "./configuration_doc.ts";
import { docFindings, docsFreshness, loadDocInputs, readDocs, renderDocs } from "./generate.ts";
import { runCommand } from "../cli/command.ts";
import { docsCommand } from "./main.ts";

Deno.test("docFindings() reports a stale and a missing document with the command", () => {
  const findings = docFindings(
    new Map([["docs/alerts.md", "a\nb\n"], ["docs/configuration.md", "x\n"]]),
    new Map([["docs/alerts.md", "a\nc\n"], ["docs/configuration.md", undefined]]),
  );
  assert.deepEqual(findings, [
    {
      severity: "error",
      file: "docs/alerts.md",
      line: 2,
      column: 1,
      field: "",
      check: "docs",
      message: "stale: expected what `deno task docs` writes now (line 2: `b`), found `c`; the " +
        "rules, the schema, tasks/dashboards/ or examples/clusters/ changed: run `deno task docs`",
    },
    {
      severity: "error",
      file: "docs/configuration.md",
      line: 0,
      column: 0,
      field: "",
      check: "docs",
      message: "expected this generated document, found it missing; run `deno task docs`",
    },
  ]);
});

Deno.test("docsFreshness() finds the committed docs up to date", async () => {
  assert.deepEqual(await docsFreshness(ROOT), []);
});

Deno.test("docsFreshness() fails on docs/alerts.md when a default threshold changes", async () => {
  const inputs = await loadDocInputs(ROOT);
  // What the schema would say after someone changed a default without running `deno task docs`.
  const index = inputs.index.map((p) =>
    p.key === "node_exporter.node_filesystem_space_filling_up.warning.threshold"
      ? { ...p, default: 35 }
      : p
  );
  const expected = renderDocs({ ...inputs, index });
  const findings = docFindings(expected, await readDocs(ROOT, expected.keys()));
  assert.deepEqual(findings.map((f) => [f.file, f.severity, f.check]), [
    [ALERTS_DOC, "error", "docs"],
  ]);
  assert.match(findings[0]?.message ?? "", /^stale: expected what .*run `deno task docs`$/);
  // The first line that differs is the alert's row in the table.
  const committed = (await readDocs(ROOT, [ALERTS_DOC])).get(ALERTS_DOC) ?? "";
  const row = committed.split("\n")[(findings[0]?.line ?? 0) - 1] ?? "";
  assert.match(row, /^\| \[NodeFilesystemSpaceFillingUp\].* \| warning \|.*threshold` = `40`/);
});

Deno.test("docsFreshness() fails on docs/configuration.md when a schema default changes", async () => {
  const inputs = await loadDocInputs(ROOT);
  const kinds = structuredClone(inputs.kinds);
  const prometheus = kinds.find((k) => k.kind === "PrometheusConfig");
  assert.ok(prometheus);
  prometheus.schema.properties.spec.properties.config.properties.retention_time.default = "15d";
  const expected = renderDocs({ ...inputs, kinds });
  const findings = docFindings(expected, await readDocs(ROOT, expected.keys()));
  assert.deepEqual(findings.map((f) => [f.file, f.severity, f.check]), [
    [CONFIGURATION_DOC, "error", "docs"],
  ]);
});

function copyRoot(): string {
  const tmp = mkdtempSync(join(tmpdir(), "docs-root-"));
  for (const p of ["base/rules", "base/dashboards", "base/grafana", "examples/clusters", "docs"]) {
    cpSync(join(ROOT, p), join(tmp, p), { recursive: true });
  }
  return tmp;
}

Deno.test("deno task docs --check exits 1 on a stale doc, then writes it and exits 0", async () => {
  const tmp = copyRoot();
  const quiet = { out: () => {}, err: () => {} };
  const main = (args: string[], root: string) => runCommand(docsCommand(root), args, quiet);
  try {
    const path = join(tmp, CONFIGURATION_DOC);
    const fresh = readFileSync(path, "utf8");
    writeFileSync(path, fresh.replace("| `spec.reconciler` |", "| `spec.reconcilers` |"));
    const findings = await docsFreshness(tmp);
    assert.deepEqual(findings.map((f) => `${f.file}:${f.line}`), [
      `${CONFIGURATION_DOC}:${
        fresh.split("\n").findIndex((l) => l.startsWith("| `spec.reconciler` |")) + 1
      }`,
    ]);
    assert.equal(await main(["--check"], tmp), 1);
    assert.equal(await main([], tmp), 0);
    assert.equal(readFileSync(path, "utf8"), fresh);
    assert.equal(await main(["--check"], tmp), 0);
    assert.equal(await main(["--wat"], tmp), 2);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
