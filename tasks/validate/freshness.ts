/**
 * Freshness: the committed overlay is exactly what `deno task generate` would write now. A hand
 * edit of an overlay and a cluster change committed without generate both show up here, with
 * the first differing line and the command that fixes it.
 */
import type { Finding } from "../model/finding.ts";
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
      out.push({
        severity: "error",
        file: file(path),
        line: 0,
        column: 0,
        field: "",
        message: `expected this generated file, found it missing; ${fix}`,
        check: CHECK,
      });
      continue;
    }
    const d = firstDifference(text, found);
    if (!d) continue;
    const spot = d.expected === undefined ? null : source(path, d.line);
    if (spot) {
      const from = spot.written
        ? `from ${spot.field} here`
        : `from the default of ${spot.field}, which this file does not set`;
      out.push({
        severity: "error",
        file: spot.file,
        line: spot.line,
        column: spot.column,
        field: spot.field,
        message:
          `stale: ${file(path)}:${d.line} has ${
            d.actual === undefined ? "nothing" : `\`${clip(d.actual)}\``
          } where generate now writes \`${clip(d.expected as string)}\` ${from}; an overlay is ` +
          `never edited by hand, and a change of clusters/${name}/ needs generate: ${fix}`,
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
    out.push({
      severity: "error",
      file: file(path),
      line: 0,
      column: 0,
      field: "",
      message: `expected only files generate writes, found one it does not; ${fix} (it removes it)`,
      check: CHECK,
    });
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** Overlays left behind by a removed (or renamed) cluster. */
export function orphanOverlays(
  overlayNames: readonly string[],
  clusters: readonly string[],
): Finding[] {
  return overlayNames.filter((n) => !clusters.includes(n)).map((n) => ({
    severity: "error" as const,
    file: `overlays/${n}/kustomization.yaml`,
    line: 0,
    column: 0,
    field: "",
    message: `expected an overlay only for a cluster of clusters/, found overlays/${n} without ` +
      `clusters/${n}/cluster.yaml; run \`deno task generate\` (it removes it)`,
    check: CHECK,
  }));
}
