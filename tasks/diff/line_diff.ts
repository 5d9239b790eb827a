/**
 * Line diffs: the shortest edit script between two lists of lines (Myers' O(ND) algorithm), and
 * unified hunks of it with a few lines of context, as `diff -u` prints them.
 */

export type Op = " " | "-" | "+";
export interface Edit {
  op: Op;
  line: string;
}

/** Past this many differences an edit script is not worth computing: all out, all in. */
const MAX_D = 4000;

/** The edits that turn `a` into `b`, unchanged lines included, removals before additions. */
export function diffLines(a: readonly string[], b: readonly string[]): Edit[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const same = (from: number, to: number): Edit[] =>
    a.slice(from, to).map((line) => ({ op: " ", line }));
  return [
    ...same(0, start),
    ...middle(a.slice(start, endA), b.slice(start, endB)),
    ...same(endA, a.length),
  ];
}

function middle(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const all = (): Edit[] => [
    ...a.map((line) => ({ op: "-" as const, line })),
    ...b.map((line) => ({ op: "+" as const, line })),
  ];
  if (n === 0 || m === 0) return all();
  const max = Math.min(n + m, MAX_D);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // trace[d] keeps v[-d..d] as it was before step d (the furthest x on each diagonal k).
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d, offset + d + 1));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
      let x = down ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace, d, k);
    }
  }
  return all();
}

function backtrack(
  a: readonly string[],
  b: readonly string[],
  trace: Int32Array[],
  dEnd: number,
  kEnd: number,
): Edit[] {
  const out: Edit[] = [];
  let x = a.length;
  let y = b.length;
  let k = kEnd;
  for (let d = dEnd; d > 0; d--) {
    const prev = trace[d]!; // v before step d, indexed from -d
    const at = (kk: number) => prev[kk + d]!;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX + (down ? 0 : 1) && y > prevY + (down ? 1 : 0)) {
      out.push({ op: " ", line: a[--x]! });
      y--;
    }
    if (down) out.push({ op: "+", line: b[--y]! });
    else out.push({ op: "-", line: a[--x]! });
    k = prevK;
  }
  while (x > 0 && y > 0) {
    out.push({ op: " ", line: a[--x]! });
    y--;
  }
  return reorder(out.reverse());
}

/** Within each run of changes, removals first: the way people read a replaced block. */
function reorder(edits: Edit[]): Edit[] {
  const out: Edit[] = [];
  let minus: Edit[] = [];
  let plus: Edit[] = [];
  const flush = () => {
    out.push(...minus, ...plus);
    minus = [];
    plus = [];
  };
  for (const e of edits) {
    if (e.op === "-") minus.push(e);
    else if (e.op === "+") plus.push(e);
    else {
      flush();
      out.push(e);
    }
  }
  flush();
  return out;
}

/** Whether an edit script changes anything. */
export function changed(edits: readonly Edit[]): boolean {
  return edits.some((e) => e.op !== " ");
}

/**
 * Unified hunks (`@@ -1,4 +1,5 @@` and the lines) of an edit script, with `context` unchanged
 * lines around each change; nearby changes share a hunk.
 */
export function unifiedHunks(edits: readonly Edit[], context = 3): string[] {
  const out: string[] = [];
  const changes = edits.flatMap((e, i) => (e.op === " " ? [] : [i]));
  let i = 0;
  while (i < changes.length) {
    const from = Math.max(0, changes[i]! - context);
    let to = Math.min(edits.length, changes[i]! + context + 1);
    while (i + 1 < changes.length && changes[i + 1]! - context <= to) {
      i++;
      to = Math.min(edits.length, changes[i]! + context + 1);
    }
    i++;
    let lineA = 1;
    let lineB = 1;
    for (const e of edits.slice(0, from)) {
      if (e.op !== "+") lineA++;
      if (e.op !== "-") lineB++;
    }
    const hunk = edits.slice(from, to);
    const countA = hunk.filter((e) => e.op !== "+").length;
    const countB = hunk.filter((e) => e.op !== "-").length;
    out.push(
      `@@ -${countA ? lineA : lineA - 1},${countA} +${countB ? lineB : lineB - 1},${countB} @@`,
    );
    for (const e of hunk) out.push(`${e.op}${e.line}`);
  }
  return out;
}
