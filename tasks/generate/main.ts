/**
 * `deno task generate [--check] [cluster…]`: writes `overlays/<name>/` for each cluster (all of
 * them by default) and `schemas/cluster.schema.json`; with `--check`, writes nothing and lists
 * every file that is stale.
 */
import { join } from "node:path";
import { command, exitWith, UsageError } from "../cli/command.ts";
import { existsSync } from "node:fs";
import type { Cluster } from "../model/merged_cluster.ts";
import { type Finding, formatFinding, hasErrors } from "../model/finding.ts";
import { CLUSTER_SCHEMA_PATH, renderClusterJsonSchema } from "../model/jsonschema.ts";
import { clusterNames, loadCluster } from "../model/load.ts";
import { CLUSTERS_DIR, OVERLAYS_DIR, ROOT } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { loadOverlayInputs, renderOverlay } from "./overlay.ts";
import { readTree, staleFiles, writeFileAtomic, writeOverlays } from "./write.ts";

export interface GenerateOptions {
  root?: string;
  check?: boolean;
  /** Cluster names; empty = every cluster (and overlays of removed clusters are pruned). */
  names?: readonly string[];
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/**
 * Runs the task; returns the exit code (0 ok, 1 findings in clusters/ or stale files); throws a
 * UsageError for a cluster that does not exist.
 */
export async function generate(opts: GenerateOptions = {}): Promise<number> {
  const root = opts.root ?? ROOT;
  const clustersDir = root === ROOT ? CLUSTERS_DIR : join(root, "clusters");
  const overlaysDir = root === ROOT ? OVERLAYS_DIR : join(root, "overlays");
  const out = opts.out ?? console.log;
  const err = opts.err ?? console.error;
  const all = await clusterNames(clustersDir);
  const names = opts.names?.length ? [...opts.names] : all;
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(
      `${unknown.map((n) => `clusters/${n}/cluster.yaml`).join(", ")} does not exist; ` +
        `clusters are: ${all.join(", ")}`,
    );
  }

  const clusters: Cluster[] = [];
  const findings: Finding[] = [];
  for (const name of names) {
    const r = await loadCluster(join(clustersDir, name), root);
    findings.push(...r.findings);
    if (r.cluster) clusters.push(r.cluster);
  }
  for (const f of findings) err(formatFinding(f));
  if (hasErrors(findings)) {
    err(
      `generate: nothing written; fix the ${
        findings.filter((f) => f.severity === "error").length
      } error(s) above`,
    );
    return 1;
  }

  const versions = loadVersions();
  const inputs = await loadOverlayInputs(join(root, "base"));
  const overlays = new Map(clusters.map((c) => [c.name, renderOverlay(c, versions, inputs)]));
  const schema = renderClusterJsonSchema();

  if (opts.check) {
    const expected = new Map<string, string>([[CLUSTER_SCHEMA_PATH, schema]]);
    const actual = new Map<string, string>();
    const schemaPath = join(root, CLUSTER_SCHEMA_PATH);
    if (existsSync(schemaPath)) actual.set(CLUSTER_SCHEMA_PATH, Deno.readTextFileSync(schemaPath));
    for (const [name, files] of overlays) {
      for (const [path, text] of files) expected.set(`overlays/${name}/${path}`, text);
    }
    const onDisk = await readTree(overlaysDir, "overlays/");
    for (const [path, text] of onDisk) {
      // A partial check (named clusters) looks at those overlays only.
      if (opts.names?.length && !overlays.has(path.split("/")[1] ?? "")) continue;
      actual.set(path, text);
    }
    const stale = staleFiles(expected, actual);
    for (const line of stale) err(line);
    if (stale.length > 0) return 1;
    out(`generate --check: ${overlays.size} overlay(s) and ${CLUSTER_SCHEMA_PATH} are up to date`);
    return 0;
  }

  await writeOverlays(overlaysDir, overlays, { prune: !opts.names?.length });
  await writeFileAtomic(join(root, CLUSTER_SCHEMA_PATH), schema);
  for (const [name, files] of overlays) out(`wrote overlays/${name}/ (${files.size} files)`);
  out(`wrote ${CLUSTER_SCHEMA_PATH}`);
  return 0;
}

export const generateCommand = command({
  name: "generate",
  summary: "Writes overlays/<name>/ for each cluster (every one by default; then the overlays " +
    "of removed clusters are pruned) and schemas/cluster.schema.json, from clusters/<name>/, " +
    "base/ and versions.json. Nothing is written when a cluster's files have an error.",
  options: {
    check: {
      type: "boolean",
      default: false,
      help: "write nothing; list every stale or missing generated file",
    },
  },
  positionals: { usage: "[cluster…]" },
  findings: "an error in clusters/, or (with --check) a stale file",
  run: ({ values, positionals }, io) =>
    generate({ names: positionals, check: values.check, out: io.out, err: io.err }),
});

if (import.meta.main) await exitWith(generateCommand);
