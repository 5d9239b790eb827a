/**
 * Where each alerting or recording rule is written: the base rule templates and the clusters'
 * `extraRules`. Rendered rules carry no positions; findings on them point here.
 */
import { isMap, isSeq, type Node } from "yaml";
import type { SourceFile, SourceLocation } from "./source_index.ts";
import type { Segment } from "../model/field_path.ts";
import { type ParsedYaml, parseYamlFile, positionInDoc } from "../model/yaml_locate.ts";

interface RuleEntry {
  file: string;
  parsed: ParsedYaml;
  node: Node;
}

export class RuleIndex {
  readonly #rules = new Map<string, RuleEntry[]>();
  /** Parsed at the first lookup: most runs make none. */
  #pending: SourceFile[] = [];

  /** Indexes every map with an `alert:` or `record:` key in a YAML file. */
  add(file: SourceFile): void {
    this.#pending.push(file);
  }

  #add(file: SourceFile): void {
    let parsed: ParsedYaml;
    try {
      parsed = parseYamlFile(file.text);
    } catch {
      return;
    }
    const visit = (node: unknown): void => {
      if (isSeq(node)) { for (const item of node.items) visit(item); }
      else if (isMap(node)) {
        const name = node.get("alert") ?? node.get("record");
        if (typeof name === "string" && node.has("expr")) {
          const list = this.#rules.get(name) ?? [];
          list.push({ file: file.path, parsed, node: node as Node });
          this.#rules.set(name, list);
          return;
        }
        for (const pair of node.items) visit(pair.value);
      }
    };
    for (const doc of parsed.docs) visit(doc.contents);
  }

  /**
   * Position of `field` (`labels.severity`) of the rule `name`, preferring files in `prefer`
   * (the cluster's own files); the rule's first line when the field is not written.
   */
  locate(
    name: string,
    field: readonly Segment[],
    prefer: (file: string) => boolean,
  ): SourceLocation | null {
    for (const f of this.#pending.splice(0)) this.#add(f);
    const entries = this.#rules.get(name);
    if (!entries) return null;
    const e = entries.find((x) => prefer(x.file)) ?? entries[0];
    if (!e) return null;
    // The rule's own map stands in for a document: paths are relative to the rule.
    const asDoc = { contents: e.node } as unknown as Parameters<typeof positionInDoc>[0];
    const p = positionInDoc(asDoc, e.parsed.lc, field);
    return { file: e.file, line: p.line, column: p.column };
  }
}
