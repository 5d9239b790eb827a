/**
 * Cluster folder checks the loader does not make: files that are not part of the contract
 * (a misspelt `prometheus.yml` would be silently ignored), rules that span clusters (two clusters
 * on one destination, one ingress host twice) and fields whose combination is suspicious.
 */
import type { Cluster } from "../model/merged_cluster.ts";
import { CLUSTER_FILES } from "../model/cluster.ts";
import { fileFinding, type Finding } from "../model/finding.ts";
import { didYouMean, locate } from "../model/load.ts";
import { parseDuration } from "../model/units.ts";

const CHECK = "cluster-folder";

/** What may sit in a cluster folder besides the CSC files. */
export const EXTRA_ENTRIES = ["routes-test.yaml", "rules-tests", "README.md"] as const;

/**
 * Entries of `clusters/<name>/` that are not part of the contract. `entries` are names directly
 * in the folder (folders with a trailing `/`).
 */
export function unexpectedEntries(dir: string, entries: readonly string[]): Finding[] {
  const allowed = [...Object.keys(CLUSTER_FILES), ...EXTRA_ENTRIES];
  const out: Finding[] = [];
  for (const e of entries) {
    const name = e.replace(/\/$/, "");
    if (allowed.includes(name) || name.endsWith(".md") || name.startsWith(".")) continue;
    const guess = didYouMean(name, allowed);
    out.push(
      fileFinding(
        `${dir}/${name}`,
        `unexpected ${e.endsWith("/") ? "folder" : "file"} in a cluster folder; ${
          guess ? `did you mean \`${guess}\`? ` : ""
        }(expected ${allowed.join(", ")})`,
        CHECK,
      ),
    );
  }
  return out;
}

/** Files in `rules-tests/` that are not YAML: promtool would never run them. */
export function unexpectedRuleTests(dir: string, names: readonly string[]): Finding[] {
  return names.filter((n) => !/\.ya?ml$/.test(n)).map((
    n,
  ) => (fileFinding(
    `${dir}/rules-tests/${n}`,
    "expected a promtool test file (*.yaml), found a file promtool will never run",
    CHECK,
  )));
}

function at(c: Cluster, file: keyof typeof CLUSTER_FILES, path: (string | number)[]) {
  const src = c.sources[file];
  if (!src) return { file: `${c.dir}/${file}`, line: 0, column: 0 };
  return { file: src.path, ...locate(src, path) };
}

/** Rules between the fields of one loaded cluster that the schema does not express. */
export function clusterFieldFindings(c: Cluster): Finding[] {
  const out: Finding[] = [];
  const scrape = parseDuration(c.spec.scrapeInterval);
  const evaluation = parseDuration(c.spec.evaluationInterval);
  if (evaluation < scrape) {
    out.push({
      severity: "warning",
      ...at(c, "cluster.yaml", ["spec", "evaluationInterval"]),
      field: "spec.evaluationInterval",
      message:
        `expected an evaluation interval at least the scrape interval (${c.spec.scrapeInterval}), ` +
        `found ${c.spec.evaluationInterval}: rules would be evaluated on the same samples twice`,
      check: CHECK,
    });
  }
  const retention = parseDuration(c.prometheus.config.retention_time);
  if (retention < 2 * 3600_000) {
    out.push({
      severity: "error",
      ...at(c, "prometheus.yaml", ["spec", "config", "retention_time"]),
      field: "spec.config.retention_time",
      message: `expected a retention of at least 2h (the Thanos sidecar uploads and serves 2h ` +
        `blocks), found ${c.prometheus.config.retention_time}`,
      check: CHECK,
    });
  }
  return out;
}

/**
 * Rules across clusters: distinct destinations among the clusters Argo CD deploys (Flux runs in
 * each cluster, and `none` is not deployed from git), distinct ingress hosts.
 */
export function crossClusterFindings(clusters: readonly Cluster[]): Finding[] {
  const out: Finding[] = [];
  const destinations = new Map<string, string>();
  const hosts = new Map<string, string>();
  for (const c of clusters) {
    const d = `${c.spec.destination.server} ${c.spec.destination.namespace}`;
    const other = c.spec.reconciler === "argocd" ? destinations.get(d) : undefined;
    if (c.spec.reconciler !== "argocd") {
      // not deployed by Argo CD: no shared destination to collide on
    } else if (other !== undefined) {
      out.push({
        severity: "error",
        ...at(c, "cluster.yaml", ["spec", "destination"]),
        field: "spec.destination",
        message:
          `expected a destination no other cluster uses, found ${c.spec.destination.server} ` +
          `namespace ${c.spec.destination.namespace}, which cluster ${other} deploys to too ` +
          "(the two would overwrite each other)",
        check: CHECK,
      });
    } else destinations.set(d, c.name);
    for (const key of ["grafanaHost", "thanosHost"] as const) {
      const host = c.spec.ingress?.[key];
      if (!host) continue;
      const prev = hosts.get(host);
      if (prev !== undefined) {
        out.push({
          severity: "error",
          ...at(c, "cluster.yaml", ["spec", "ingress", key]),
          field: `spec.ingress.${key}`,
          message: `expected a host name no other ingress uses, found ${host}, used by ${prev}`,
          check: CHECK,
        });
      } else hosts.set(host, `cluster ${c.name} (${key})`);
    }
  }
  return out;
}
