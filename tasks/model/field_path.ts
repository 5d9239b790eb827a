/**
 * Field paths, the one notation every finding's `field` uses: `spec.template.spec`, `[n]` an
 * index, `[word]` the item of a list whose `name` is `word` (how Kubernetes merges lists), and
 * `["grafana.ini"]` a key that is not a plain word.
 */

export type Segment = string | number | { name: string };

const PLAIN_KEY = /^[\w\-/$]+$/;

/** Splits `a.b[0].c[grafana]["x.y"]` into segments. */
export function parsePath(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\[([^\]]+)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(`"${m[3]}"`) as string);
    else if (m[4] !== undefined) out.push({ name: m[4] });
  }
  return out;
}

/** Renders segments in the notation parsePath() reads. */
export function formatPath(segments: readonly (Segment | symbol)[]): string {
  let out = "";
  for (const s of segments) out = childPath(out, typeof s === "symbol" ? String(s) : s);
  return out;
}

/** The path of a member, item or named item below `parent`: `panels[2].targets`. */
export function childPath(parent: string, key: Segment): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (typeof key === "object") return `${parent}[${key.name}]`;
  if (PLAIN_KEY.test(key)) return parent === "" ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}
