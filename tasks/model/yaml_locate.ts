/**
 * Where a field path sits in a parsed YAML document, so findings on parsed data can name a line
 * and column (paths in the notation of field_path.ts). One walk, `locate()`, under every lookup.
 */
import { Document, isMap, isScalar, isSeq, LineCounter, type Node, parseAllDocuments } from "yaml";
import type { Segment } from "./field_path.ts";
import type { Position } from "./text_position.ts";

export interface Located {
  /** The deepest node reached along the path: a value, or the key of an empty value. */
  node: Node;
  /** How many segments were matched (all of them when the whole path exists). */
  depth: number;
  /** The key of the last map entry matched on the way, if any. */
  key?: Node;
}

/** The node at `path`, or the deepest node on the way there; null without a root. */
export function locate(root: Node | null | undefined, path: readonly Segment[]): Located | null {
  if (!root) return null;
  let node: Node = root;
  let key: Node | undefined;
  let depth = 0;
  for (const seg of path) {
    let next: unknown;
    let nextKey: Node | undefined;
    if (isMap(node) && typeof seg === "string") {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      // Point at the value; at the key when the value is empty (`field:` with nothing after).
      next = pair ? (pair.value ?? pair.key) : undefined;
      nextKey = pair && isScalar(pair.key) ? pair.key : undefined;
    } else if (isSeq(node) && typeof seg === "number") {
      next = node.items[seg];
    } else if (isSeq(node) && typeof seg === "object") {
      next = node.items.find((i) => isMap(i) && i.get("name") === seg.name);
    }
    if (!next || typeof next !== "object") break;
    node = next as Node;
    if (nextKey) key = nextKey;
    depth++;
  }
  return { node, depth, ...(key ? { key } : {}) };
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
 * Position of the value at `path` in a document (its key when the value is empty); for a path
 * that does not exist, the key of the deepest entry on the way (where the field would go).
 */
export function valuePosition(
  doc: Document.Parsed,
  lc: LineCounter,
  path: readonly Segment[],
): Position {
  const at = locate(doc.contents, path);
  if (!at) return { line: 1, column: 1 };
  const found = at.depth === path.length;
  return positionOf(found ? at.node : (at.key ?? at.node), lc);
}

/**
 * Position of the key `key` of the map at `path` (an unknown key); the map's position when it is
 * not there.
 */
export function keyPosition(
  doc: Document.Parsed,
  lc: LineCounter,
  path: readonly Segment[],
  key: string,
): Position {
  const pair = keyNode(doc.contents, [...path, key]);
  return pair ? positionOf(pair, lc) : valuePosition(doc, lc, path);
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
