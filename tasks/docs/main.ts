/**
 * `deno task docs [--check]`: writes the generated docs (docs/alerts.md, docs/configuration.md,
 * docs/dashboards.md and base/dashboards/) from the rule templates, the schema, the example
 * cluster folders and the dashboard builders; with --check, writes nothing and exits 1 when any
 * is stale.
 */
import { join } from "node:path";
import { command, exitWith } from "../cli/command.ts";
import { formatFinding } from "../model/finding.ts";
import { ROOT } from "../model/paths.ts";
import { writeFileAtomic } from "../generate/write.ts";
import { docFindings, loadDocInputs, readDocs, renderDocs } from "./generate.ts";

export const docsCommand = (root = ROOT) =>
  command({
    name: "docs",
    summary: "Writes the generated docs: docs/alerts.md (from the rule templates), " +
      "docs/configuration.md (from the schema and examples/clusters/), docs/dashboards.md, " +
      "base/dashboards/ and Grafana's providers (from tasks/dashboards/).",
    options: {
      check: { type: "boolean", default: false, help: "write nothing; list every stale doc" },
    },
    findings: "(with --check) a stale doc",
    async run({ values }, io) {
      const expected = renderDocs(await loadDocInputs(root));
      const findings = docFindings(expected, await readDocs(root, expected.keys()));
      if (values.check) {
        for (const f of findings) io.err(formatFinding(f));
        if (findings.length === 0) io.out(`${[...expected.keys()].join(" and ")} are up to date`);
        return findings.length > 0 ? 1 : 0;
      }
      const stale = new Set(findings.map((f) => f.file));
      for (const [file, text] of expected) {
        if (stale.has(file)) await writeFileAtomic(join(root, file), text);
        io.out(`${stale.has(file) ? "wrote" : "unchanged"} ${file}`);
      }
      return 0;
    },
  });

if (import.meta.main) await exitWith(docsCommand());
