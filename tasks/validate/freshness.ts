/**
 * Freshness: the committed overlay is exactly what `deno task generate` would write now. A hand
 * edit of an overlay and a cluster change committed without generate both show up here, with
 * the first differing line and the command that fixes it.
 */
import { diffLines } from "../diff/line_diff.ts";
import { fileFinding, type Finding } from "../model/finding.ts";
import type { ClusterSpot } from "./cluster_values.ts";

const CHECK = "freshness";

function clip(s: string): string {
  const t = s.trim();
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/** `(line 3: \`new\`), found \`old\``: what a stale generated file has instead. */
export function describeDifference(d: NonNullable<ReturnType<typeof firstDifference>>): string {
  return `(line ${d.line}: ${
    d.expected === undefined ? "end of file" : `\`${clip(d.expected)}\``
  }), found ${d.actual === undefined ? "the end of the file" : `\`${clip(d.actual)}\``}`;
}

/**
 * The first place two texts differ, as a line diff sees it: the lines `expected` has there that
 * `actual` lacks and the other way round, each side's first line number (1-based). A value
 * changed in place has both sides; a line added by hand only `actual`'s.
 */
export function firstHunk(
  expected: string,
  actual: string,
): { expectedLine: number; expected: string[]; actualLine: number; actual: string[] } | null {
  if (expected === actual) return null;
  const edits = diffLines(expected.split("\n"), actual.split("\n"));
  const first = edits.findIndex((e) => e.op !== " ");
  if (first < 0) return null;
  // Lines before the hunk are the same on both sides.
  const hunk = {
    expectedLine: first + 1,
    expected: [] as string[],
    actualLine: first + 1,
    actual: [] as string[],
  };
  for (const e of edits.slice(first)) {
    if (e.op === " ") break;
    (e.op === "-" ? hunk.expected : hunk.actual).push(e.line);
  }
  return hunk;
}

/** The first line (1-based) where two texts differ, with both versions of it. */
export function firstDifference(
  expected: string,
  actual: string,
): { line: number; expected: string | undefined; actual: string | undefined } | null {
  if (expected === actual) return null;
  const e = expected.split("\n");
  const a = actual.split("\n");
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) return { line: i + 1, expected: e[i], actual: a[i] };
  }
  return null;
}

/** Where in the cluster's folder a line of a generated file is written from (generated_lines.ts). */
export type GeneratedLineSource = (path: string, line: number) => ClusterSpot | null;

/**
 * Compares an overlay as generate would write it (`expected`, paths relative to the overlay)
 * with the files on disk (`actual`, same keys) for cluster `name`. A stale line that generate
 * writes from a value of the cluster's folder (`source`) is reported at that value.
 */
export function overlayFreshness(
  name: string,
  expected: ReadonlyMap<string, string>,
  actual: ReadonlyMap<string, string>,
  source: GeneratedLineSource = () => null,
): Finding[] {
  const out: Finding[] = [];
  const fix = `run \`deno task generate ${name}\``;
  const file = (p: string) => `overlays/${name}/${p}`;
  for (const [path, text] of expected) {
    const found = actual.get(path);
    if (found === undefined) {
      out.push(
        fileFinding(file(path), `expected this generated file, found it missing; ${fix}`, CHECK),
      );
      continue;
    }
    const d = firstDifference(text, found);
    if (!d) continue;
    // A line generate writes that the file lacks (or has otherwise) comes from a cluster value;
    // a line only the file has was added by hand, and is the overlay's.
    const h = firstHunk(text, found);
    const wanted = h?.expected[0];
    const spot = h && wanted !== undefined ? source(path, h.expectedLine) : null;
    if (h && wanted !== undefined && spot) {
      const has = h.actual[0];
      const from = spot.written
        ? `from ${spot.field} here`
        : `from the default of ${spot.field}, which this file does not set`;
      const what = has === undefined
        ? `lacks \`${clip(wanted)}\`, which generate now writes ${from}`
        : `has \`${clip(has)}\` where generate now writes \`${clip(wanted)}\` ${from}`;
      out.push({
        severity: "error",
        file: spot.file,
        line: spot.line,
        column: spot.column,
        field: spot.field,
        message: `stale: ${file(path)}:${h.actualLine} ${what}; an overlay is never edited by ` +
          `hand, and a change of clusters/${name}/ needs generate: ${fix}`,
        check: CHECK,
      });
      continue;
    }
    out.push({
      severity: "error",
      file: file(path),
      line: d.line,
      column: 1,
      field: "",
      message: `stale: expected what generate writes now ${describeDifference(d)}; an ` +
        `overlay is never edited by hand, and a change of clusters/${name}/ needs generate: ${fix}`,
      check: CHECK,
    });
  }
  for (const path of actual.keys()) {
    if (expected.has(path)) continue;
    out.push(
      fileFinding(
        file(path),
        `expected only files generate writes, found one it does not; ${fix} (it removes it)`,
        CHECK,
      ),
    );
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** Overlays left behind by a removed (or renamed) cluster. */
export function orphanOverlays(
  overlayNames: readonly string[],
  clusters: readonly string[],
): Finding[] {
  return overlayNames.filter((n) => !clusters.includes(n)).map((
    n,
  ) => (fileFinding(
    `overlays/${n}/kustomization.yaml`,
    `expected an overlay only for a cluster of clusters/, found overlays/${n} without ` +
      `clusters/${n}/cluster.yaml; run \`deno task generate\` (it removes it)`,
    CHECK,
  )));
}
