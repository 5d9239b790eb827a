/**
 * The examples the guides show, taken out of their Markdown: ```yaml blocks (each document
 * classified as a cluster-folder file, a route test, a rule test or a Kubernetes object) and the
 * `deno task …` / `./dev …` commands. Pure: the tests run the real tools on what this returns.
 */
import { parseAllDocuments } from "yaml";
import { CLUSTER_FILES, type ClusterFileName } from "../model/cluster.ts";

/** A fenced block of a Markdown file. */
export interface CodeBlock {
  file: string;
  /** 1-based line of the block's first content line. */
  line: number;
  lang: string;
  text: string;
}

/** Every fenced code block (``` or ~~~, indented or not) of a Markdown text. */
export function codeBlocks(file: string, markdown: string): CodeBlock[] {
  const out: CodeBlock[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i] as string);
    if (!open) continue;
    const [, indent = "", fence = "", lang = ""] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const l = lines[j] as string;
      if (l.trim().startsWith(fence) && l.trim().replace(/[`~]/g, "") === "") break;
      body.push(l.startsWith(indent) ? l.slice(indent.length) : l.trimStart());
    }
    out.push({ file, line: i + 2, lang, text: body.join("\n") + "\n" });
    i = j;
  }
  return out;
}

export type ExampleKind =
  | { kind: "cluster-file"; file: ClusterFileName }
  | { kind: "route-test" }
  | { kind: "rule-test" }
  | { kind: "kubernetes" }
  | { kind: "unknown" };

const FILE_OF_KIND = new Map<string, ClusterFileName>(
  Object.entries(CLUSTER_FILES).map(([file, kind]) => [kind, file as ClusterFileName]),
);

/** What a parsed YAML document is an example of. */
export function classify(doc: unknown): ExampleKind {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) return { kind: "unknown" };
  const d = doc as Record<string, unknown>;
  const file = typeof d.kind === "string" ? FILE_OF_KIND.get(d.kind) : undefined;
  if (file) return { kind: "cluster-file", file };
  if (Array.isArray(d.cases)) return { kind: "route-test" };
  if (Array.isArray(d.rule_files) && Array.isArray(d.tests)) return { kind: "rule-test" };
  if (typeof d.apiVersion === "string" && typeof d.kind === "string") return { kind: "kubernetes" };
  return { kind: "unknown" };
}

/** One YAML document of a block, parsed, or the parser's first error. */
export interface YamlExample {
  block: CodeBlock;
  /** Index of the document in its block. */
  index: number;
  value: unknown;
  error?: string;
  what: ExampleKind;
}

/** The documents of every ```yaml block of a Markdown text, in order. */
export function yamlExamples(file: string, markdown: string): YamlExample[] {
  return codeBlocks(file, markdown)
    .filter((b) => b.lang === "yaml" || b.lang === "yml")
    .flatMap((block) =>
      parseAllDocuments(block.text).map((doc, index): YamlExample => {
        const first = doc.errors[0];
        if (first) {
          return {
            block,
            index,
            value: undefined,
            error: first.message,
            what: { kind: "unknown" },
          };
        }
        const value = doc.toJS();
        return { block, index, value, what: classify(value) };
      })
    );
}

/** A `deno task X` or `./dev X` in a text, with where it is. */
export interface TaskMention {
  file: string;
  line: number;
  task: string;
}

/** Every task a text names through `deno task` or `./dev`. */
export function taskMentions(file: string, text: string): TaskMention[] {
  const out: TaskMention[] = [];
  text.split("\n").forEach((l, i) => {
    for (const m of l.matchAll(/(?:\bdeno task|(?:^|[\s`(])\.\/dev)\s+([a-z][\w-]*)/g)) {
      out.push({ file, line: i + 1, task: m[1] as string });
    }
  });
  return out;
}
