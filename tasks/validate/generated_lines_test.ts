import { deepEqual as assertEquals, ok } from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isScalar, parseDocument } from "yaml";
import { loadOverlayInputs, renderOverlay } from "../generate/overlay.ts";
import { ruleSetSlug } from "../generate/rules.ts";
import { CLUSTER_FILES } from "../model/cluster.ts";
import { loadClusterFromSources } from "../model/load.ts";
import { BASE_DIR, ROOT } from "../model/paths.ts";
import { loadVersions } from "../model/versions.ts";
import { TEMPLATE_SUFFIX } from "../rules/templates.ts";
import { ClusterValues } from "./cluster_values.ts";
import { generatedLineSource } from "./generated_lines.ts";
import { formatPath } from "../model/field_path.ts";

const inputs = await loadOverlayInputs();
const versions = loadVersions();
/** The example cluster folder sets every field: each one is changed in turn below. */
const DIR = "examples/clusters/example";
const files = new Map(
  Object.keys(CLUSTER_FILES).map((f) => [f, readFileSync(join(ROOT, DIR, f), "utf8")]),
);
const templates = new Map(
  readdirSync(join(BASE_DIR, "rules")).filter((n) => n.endsWith(TEMPLATE_SUFFIX)).map((n) => [
    `${ruleSetSlug(n.slice(0, -TEMPLATE_SUFFIX.length))}-rules`,
    readFileSync(join(BASE_DIR, "rules", n), "utf8"),
  ]),
);

function overlayOf(own: ReadonlyMap<string, string>): Map<string, string> | null {
  const r = loadClusterFromSources("example", Object.fromEntries(own), DIR);
  return r.cluster ? renderOverlay(r.cluster, versions, inputs) : null;
}

type Leaf = { path: Array<string | number>; value: unknown };

function leaves(value: unknown, path: Array<string | number> = []): Leaf[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, [...path, i]));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, [...path, k]));
  }
  return [{ path, value }];
}

/** Another valid value of the same shape: 30s → 31s, 100Gi → 101Gi, a.b → xa.b, true → false. */
function changed(v: unknown): unknown {
  if (typeof v === "boolean") return !v;
  if (typeof v === "number") return Number.isInteger(v) ? v + 1 : Math.round(v * 1000 + 10) / 1000;
  if (typeof v !== "string") return undefined;
  const n = /^(\d+)(\D.*)?$/.exec(v);
  if (n) return `${Number(n[1]) + 1}${n[2] ?? ""}`;
  if (/^https?:\/\//.test(v)) return v.replace("://", "://x");
  if (/^[a-z0-9.-]+\.[a-z]+$/.test(v)) return `x${v}`;
  return `${v}x`;
}

Deno.test("generatedLineSource() traces every generated line a cluster value changes back to that value", () => {
  const before = overlayOf(files);
  ok(before);
  const problems: string[] = [];
  let traced = 0;
  for (const [file, text] of files) {
    const doc = parseDocument(text);
    for (const leaf of leaves(doc.toJS())) {
      const to = changed(leaf.value);
      if (to === undefined) continue;
      const edited = parseDocument(text);
      const node = edited.getIn(leaf.path, true);
      if (isScalar(node)) node.value = to;
      const own = new Map(files).set(file, edited.toString());
      const after = overlayOf(own);
      if (!after) continue; // not a valid cluster any more (a name, a kind, a cross-field rule)
      const values = new ClusterValues(DIR, own, templates);
      const want = `${DIR}/${file} ${formatPath(leaf.path)}`;
      for (const [path, textAfter] of after) {
        const a = (before.get(path) ?? "").split("\n");
        const b = textAfter.split("\n");
        for (let i = 0; i < b.length; i++) {
          if (a[i] === b[i]) continue;
          const spot = generatedLineSource(after, path, i + 1, values);
          const got = spot ? `${spot.file} ${spot.field}` : "nothing";
          traced++;
          if (got !== want || !spot?.written) {
            problems.push(`${want} → ${path}:${i + 1} \`${b[i]?.trim()}\` traced to ${got}`);
          }
          if (a.length !== b.length) break; // lines moved: only the first difference is sure
        }
      }
    }
  }
  assertEquals(problems, []);
  ok(traced >= 80, `only ${traced} generated lines traced`);
});

Deno.test("generatedLineSource() leaves lines that come from base/ or versions.json alone", () => {
  const overlay = overlayOf(files);
  ok(overlay);
  const values = new ClusterValues(DIR, files, templates);
  const kustomization = (overlay.get("kustomization.yaml") ?? "").split("\n");
  const tag = kustomization.findIndex((l) => l.includes("newTag:")) + 1;
  assertEquals(generatedLineSource(overlay, "kustomization.yaml", tag, values), null);
  const prometheus = (overlay.get("patches/prometheus-k8s.yaml") ?? "").split("\n");
  const image = prometheus.findIndex((l) => l.includes("image:")) + 1;
  assertEquals(generatedLineSource(overlay, "patches/prometheus-k8s.yaml", image, values), null);
  const general = (overlay.get("rules/general.yaml") ?? "").split("\n");
  const expr = general.findIndex((l) => l.includes("expr: vector(1)")) + 1;
  assertEquals(generatedLineSource(overlay, "rules/general.yaml", expr, values), null);
  const config = (overlay.get("config/alertmanager.yaml") ?? "").split("\n");
  const watchdog = config.findIndex((l) => l.includes("Watchdog")) + 1;
  assertEquals(generatedLineSource(overlay, "config/alertmanager.yaml", watchdog, values), null);
});

Deno.test("generatedLineSource() points at the line and column of the value in the cluster's file", () => {
  const overlay = overlayOf(files);
  ok(overlay);
  const values = new ClusterValues(DIR, files, templates);
  const lines = (overlay.get("patches/prometheus-k8s.yaml") ?? "").split("\n");
  const retention = lines.findIndex((l) => l.includes("retention: 30d")) + 1;
  const source = (files.get("prometheus.yaml") ?? "").split("\n");
  assertEquals(generatedLineSource(overlay, "patches/prometheus-k8s.yaml", retention, values), {
    file: `${DIR}/prometheus.yaml`,
    line: source.findIndex((l) => l.includes("retention_time: 30d")) + 1,
    column: 5,
    field: "spec.config.retention_time",
    written: true,
  });
});
