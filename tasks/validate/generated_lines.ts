/**
 * Which cluster value a line of a generated overlay file carries: `patches/prometheus-k8s.yaml`
 * line 17, `retention: 8d`, is `spec.config.retention_time` of the cluster's prometheus.yaml. A
 * finding on a generated line (a stale overlay) is reported at that value, the line a person
 * edits.
 */
import { isMap, isScalar, type Node } from "yaml";
import { ruleSetSlug } from "../generate/rules.ts";
import { COMPONENT_IDS, type ComponentId, COMPONENTS, PRESETS } from "../model/components.ts";
import { type ClusterSpot, type ClusterValues, valueAt } from "./cluster_values.ts";
import type { Segment } from "../model/field_path.ts";
import { locate, type ParsedYaml, parseYamlFile, pathAtLine } from "../model/yaml_locate.ts";

/**
 * The spot in the cluster's folder that `line` of the generated file `path` (relative to the
 * overlay) is written from; null when that line comes from base/, versions.json or defaults.
 * `overlay` is the whole overlay as generate writes it.
 */
export function generatedLineSource(
  overlay: ReadonlyMap<string, string>,
  path: string,
  line: number,
  values: ClusterValues,
): ClusterSpot | null {
  const text = overlay.get(path);
  if (text === undefined) return null;
  if (path.endsWith(".ini")) return iniLine(text, line, values);
  // A component's rule file is there because the cluster exposes the component: its heading
  // (the comment, apiVersion, kind, metadata) comes from spec.components, its rules from base/.
  const ruleOwner = /^rules\/([^/]+)\.yaml$/.exec(path)?.[1];
  const fileOwner = ruleOwner === undefined ? undefined : ownerOfRuleFile(ruleOwner);
  if (fileOwner && !/^spec:/m.test(text.split("\n").slice(0, line).join("\n"))) {
    return componentSpot(fileOwner, values);
  }
  let parsed: ParsedYaml;
  try {
    parsed = parseYamlFile(text);
  } catch {
    return null;
  }
  const doc = parsed.docs.find((d) => pathAtLine(d, parsed.lc, line) !== null);
  if (!doc || doc.errors.length > 0) return null;
  const at = pathAtLine(doc, parsed.lc, line) ?? [];
  const value = doc.toJS();

  if (path === "config/alertmanager.yaml") {
    const spot = values.ofAlertmanagerConfig(at, value);
    // A line of the default configuration is not the cluster's.
    return spot?.written ? spot : null;
  }
  if (/(^|\/)kustomization\.ya?ml$/.test(path)) {
    if (at[0] === "namespace") return values.ofObject("Namespace", "", "metadata.namespace");
    if (at[0] === "resources" && typeof at[1] === "number") {
      const resources = valueAt(value, ["resources"]);
      if (Array.isArray(resources)) return componentResourceLine(resources, at[1], values);
    }
    if (at[0] === "replicas" && typeof at[1] === "number") {
      const name = valueAt(value, ["replicas", at[1], "name"]);
      if (typeof name === "string") return values.ofObject("Deployment", name, "spec.replicas");
    }
    return null;
  }
  if (isMap(doc.contents)) {
    const kind = valueAt(value, ["kind"]);
    const name = valueAt(value, ["metadata", "name"]);
    if (typeof kind !== "string" || typeof name !== "string" || at.length === 0) return null;
    return values.ofObject(kind, name, at, {
      value: valueAt(value, at),
      object: value,
      line: lineInValue(doc.contents, parsed, at, line),
    });
  }
  return null;
}

/** Which line of a multi-line string value `line` of the file is (0 for its first). */
function lineInValue(
  root: unknown,
  parsed: ParsedYaml,
  path: Segment[],
  line: number,
): number | undefined {
  const found = locate(root as Node, path);
  const node = found?.depth === path.length ? found.node : undefined;
  if (!isScalar(node) || typeof node.value !== "string" || !node.range) return undefined;
  const start = parsed.lc.linePos(node.range[0]).line;
  // A block scalar's text starts on the line after its `|` or `>` header.
  const block = node.type === "BLOCK_LITERAL" || node.type === "BLOCK_FOLDED";
  return line - start - (block ? 1 : 0);
}

/** `key = value` under `[section]` of a generated grafana.ini. */
function iniLine(text: string, line: number, values: ClusterValues): ClusterSpot | null {
  const lines = text.split("\n");
  const key = /^\s*([^=\s;#[]+)\s*=/.exec(lines[line - 1] ?? "")?.[1];
  if (key === undefined) return null;
  for (let i = line - 2; i >= 0; i--) {
    const section = /^\s*\[([^\]]+)\]/.exec(lines[i] ?? "")?.[1];
    if (section !== undefined) return values.ofGrafanaIni(section.trim(), key);
  }
  return null;
}

/** The component whose rule template `slug` renders (`rules/<slug>.yaml`), if any. */
function ownerOfRuleFile(slug: string): ComponentId | undefined {
  return COMPONENT_IDS.find((id) => COMPONENTS[id].ruleSets.some((n) => ruleSetSlug(n) === slug));
}

/** The overlay entries a component puts in kustomization.yaml `resources`. */
function componentEntries(id: ComponentId): string[] {
  return [
    `../../base/kubernetes/${COMPONENTS[id].dir}`,
    ...COMPONENTS[id].ruleSets.map((n) => `rules/${ruleSetSlug(n)}.yaml`),
  ];
}

/** The component an entry of `resources` is there for, if any. */
function ownerOfEntry(entry: unknown): ComponentId | undefined {
  if (typeof entry !== "string") return undefined;
  const dir = /^\.\.\/\.\.\/base\/kubernetes\/([^/]+)$/.exec(entry)?.[1];
  if (dir !== undefined) return COMPONENT_IDS.find((id) => COMPONENTS[id].dir === dir);
  const slug = /^rules\/([^/]+)\.yaml$/.exec(entry)?.[1];
  return slug === undefined ? undefined : ownerOfRuleFile(slug);
}

/** Where an entry sorts in the resources generate writes: base, monitors, ingress, rules. */
function entryOrder(entry: unknown): string {
  if (typeof entry !== "string") return "9";
  const dir = /^\.\.\/\.\.\/base\/kubernetes\/([^/]+)$/.exec(entry)?.[1];
  if (dir !== undefined) {
    const i = COMPONENT_IDS.findIndex((id) => COMPONENTS[id].dir === dir);
    return `1:${String(i).padStart(2, "0")}`;
  }
  if (entry === "ingress.yaml") return "2";
  if (entry.startsWith("rules/")) return `3:${entry}`;
  return "0";
}

/**
 * Which `spec.components` value line `i` of kustomization.yaml `resources` comes from: the
 * entry's own component, or, when a hidden component's entry would sit right before it (the
 * entries after a left-out one move up a line) against the cluster's preset, that component: the
 * value a person changed.
 */
function componentResourceLine(
  resources: readonly unknown[],
  i: number,
  values: ClusterValues,
): ClusterSpot | null {
  const here = entryOrder(resources[i]);
  const prev = i > 0 ? entryOrder(resources[i - 1]) : "";
  const present = new Set(resources);
  const gap = COMPONENT_IDS.filter((id) =>
    componentEntries(id).some((e) => {
      const o = entryOrder(e);
      return !present.has(e) && prev < o && o < here;
    })
  );
  const preset = String(values.value("cluster.yaml", ["spec", "components", "preset"]) ?? "");
  const defaults: Partial<Record<ComponentId, boolean>> =
    (PRESETS as Record<string, Record<ComponentId, boolean>>)[preset] ??
      PRESETS["self-managed"];
  const cause = gap.find((id) => defaults[id]) ?? ownerOfEntry(resources[i]) ?? gap[0];
  return cause === undefined ? null : componentSpot(cause, values);
}

/** The line of cluster.yaml that decides whether component `id` is scraped. */
function componentSpot(id: ComponentId, values: ClusterValues): ClusterSpot | null {
  const own = values.at("cluster.yaml", ["spec", "components", id]);
  if (own?.written) return own;
  const preset = values.at("cluster.yaml", ["spec", "components", "preset"]);
  return preset?.written ? preset : null;
}
