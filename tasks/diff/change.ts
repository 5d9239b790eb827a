/**
 * What diff reports, independent of the output format: changes grouped in sections, each change
 * an addition, a removal or a change of one thing, with old and new values and details.
 */

/** `+` added, `-` removed, `~` changed. */
export type ChangeOp = "+" | "-" | "~";

/** A line under a change: a value that changed, or a note. */
export interface Detail {
  op?: ChangeOp;
  /** What the value is: `for`, `parameter node_exporter.….threshold`, `panel \`CPU\``. */
  label: string;
  /** Old value; absent when there was none. */
  from?: string;
  /** New value; absent when there is none. */
  to?: string;
  /** Multi-line text (an expression) shown as a line diff rather than inline. */
  code?: boolean;
  /** Said instead of values (`settings changed`). */
  note?: string;
}

export interface Change {
  op: ChangeOp;
  /** What changed, names in backticks: "alert `NodeDown` (critical)". */
  subject: string;
  from?: string;
  to?: string;
  note?: string;
  details?: Detail[];
}

export interface Section {
  title: string;
  changes: Change[];
}

/** A value that differs between two maps of values, keyed alike. */
export interface ValueChange {
  key: string;
  from?: string;
  to?: string;
}

/** Every key whose value differs between `before` and `after` (absent on one side included). */
export function valueChanges(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): ValueChange[] {
  const out: ValueChange[] = [];
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  for (const key of keys) {
    const from = before.get(key);
    const to = after.get(key);
    if (from === to) continue;
    out.push({ key, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return out;
}

/** The op of a value change: added, removed or changed. */
export function opOf(v: { from?: string; to?: string }): ChangeOp {
  return v.from === undefined ? "+" : v.to === undefined ? "-" : "~";
}

/**
 * The scalar leaves of a parsed document by path (`slack_configs[0].channel` → `#ops`), in
 * document order; empty maps and lists below the top are leaves too, so their removal is seen.
 */
export function leaves(value: unknown, prefix = ""): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (v: unknown, path: string) => {
    if (Array.isArray(v)) {
      if (v.length === 0 && path) out.set(path, "[]");
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (v !== null && typeof v === "object") {
      const entries = Object.entries(v);
      if (entries.length === 0 && path) out.set(path, "{}");
      for (const [k, child] of entries) {
        const name = /^[A-Za-z_][A-Za-z0-9_\-]*$/.test(k) ? k : JSON.stringify(k);
        walk(child, path ? `${path}.${name}` : name);
      }
    } else {
      out.set(path, v === null || v === undefined ? "null" : String(v));
    }
  };
  walk(value, prefix);
  return out;
}
