/**
 * `deno task docs [--check]`: writes docs/alerts.md and docs/configuration.md from the rule
 * templates, the schema and the example cluster folder; with --check, writes nothing and exits 1
 * when either is stale.
 */
import { join } from "node:path";
import { formatFinding } from "../model/finding.ts";
import { ROOT } from "../model/paths.ts";
import { writeFileAtomic } from "../generate/write.ts";
import { docFindings, loadDocInputs, readDocs, renderDocs } from "./generate.ts";

export const USAGE = "usage: deno task docs [--check]";

/** Runs the task in `root`; returns the exit code (0 ok, 1 stale with --check, 2 bad usage). */
export async function main(args: readonly string[], root: string = ROOT): Promise<number> {
  const check = args.includes("--check");
  const unknown = args.filter((a) => a !== "--check");
  if (unknown.length > 0) {
    console.error(`unknown argument ${unknown[0]}\n${USAGE}`);
    return 2;
  }
  const expected = renderDocs(await loadDocInputs(root));
  const findings = docFindings(expected, await readDocs(root, expected.keys()));
  if (check) {
    for (const f of findings) console.error(formatFinding(f));
    if (findings.length === 0) console.log(`${[...expected.keys()].join(" and ")} are up to date`);
    return findings.length > 0 ? 1 : 0;
  }
  const stale = new Set(findings.map((f) => f.file));
  for (const [file, text] of expected) {
    if (stale.has(file)) await writeFileAtomic(join(root, file), text);
    console.log(`${stale.has(file) ? "wrote" : "unchanged"} ${file}`);
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
