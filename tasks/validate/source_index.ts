/**
 * Where each rendered object comes from. kustomize prints objects without positions, so findings
 * on rendered manifests are pointed back at the base or overlay file that defines (or patches)
 * the object: an index from `Kind/name` to the YAML documents naming it.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import { parsePath, type Segment } from "../model/field_path.ts";
import { findLine, type Position } from "../model/text_position.ts";
import { type ParsedYaml, parseYamlFile, positionInDoc, positionOf } from "../model/yaml_locate.ts";

export interface SourceFile {
  /** Relative to the repository root, forward slashes. */
  path: string;
  text: string;
}

interface Entry {
  file: string;
  parsed: ParsedYaml;
  docIndex: number;
  /** A patch (overlay) rather than the object's definition. */
  overlay: boolean;
  /** For a JSON 6902 operation: its path, and its own position. */
  op?: { path: Segment[]; position: Position };
  /** For a generator entry (configMapGenerator/secretGenerator): the `name:` position. */
  generator?: Position;
  /** A generator's data keys → the file (path and text) each is read from. */
  dataFiles?: Map<string, SourceFile>;
}

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

interface Pending {
  file: SourceFile;
  overlay: boolean;
  resolve?: ((path: string) => string | undefined) | undefined;
  /** The file's entries once parsed (shared by the forks). */
  entries?: Array<[string, Entry]>;
}

/** `Kind/name` → where it is written, overlay entries first. */
export class SourceIndex {
  readonly #entries = new Map<string, Entry[]>();
  /** Files added but not parsed yet: parsing waits for the first lookup (most runs make none). */
  #pending: Pending[] = [];
  /** While a file is parsed, where its entries go. */
  #collect: Array<[string, Entry]> | undefined;

  /** A copy sharing the files (each parsed once for all copies), to add an overlay's files to. */
  fork(): SourceIndex {
    const copy = new SourceIndex();
    for (const [k, list] of this.#entries) copy.#entries.set(k, [...list]);
    copy.#pending = [...this.#pending];
    return copy;
  }

  #parsePending(): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) {
      if (!p.entries) {
        p.entries = [];
        this.#collect = p.entries;
        this.#add(p.file, p.overlay, p.resolve);
        this.#collect = undefined;
      }
      for (const [key, e] of p.entries) this.#push(key, e);
    }
  }

  /**
   * Adds every document of a YAML file. `overlay` files win over base files. `resolve` reads a
   * file a kustomization names (its JSON 6902 patch files), by path from the repository root.
   */
  add(file: SourceFile, overlay: boolean, resolve?: (path: string) => string | undefined): void {
    if (/\.ya?ml$/.test(file.path)) this.#pending.push({ file, overlay, resolve });
  }

  #add(file: SourceFile, overlay: boolean, resolve?: (path: string) => string | undefined): void {
    let parsed: ParsedYaml;
    try {
      parsed = parseYamlFile(file.text);
    } catch {
      return; // a broken file is reported by its own check
    }
    parsed.docs.forEach((doc, docIndex) => {
      const contents = doc.contents;
      if (!isMap(contents)) return;
      const kind = contents.get("kind") as unknown;
      const meta = contents.get("metadata");
      const name = isMap(meta) ? meta.get("name") : undefined;
      if (typeof kind === "string" && typeof name === "string") {
        this.#push(`${kind}/${name}`, { file: file.path, parsed, docIndex, overlay });
      }
      if (kind === "Kustomization" || /(^|\/)kustomization\.ya?ml$/.test(file.path)) {
        this.#indexKustomization(file.path, parsed, docIndex, contents, overlay, resolve);
      }
    });
  }

  #push(key: string, e: Entry): void {
    if (this.#collect) {
      this.#collect.push([key, e]);
      return;
    }
    const list = this.#entries.get(key) ?? [];
    list.push(e);
    this.#entries.set(key, list);
  }

  #indexKustomization(
    file: string,
    parsed: ParsedYaml,
    docIndex: number,
    k: Node,
    overlay: boolean,
    resolve?: (path: string) => string | undefined,
  ): void {
    if (!isMap(k)) return;
    for (
      const [field, kind] of [["configMapGenerator", "ConfigMap"], [
        "secretGenerator",
        "Secret",
      ]] as const
    ) {
      const gens = k.get(field, true);
      if (!isSeq(gens)) continue;
      for (const g of gens.items) {
        if (!isMap(g)) continue;
        const nameNode = g.get("name", true);
        if (!isScalar(nameNode)) continue;
        const dataFiles = new Map<string, SourceFile>();
        const listed = g.get("files");
        const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
        for (const f of isSeq(listed) ? listed.items : []) {
          const spec = isScalar(f) ? String(f.value) : "";
          const [key, rel] = spec.includes("=")
            ? [spec.slice(0, spec.indexOf("=")), spec.slice(spec.indexOf("=") + 1)]
            : [spec.slice(spec.lastIndexOf("/") + 1), spec];
          const path = normalize(`${dir}/${rel}`);
          const text = resolve?.(path);
          if (text !== undefined) dataFiles.set(key, { path, text });
        }
        this.#push(`${kind}/${String(nameNode.value)}`, {
          file,
          parsed,
          docIndex,
          overlay,
          generator: positionOf(nameNode, parsed.lc),
          dataFiles,
        });
      }
    }
    // Inline patches: `patches: [{target: {kind, name}, patch: "<JSON 6902 or SMP>"}]`.
    const patches = k.get("patches", true);
    if (!isSeq(patches)) return;
    for (const p of patches.items) {
      if (!isMap(p)) continue;
      const target = p.get("target", true);
      const tKind = isMap(target) ? target.get("kind") : undefined;
      const tName = isMap(target) ? target.get("name") : undefined;
      if (typeof tKind !== "string" || typeof tName !== "string") continue;
      const patchNode = p.get("patch", true);
      const pathValue = p.get("path");
      if (isScalar(patchNode) && typeof patchNode.value === "string") {
        // A block scalar starts on the line after its indicator.
        const start = positionOf(patchNode, parsed.lc).line +
          (/^[|>]/.test(parsed.text.slice(patchNode.range?.[0])) ? 1 : 0);
        this.#indexOps(
          `${tKind}/${tName}`,
          file,
          parsed,
          docIndex,
          overlay,
          patchNode.value,
          start,
        );
      } else if (typeof pathValue === "string" && resolve) {
        const dir = file.includes("/") ? file.slice(0, file.lastIndexOf("/")) : ".";
        const patchFile = normalize(`${dir}/${pathValue}`);
        const text = resolve(patchFile);
        if (text === undefined) continue;
        this.#indexOps(`${tKind}/${tName}`, patchFile, parseYamlFile(text), 0, overlay, text, 1);
      }
    }
  }

  /** Indexes the operations of a JSON 6902 patch whose first line is `firstLine` of `file`. */
  #indexOps(
    key: string,
    file: string,
    parsed: ParsedYaml,
    docIndex: number,
    overlay: boolean,
    patchText: string,
    firstLine: number,
  ): void {
    const inner = parseYamlFile(patchText);
    const doc = inner.docs[0];
    if (!doc || !isSeq(doc.contents)) return;
    for (const op of doc.contents.items) {
      if (!isMap(op)) continue;
      const path = op.get("path");
      // A `test` operation sets nothing.
      if (typeof path !== "string" || (op.get("op") as unknown) === "test") continue;
      const at = positionOf(op, inner.lc);
      this.#push(key, {
        file,
        parsed,
        docIndex,
        overlay,
        op: {
          path: jsonPointerToSegments(path),
          position: { line: firstLine + at.line - 1, column: at.column },
        },
      });
    }
  }

  /**
   * Where `field` of the object `kind/name` is written: the overlay or base document that sets
   * it, else the document that defines the object. null when no source file names the object.
   */
  locate(kind: string, name: string, field = "", needle?: string): SourceLocation | null {
    this.#parsePending();
    const entries = this.#entries.get(`${kind}/${name}`) ??
      this.#entries.get(`${kind}/${name.replace(/-[a-z0-9]{10}$/, "")}`);
    if (!entries) return null;
    const path = field ? parsePath(field) : [];
    // A value inside a generated ConfigMap/Secret: the line of the file it is generated from.
    const dataKey = path.length === 2 && (path[0] === "data" || path[0] === "stringData")
      ? path[1]
      : undefined;
    if (typeof dataKey === "string") {
      for (const e of entries) {
        const src = e.dataFiles?.get(dataKey);
        if (!src) continue;
        const at = needle !== undefined ? findLine(src.text, needle) : null;
        return { file: src.path, ...(at ?? { line: 1, column: 1 }) };
      }
    }
    const ordered = [...entries.filter((e) => e.overlay), ...entries.filter((e) => !e.overlay)];
    if (path.length > 0) {
      for (const e of ordered) {
        if (e.op) {
          if (isPrefix(e.op.path, path) || isPrefix(path, e.op.path)) {
            return { file: e.file, ...e.op.position };
          }
          continue;
        }
        if (e.generator) continue;
        const doc = e.parsed.docs[e.docIndex];
        if (!doc) continue;
        const p = positionInDoc(doc, e.parsed.lc, path);
        if (p.exact) return { file: e.file, line: p.line, column: p.column };
      }
    }
    // The definition: a base document first (patches only touch parts), then a generator.
    const def = entries.find((e) => !e.overlay && !e.op && !e.generator) ??
      entries.find((e) => !e.op && !e.generator) ?? entries.find((e) => e.generator) ??
      entries[0];
    if (!def) return null;
    if (def.generator) return { file: def.file, ...def.generator };
    if (def.op) return { file: def.file, ...def.op.position };
    const doc = def.parsed.docs[def.docIndex];
    if (!doc) return { file: def.file, line: 1, column: 1 };
    // The deepest part of the path that exists in the definition, else `metadata.name`.
    const p = path.length > 0
      ? positionInDoc(doc, def.parsed.lc, path)
      : positionInDoc(doc, def.parsed.lc, ["metadata", "name"]);
    return { file: def.file, line: p.line, column: p.column };
  }

  /** Every file the index knows (for tests). */
  files(): string[] {
    this.#parsePending();
    const out = new Set<string>();
    for (const list of this.#entries.values()) for (const e of list) out.add(e.file);
    return [...out].sort();
  }
}

/** `a/b/../c/./d` → `a/c/d`. */
function normalize(path: string): string {
  const out: string[] = [];
  for (const part of path.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") out.pop();
    else out.push(part);
  }
  return out.join("/");
}

/** `/spec/template/spec/containers/0/args/-` → segments. */
export function jsonPointerToSegments(pointer: string): Segment[] {
  return pointer.split("/").slice(1).filter((s) => s !== "-").map((s) => {
    const u = s.replaceAll("~1", "/").replaceAll("~0", "~");
    return /^\d+$/.test(u) ? Number(u) : u;
  });
}

function segEq(a: Segment, b: Segment): boolean {
  if (typeof a === "object" || typeof b === "object") {
    // A name selector matches any index: JSON patches address list items by position.
    if (typeof a === "object" && typeof b === "object") return a.name === b.name;
    return typeof a === "number" || typeof b === "number";
  }
  return a === b;
}

function isPrefix(prefix: readonly Segment[], path: readonly Segment[]): boolean {
  if (prefix.length > path.length) return false;
  return prefix.every((s, i) => segEq(s, path[i] as Segment));
}
