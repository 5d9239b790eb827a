/**
 * `deno task validate [cluster…]`: the pull-request gate. Runs every check over every cluster
 * (or the named ones) and the shared base; exits 1 when any finding is an error.
 */
import { command, exitWith, UsageError } from "../cli/command.ts";
import { ROOT } from "../model/paths.ts";
import { formatProgress, FORMATS, REPORTERS } from "./format.ts";
import { validateRepo } from "./validate.ts";

export const validateCommand = (root = ROOT) =>
  command({
    name: "validate",
    summary: "The pull-request gate: loads every cluster (or the named ones), checks that the " +
      "committed overlays and docs are fresh, renders each overlay and runs every check on " +
      "it (kubeconform, promtool, amtool, the policies, the dashboard linter and a real API " +
      "server's dry-run); prints every finding as file:line:col.",
    options: {
      format: {
        type: "string",
        default: "text",
        value: FORMATS.join("|"),
        help: "text for people, github for workflow annotations, json for tools",
      },
      "no-cache": { type: "boolean", default: false, help: "render and check everything again" },
      "no-api-server": {
        type: "boolean",
        default: false,
        help: "skip the API server's dry-run (about 10 s when no render is cached)",
      },
    },
    positionals: { usage: "[cluster…]" },
    findings: "an error found",
    async run({ values, positionals }, io) {
      const format = values.format;
      if (!(FORMATS as readonly string[]).includes(format)) {
        throw new UsageError(`--format expects ${FORMATS.join(", ")}, found ${format}`);
      }
      const terminal = Deno.stdout.isTerminal() && format === "text";
      const { findings, summary } = await validateRepo(root, {
        clusters: positionals,
        ...(values["no-cache"] ? { cacheDir: null } : {}),
        apiServer: !values["no-api-server"],
        ...(terminal ? { onProgress: (e) => io.out(formatProgress(e)) } : {}),
      });
      io.out(REPORTERS[format as keyof typeof REPORTERS](findings, summary));
      return summary.errors > 0 ? 1 : 0;
    },
  });

if (import.meta.main) await exitWith(validateCommand());
