/**
 * What `deno task docs` writes from the dashboard catalog (pure): each dashboard's JSON in
 * base/dashboards/, the kustomization that packs each folder into one ConfigMap, Grafana's
 * providers (one per folder, base/grafana/dashboards.yaml) and docs/dashboards.md.
 */
import { stringify } from "yaml";
import { cell, code, generatedHeader } from "../docs/markdown.ts";
import { dashboardFile, type Folder, folderConfigMap, folderPath, FOLDERS } from "./catalog.ts";
import { dashboard, type DashboardSpec, DATASOURCES } from "./grafana.ts";

export const DASHBOARDS_DIR = "base/dashboards";
export const PROVIDERS_FILE = "base/grafana/dashboards.yaml";
export const DASHBOARDS_DOC = "docs/dashboards.md";
const SOURCES = "tasks/dashboards/";
const COMMAND = "deno task docs";

/** A dashboard's file: its JSON model, saying first where it comes from. */
export function dashboardJson(spec: DashboardSpec): string {
  const model = { __generated: `from ${SOURCES} by ${COMMAND}; do not edit`, ...dashboard(spec) };
  return JSON.stringify(model, null, 2) + "\n";
}

function yamlHeader(): string {
  return `# generated from ${SOURCES} by ${COMMAND}; do not edit`;
}

/** One ConfigMap per folder, holding its dashboards, labelled for Grafana. */
export function dashboardsKustomization(folders: readonly Folder[]): string {
  return `${yamlHeader()}\n# One ConfigMap per Grafana folder; base/grafana mounts each where its provider reads.\n${
    stringify({
      apiVersion: "kustomize.config.k8s.io/v1beta1",
      kind: "Kustomization",
      configMapGenerator: folders.map((f) => ({
        name: folderConfigMap(f),
        files: f.dashboards.map(dashboardFile),
        options: { disableNameSuffixHash: true, labels: { grafana_dashboard: "1" } },
      })),
    }, { lineWidth: 0 })
  }`;
}

/** Grafana's dashboard providers: each folder's directory shown as that folder. */
export function providersYaml(folders: readonly Folder[]): string {
  return `${yamlHeader()}\n# Grafana's dashboard providers, one per folder: the files under ${"/etc/grafana/dashboards/<folder>"}\n# (the ConfigMaps of base/dashboards/) appear in that Grafana folder.\n${
    stringify({
      apiVersion: 1,
      providers: folders.map((f) => ({
        name: f.slug,
        folder: f.title,
        folderUid: f.slug,
        type: "file",
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: folderPath(f) },
      })),
    }, { lineWidth: 0 })
  }`;
}

/** docs/dashboards.md: every folder and dashboard, as Grafana shows them. */
export function dashboardsDoc(folders: readonly Folder[]): string {
  const count = folders.reduce((n, f) => n + f.dashboards.length, 0);
  const out = [
    generatedHeader(SOURCES),
    "# Default dashboards",
    "",
    `Grafana shows ${count} dashboards in ${folders.length} folders: ${
      folders.map((f) => `**${f.title}**`).join(", ")
    }. Each folder is one ConfigMap of ${code("base/dashboards/")} mounted where its provider ` +
    `(${code(PROVIDERS_FILE)}) reads, so the folders below are exactly the ones Grafana lists; ` +
    "the dashboards are read-only there (provisioned). They are written in TypeScript under " +
    `${code(SOURCES)} and rendered to JSON by ${code(COMMAND)}; edit the builders, not the JSON.`,
    "",
    `Every dashboard reads the datasource ${code(DATASOURCES.deduplicated)}, Thanos Query ` +
    "deduplicating the Prometheus replicas, except **HA replicas**, which reads " +
    `${code(DATASOURCES.replicas)}: the same Thanos Query with ${code("dedup=false")}, so each ` +
    "replica's series keep their replica label and show side by side.",
    "",
  ];
  for (const f of folders) {
    out.push(
      `## ${f.title}`,
      "",
      f.about,
      "",
      "| Dashboard | uid | What it shows |",
      "| --- | --- | --- |",
      ...f.dashboards.map((d) =>
        `| ${cell(d.title)} | ${code(d.uid)} | ${cell(d.description)}${
          d.datasource && d.datasource !== DATASOURCES.deduplicated
            ? ` Reads ${code(d.datasource)}.`
            : ""
        } |`
      ),
      "",
    );
  }
  return out.join("\n").replace(/\n+$/, "\n");
}

/** Path from the repository root → text, for every file the catalog makes. */
export function renderDashboards(folders: readonly Folder[] = FOLDERS): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of folders) {
    for (const d of f.dashboards) {
      out.set(`${DASHBOARDS_DIR}/${dashboardFile(d)}`, dashboardJson(d));
    }
  }
  out.set(`${DASHBOARDS_DIR}/kustomization.yaml`, dashboardsKustomization(folders));
  out.set(PROVIDERS_FILE, providersYaml(folders));
  out.set(DASHBOARDS_DOC, dashboardsDoc(folders));
  return out;
}
