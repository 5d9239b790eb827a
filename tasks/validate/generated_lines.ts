/**
 * Which cluster value a line of a generated overlay file carries: `patches/prometheus-k8s.yaml`
 * line 17, `retention: 8d`, is `spec.config.retention_time` of the cluster's prometheus.yaml. A
 * finding on a generated line (a stale overlay) is reported at that value, the line a person
 * edits.
 */
import { isMap, isScalar, type Node } from "yaml";
import { type ClusterSpot, type ClusterValues, valueAt } from "./cluster_values.ts";
import { locate, type ParsedYaml, parseYamlFile, pathAtLine, type Segment } from "./yaml_locate.ts";

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
