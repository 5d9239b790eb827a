/**
 * Finds where a field path sits in a parsed YAML document, so findings on parsed data can name
 * a line and column. Paths read like `spec.template.spec.containers[grafana].image`: `[n]` is an
 * index, `[word]` the item of a list whose `name` is `word` (how Kubernetes merges lists).
 */
import { Document, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";

export type Segment = string | number | { name: string };

/** Splits `a.b[0].c[grafana]["x.y"]` into segments. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\[([^\]]+)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3]);
    else if (m[4] !== undefined) out.push({ name: m[4] });
  }
  return out;
}

/** Renders segments back to the path notation. */
export function formatPath(segments: readonly Segment[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else if (typeof s === "object") out += `[${s.name}]`;
    else if (/^[\w\-/$]+$/.test(s)) out += out === "" ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

export interface Located {
  /** The deepest node reached along the path. */
  node: Node;
  /** How many segments were matched (all of them when the whole path exists). */
  depth: number;
}

/** The node at `path`, or the deepest node on the way there. */
export function locate(root: Node | null | undefined, path: readonly Segment[]): Located | null {
  if (!root) return null;
  let node: Node = root;
  let depth = 0;
  for (const seg of path) {
    let next: unknown;
    if (isMap(node) && typeof seg === "string") {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      // Point at the value; fall back to the key when the value is empty.
      next = pair ? (pair.value ?? pair.key) : undefined;
    } else if (isSeq(node) && typeof seg === "number") {
      next = node.items[seg];
    } else if (isSeq(node) && typeof seg === "object") {
      next = node.items.find((i) => isMap(i) && i.get("name") === seg.name);
    }
    if (!next || typeof next !== "object") break;
    node = next as Node;
    depth++;
  }
  return { node, depth };
}

/** The key node of the last segment when it is a map key (findings read better on keys). */
export function keyNode(root: Node | null | undefined, path: readonly Segment[]): Node | null {
  const last = path[path.length - 1];
  if (typeof last !== "string") return null;
  const parent = locate(root, path.slice(0, -1));
  if (!parent || parent.depth !== path.length - 1 || !isMap(parent.node)) return null;
  const pair = parent.node.items.find((p) => isScalar(p.key) && String(p.key.value) === last);
  return pair && isScalar(pair.key) ? pair.key : null;
}

export interface Position {
  line: number;
  column: number;
}

export function positionOf(node: Node | null | undefined, lc: LineCounter): Position {
  const offset = node?.range?.[0] ?? 0;
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/**
 * Position of the character at `offset` of a scalar's value: exact when the file writes the value
 * as it reads (plain, or quoted without escapes or folding), else the scalar's first character.
 */
export function positionInScalar(node: Node, parsed: ParsedYaml, offset: number): Position {
  const [start = 0, end = start] = node.range ?? [];
  const raw = parsed.text.slice(start, end);
  const value = isScalar(node) ? String(node.value) : undefined;
  let at = start;
  if (value !== undefined && offset >= 0 && offset <= value.length) {
    if (raw === value) at = start + offset;
    else if (/^["']/.test(raw) && raw.slice(1, -1) === value) at = start + 1 + offset;
  }
  const p = parsed.lc.linePos(at);
  return { line: p.line, column: p.col };
}

/** A YAML text parsed into documents, with a line counter for positions. */
export interface ParsedYaml {
  text: string;
  docs: Document.Parsed[];
  lc: LineCounter;
}

export function parseYamlFile(text: string): ParsedYaml {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, keepSourceTokens: false });
  return { text, docs: Array.isArray(docs) ? docs : [], lc };
}

/**
 * Position of `path` in a document: its key when the whole path exists, else the deepest
 * existing node, else the document's start. `exact` says whether the whole path was found.
 */
export function positionInDoc(
  doc: Document.Parsed,
  lc: LineCounter,
  path: readonly Segment[],
): Position & { exact: boolean } {
  const found = locate(doc.contents, path);
  if (found && found.depth === path.length) {
    const key = keyNode(doc.contents, path);
    return { ...positionOf(key ?? found.node, lc), exact: true };
  }
  // A missing field: the key of the deepest part that exists (where it would be added).
  const depth = found?.depth ?? 0;
  const key = depth > 0 ? keyNode(doc.contents, path.slice(0, depth)) : null;
  const node = key ?? found?.node ?? doc.contents;
  return { ...positionOf(node, lc), exact: false };
}

/**
 * The path of the field written on `line` of a document: the key on that line, or the deepest
 * map entry or list item spanning it; null when the line is outside the document's contents.
 */
export function pathAtLine(doc: Document.Parsed, lc: LineCounter, line: number): Segment[] | null {
  const lineOf = (offset: number) => lc.linePos(offset).line;
  const spans = (node: unknown): boolean => {
    const range = (node as Node | null)?.range;
    if (!range) return false;
    return lineOf(range[0]) <= line && line <= lineOf(Math.max(range[0], range[1] - 1));
  };
  if (!spans(doc.contents)) return null;
  const path: Segment[] = [];
  let node: unknown = doc.contents;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((p) =>
        (isScalar(p.key) && p.key.range && lineOf(p.key.range[0]) === line) || spans(p.value)
      );
      if (!pair || !isScalar(pair.key)) return path;
      path.push(String(pair.key.value));
      // A key on this line is the answer, unless its value is a collection starting there too.
      if (pair.key.range && lineOf(pair.key.range[0]) === line && !spans(pair.value)) return path;
      if (pair.key.range && lineOf(pair.key.range[0]) === line && isScalar(pair.value)) return path;
      node = pair.value;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((item) => spans(item));
      if (i < 0) return path;
      path.push(i);
      node = node.items[i];
    } else return path;
  }
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): Position {
  let line = 1;
  let start = 0;
  for (let i = 0; i < Math.min(offset, text.length); i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      start = i + 1;
    }
  }
  return { line, column: offset - start + 1 };
}

/** The first line of `text` that contains `needle` (1-based), with its column; null if none. */
export function findLine(text: string, needle: string | RegExp): Position | null {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const idx = typeof needle === "string" ? line.indexOf(needle) : line.search(needle);
    if (idx >= 0) return { line: i + 1, column: idx + 1 };
  }
  return null;
}
