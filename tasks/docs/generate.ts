/**
 * What `deno task docs` writes, computed from a repository checkout: the rule templates of
 * `base/rules/`, the schemas (code), and the example cluster folders of `examples/clusters/`
 * that supply the reference's examples. Also the freshness check validate runs.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { CLUSTER_FILES } from "../model/cluster.ts";
import type { Finding } from "../model/finding.ts";
import { readIfPresent } from "../model/load.ts";
import { ROOT } from "../model/paths.ts";
import { RULE_PARAM_INDEX, type RuleParamInfo } from "../model/rule_params.ts";
import { type RuleTemplate, TEMPLATE_SUFFIX } from "../rules/templates.ts";
import { describeDifference, firstDifference } from "../validate/freshness.ts";
import { renderDashboards } from "../dashboards/generated_files.ts";
import { alertRows, ALERTS_DOC, parameterAlerts, renderAlertsDoc } from "./alerts_doc.ts";
import {
  collectExamples,
  CONFIGURATION_DOC,
  type KindReference,
  referenceKinds,
  renderConfigurationDoc,
} from "./configuration_doc.ts";

/** The example cluster folders, each a cluster that loads without a finding. */
export const EXAMPLE_CLUSTERS_DIR = "examples/clusters";
/**
 * The example that sets every field it can; the others (`examples/clusters/<name>/`) show the
 * choices it cannot make at the same time (another way to authenticate, an opt-out).
 */
export const EXAMPLE_CLUSTER_DIR = `${EXAMPLE_CLUSTERS_DIR}/example`;
export const DOCS_COMMAND = "deno task docs";

/** The inputs of the generated documents, read from `root`. */
export interface DocInputs {
  templates: RuleTemplate[];
  index: readonly RuleParamInfo[];
  kinds: KindReference[];
  exampleFiles: { path: string; text: string }[];
}

/** Reads the templates (named from `root`, not from this checkout) and the example files. */
export async function loadDocInputs(root: string = ROOT): Promise<DocInputs> {
  const rulesDir = join(root, "base", "rules");
  const names = (await readdir(rulesDir)).filter((n) => n.endsWith(TEMPLATE_SUFFIX)).sort();
  const templates = await Promise.all(names.map(async (n) => ({
    name: n.slice(0, -TEMPLATE_SUFFIX.length),
    text: await readFile(join(rulesDir, n), "utf8"),
    file: `base/rules/${n}`,
  })));
  const exampleFiles: DocInputs["exampleFiles"] = [];
  for (const dir of await exampleClusterDirs(root)) {
    for (const f of Object.keys(CLUSTER_FILES)) {
      const path = `${dir}/${f}`;
      const text = await readIfPresent(join(root, path));
      if (text !== undefined) exampleFiles.push({ path, text });
    }
  }
  return { templates, index: RULE_PARAM_INDEX, kinds: referenceKinds(), exampleFiles };
}

/** The example cluster folders (with a cluster.yaml), EXAMPLE_CLUSTER_DIR first. */
export async function exampleClusterDirs(root: string = ROOT): Promise<string[]> {
  const dirs: string[] = [];
  for (const e of await readdir(join(root, EXAMPLE_CLUSTERS_DIR), { withFileTypes: true })) {
    const dir = `${EXAMPLE_CLUSTERS_DIR}/${e.name}`;
    if (e.isDirectory() && await readIfPresent(join(root, dir, "cluster.yaml")) !== undefined) {
      dirs.push(dir);
    }
  }
  return dirs.sort((a, b) =>
    a === EXAMPLE_CLUSTER_DIR ? -1 : b === EXAMPLE_CLUSTER_DIR ? 1 : a < b ? -1 : 1
  );
}

/** Path from the repository root → the text `deno task docs` writes there (pure). */
export function renderDocs(inputs: DocInputs): Map<string, string> {
  return new Map([
    [ALERTS_DOC, renderAlertsDoc(inputs.templates, inputs.index)],
    [
      CONFIGURATION_DOC,
      renderConfigurationDoc(
        inputs.kinds,
        collectExamples(inputs.exampleFiles),
        parameterAlerts(alertRows(inputs.templates, inputs.index)),
      ),
    ],
    // The dashboards, their folders and docs/dashboards.md, from tasks/dashboards/.
    ...renderDashboards(),
  ]);
}

/**
 * Compares the documents as `deno task docs` would write them (`expected`) with those on disk
 * (`actual`, undefined when missing): one error per stale or missing document (pure).
 */
export function docFindings(
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string | undefined>,
): Finding[] {
  const out: Finding[] = [];
  for (const [file, text] of expected) {
    const found = actual.get(file);
    const base = { severity: "error" as const, file, field: "", check: "docs" };
    if (found === undefined) {
      out.push({
        ...base,
        line: 0,
        column: 0,
        message: `expected this generated document, found it missing; run \`${DOCS_COMMAND}\``,
      });
      continue;
    }
    const d = firstDifference(text, found);
    if (!d) continue;
    out.push({
      ...base,
      line: d.line,
      column: 1,
      message: `stale: expected what \`${DOCS_COMMAND}\` writes now ${describeDifference(d)}; ` +
        `the rules, the schema, tasks/dashboards/ or ${EXAMPLE_CLUSTERS_DIR}/ changed: run \`${DOCS_COMMAND}\``,
    });
  }
  return out;
}

/** The documents of `root` as they are on disk. */
export async function readDocs(
  root: string,
  files: Iterable<string>,
): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  for (const f of files) out.set(f, await readIfPresent(join(root, f)));
  return out;
}

/**
 * Whether docs/alerts.md and docs/configuration.md of `root` are what `deno task docs` writes
 * now; a stale or missing one is an error naming the file and the command. For validate.
 */
export async function docsFreshness(root: string = ROOT): Promise<Finding[]> {
  const expected = renderDocs(await loadDocInputs(root));
  return docFindings(expected, await readDocs(root, expected.keys()));
}
