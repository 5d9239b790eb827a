/**
 * The matchers a cluster writes in its Alertmanager configuration (route `matchers`, inhibition
 * `source_matchers` and `target_matchers`), read strictly (see matchers.ts) at their place in
 * `clusters/<name>/alertmanager.yaml`. amtool and Alertmanager accept what the lenient classic
 * parser accepts, so `severity == critical` passes them and never matches; here it is an error.
 */
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from "yaml";
import type { Finding } from "../model/finding.ts";
import { parseMatchers, suspiciousValue } from "./matchers.ts";
import type { SourceFile } from "./source_index.ts";
import { formatPath } from "../model/field_path.ts";
import { type ParsedYaml, parseYamlFile, positionInScalar } from "../model/yaml_locate.ts";

const CHECK = "routing/matchers";

/** Where the Alertmanager configuration sits in an AlertmanagerConfig CSC. */
const CONFIG_PATH = ["spec", "notification", "config"] as const;

/** Every matcher problem of an AlertmanagerConfig CSC file. */
export function matcherFindings(file: SourceFile): Finding[] {
  let parsed: ParsedYaml;
  try {
    parsed = parseYamlFile(file.text);
  } catch {
    return []; // the loader reports a file that does not parse
  }
  const doc = parsed.docs[0];
  if (!doc || doc.errors.length > 0) return [];
  let config: unknown = doc.contents;
  for (const key of CONFIG_PATH) config = isMap(config) ? config.get(key, true) : undefined;
  if (!isMap(config)) return [];
  const out: Finding[] = [];
  const prefix = CONFIG_PATH.join(".");

  const at = (node: Node, offset: number) => positionInScalar(node, parsed, offset);
  const finding = (node: Node, offset: number, field: string, message: string): Finding => ({
    severity: "error",
    file: file.path,
    ...at(node, offset),
    field,
    message,
    check: CHECK,
  });

  /** A list of matcher strings (`matchers`, `source_matchers`, `target_matchers`). */
  const checkList = (list: unknown, field: string, what: string) => {
    if (!isSeq(list)) return;
    list.items.forEach((item, i) => {
      if (!isScalar(item) || typeof item.value !== "string") return; // amtool reports the type
      const text = item.value;
      const itemField = `${field}[${i}]`;
      const parsedMatchers = parseMatchers(text);
      const e = parsedMatchers.error;
      if (e) {
        const classic = e.classicValue === undefined
          ? ""
          : `; Alertmanager falls back to its lenient classic parser, which reads the value as ` +
            `${JSON.stringify(e.classicValue)}, so ${what} never matches`;
        out.push(finding(
          item as Node,
          e.offset,
          itemField,
          `expected matchers Alertmanager's strict UTF-8 parser accepts, found ` +
            `${JSON.stringify(text)}: ${e.message} (column ${e.offset + 1})${classic}`,
        ));
        return;
      }
      for (const m of parsedMatchers.matchers) {
        const why = suspiciousValue(m.value);
        if (!why) continue;
        const fixed = m.value.replace(/^[\s=!~]+/, "");
        out.push(finding(
          item as Node,
          m.start,
          itemField,
          `expected a label value to compare with, found ${JSON.stringify(m.value)} in ` +
            `${JSON.stringify(text)}: ${why}; ${what} matches only alerts whose ${m.name} is ` +
            `literally that${
              fixed ? ` (did you mean ${m.name} ${m.op} ${JSON.stringify(fixed)}?)` : ""
            }`,
        ));
      }
    });
  };

  /** The deprecated label maps (`match`, `source_match`, …): the values alone are checked. */
  const checkMap = (map: unknown, field: string, what: string) => {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const v = pair.value;
      if (!isScalar(v) || typeof v.value !== "string" || !isScalar(pair.key)) continue;
      const why = suspiciousValue(v.value);
      if (!why) continue;
      out.push(finding(
        v as Node,
        0,
        `${field}.${String(pair.key.value)}`,
        `expected a label value to compare with, found ${JSON.stringify(v.value)}: ${why}; ` +
          `${what} matches only alerts whose ${String(pair.key.value)} is literally that`,
      ));
    }
  };

  const walkRoute = (route: unknown, path: Array<string | number>) => {
    if (!isMap(route)) return;
    const field = `${prefix}.${formatPath(path)}`;
    checkList(route.get("matchers", true), `${field}.matchers`, "the route");
    checkMap(route.get("match", true), `${field}.match`, "the route");
    const routes = route.get("routes", true);
    if (isSeq(routes)) routes.items.forEach((r, i) => walkRoute(r, [...path, "routes", i]));
  };
  walkRoute(config.get("route", true), ["route"]);

  const inhibit = (config as YAMLMap).get("inhibit_rules", true);
  if (isSeq(inhibit)) {
    inhibit.items.forEach((rule, i) => {
      if (!isMap(rule)) return;
      const field = `${prefix}.inhibit_rules[${i}]`;
      checkList(rule.get("source_matchers", true), `${field}.source_matchers`, "the inhibition");
      checkList(rule.get("target_matchers", true), `${field}.target_matchers`, "the inhibition");
      checkMap(rule.get("source_match", true), `${field}.source_match`, "the inhibition");
      checkMap(rule.get("target_match", true), `${field}.target_match`, "the inhibition");
    });
  }
  return out;
}
