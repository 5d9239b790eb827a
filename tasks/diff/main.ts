/**
 * `deno task diff [--base <git ref>] [--format text|markdown|github] [cluster…]`: what a change
 * does to each cluster. Renders every cluster at the base revision (default: the merge base of
 * HEAD with main) and in the working tree, and prints per cluster what changes: alerts and rules,
 * settings, Alertmanager, route tests, dashboards, then the manifest diff.
 */
import { command, exitWith, UsageError } from "../cli/command.ts";
import { ROOT } from "../model/paths.ts";
import { diffRepo } from "./diff.ts";
import { type Format, formatResult, FORMATS, formatSideFinding } from "./format.ts";

export const diffCommand = (root = ROOT, cacheDir?: string | null) =>
  command({
    name: "diff",
    summary: "Renders every cluster (or the named ones) at the base git ref and in the working " +
      "tree, in memory, and prints per cluster what changes: alerts and recording rules (with " +
      "the tuned parameters), settings (retention, replicas, resources, storage, images, " +
      "labels, intervals), Alertmanager routes, receivers and inhibit rules, the route tests " +
      "that reach other receivers, dashboards; then the manifest diff. Clusters that do not " +
      "change are named on one line. Broken input on either side is reported as file:line:col " +
      "errors on stderr; the other clusters are still compared.",
    options: {
      base: {
        type: "string",
        value: "ref",
        help: "git ref to compare with (default: the merge base of HEAD with main, or with " +
          "origin/main when there is no local main)",
      },
      format: {
        type: "string",
        default: "text",
        value: FORMATS.join("|"),
        help: "text for terminals, markdown for a pull request, github for annotations",
      },
    },
    positionals: { usage: "[cluster…]" },
    findings: "broken input on either side",
    async run({ values, positionals }, io) {
      const format = values.format;
      if (!(FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(
          `--format expects ${FORMATS.join(", ")}, found ${JSON.stringify(format)}`,
        );
      }
      if (values.base !== undefined && values.base.trim() === "") {
        throw new UsageError("--base expects a git ref, found an empty string");
      }
      const result = await diffRepo(root, {
        ...(values.base !== undefined ? { base: values.base } : {}),
        clusters: positionals,
        ...(cacheDir !== undefined ? { cacheDir } : {}),
      });
      io.out(formatResult(result, format as Format));
      if (result.findings.length === 0) return 0;
      for (const f of result.findings) io.err(formatSideFinding(f, result));
      io.err(`deno task diff: ${result.findings.length} error(s) in the input; fix them above`);
      return 1;
    },
  });

if (import.meta.main) await exitWith(diffCommand());
