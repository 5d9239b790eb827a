/**
 * Small builders of Grafana dashboard JSON (schema 39): a dashboard is rows of panels, each panel
 * a title, its queries and a unit. The builders lay panels out, number them and give every panel
 * and query the datasource, so a dashboard module says only what it shows.
 */

/** The provisioned datasources (base/grafana/datasources.yaml), by uid. */
export const DATASOURCES = {
  /** Thanos Query, deduplicating the Prometheus replicas: what every dashboard reads. */
  deduplicated: "thanos-query",
  /** Thanos Query with `dedup=false`: each replica's own series, told apart by prometheus_replica. */
  replicas: "thanos-query-replicas",
} as const;
export type DatasourceUid = (typeof DATASOURCES)[keyof typeof DATASOURCES];

// deno-lint-ignore no-explicit-any
export type Json = Record<string, any>;

export interface Query {
  expr: string;
  legend?: string;
  /** A table's query: one value per series, at the end of the range. */
  instant?: boolean;
}

/** `q('sum(up)', '{{job}}')`. */
export function q(expr: string, legend?: string): Query {
  return legend === undefined ? { expr } : { expr, legend };
}

/** Grafana's units: https://grafana.com/docs/grafana/latest/panels-visualizations/ */
export type Unit =
  | "short"
  | "percentunit"
  | "bytes"
  | "Bps"
  | "pps"
  | "s"
  | "ms"
  | "reqps"
  | "ops"
  | "cores"
  | "dateTimeFromNow"
  | "none";

interface PanelOptions {
  description?: string;
  unit?: Unit;
  min?: number;
  max?: number;
  /** Columns out of 24 (default: the row's width shared equally). */
  width?: number;
  /** Stacked areas (timeseries). */
  stack?: boolean;
  /** Colour thresholds (stat): value from which each colour applies, the first from -∞. */
  thresholds?: [string, ...Array<[number, string]>];
  decimals?: number;
  /** Values shown as words (stat): `{ 0: ["DOWN", "red"], 1: ["UP", "green"] }`. */
  mappings?: Record<number, [string, string]>;
  /** Bars instead of lines (timeseries): counts of events per interval. */
  bars?: boolean;
}

/** A panel before layout: what it shows; `dashboard()` adds its id, position and datasource. */
export interface PanelSpec {
  type: "timeseries" | "stat" | "table" | "bargauge";
  title: string;
  queries: Query[];
  options: PanelOptions;
}

export function timeseries(title: string, queries: Query[], options: PanelOptions = {}): PanelSpec {
  return { type: "timeseries", title, queries, options };
}

export function stat(title: string, queries: Query[], options: PanelOptions = {}): PanelSpec {
  return { type: "stat", title, queries, options };
}

/** A table of instant values, one row per series, one column per query (merged by labels). */
export function table(title: string, queries: Query[], options: PanelOptions = {}): PanelSpec {
  return {
    type: "table",
    title,
    queries: queries.map((x) => ({ ...x, instant: true })),
    options,
  };
}

/** A row of panels under a heading, all of the same height. */
export interface Row {
  title: string;
  height: number;
  panels: PanelSpec[];
}

export function row(title: string, panels: PanelSpec[], height = 8): Row {
  return { title, height, panels };
}

export interface Variable {
  name: string;
  label: string;
  /** `label_values(selector, label)`. */
  query: string;
  /** Several values and an "All" choice (default true). */
  multi?: boolean;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  /** The datasource every panel reads (default: the deduplicated Thanos Query). */
  datasource?: DatasourceUid;
  variables?: Variable[];
  rows: Row[];
  /** One row of panels without a heading (the dashboards that are a single screen). */
  flat?: boolean;
}

function datasource(uid: DatasourceUid): Json {
  return { type: "prometheus", uid };
}

function fieldConfig(p: PanelSpec): Json {
  const o = p.options;
  const defaults: Json = { unit: o.unit ?? "short" };
  if (o.min !== undefined) defaults.min = o.min;
  else if (p.type === "timeseries") defaults.min = 0;
  if (o.max !== undefined) defaults.max = o.max;
  if (o.decimals !== undefined) defaults.decimals = o.decimals;
  if (o.mappings) {
    defaults.mappings = [{
      type: "value",
      options: Object.fromEntries(
        Object.entries(o.mappings).map(([v, [text, color]]) => [v, { text, color }]),
      ),
    }];
  }
  if (o.thresholds) {
    const [first, ...steps] = o.thresholds;
    defaults.thresholds = {
      mode: "absolute",
      steps: [{ color: first, value: null }, ...steps.map(([value, color]) => ({ color, value }))],
    };
  }
  if (p.type === "timeseries" && (o.stack || o.bars)) {
    defaults.custom = {
      ...(o.stack ? { stacking: { mode: "normal", group: "A" }, fillOpacity: 20 } : {}),
      ...(o.bars ? { drawStyle: "bars" } : {}),
    };
  }
  return { defaults, overrides: [] };
}

function panelOptions(p: PanelSpec): Json {
  switch (p.type) {
    case "timeseries":
      return {
        legend: { displayMode: "list", placement: "bottom", showLegend: true },
        tooltip: { mode: "multi", sort: "desc" },
      };
    case "stat":
      return {
        colorMode: "value",
        graphMode: "area",
        textMode: "value_and_name",
        reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      };
    case "bargauge":
      return {
        displayMode: "gradient",
        orientation: "horizontal",
        reduceOptions: { calcs: ["lastNotNull"], fields: "", values: false },
      };
    case "table":
      return { showHeader: true, footer: { show: false } };
  }
}

const REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function panelJson(p: PanelSpec, id: number, gridPos: Json, ds: DatasourceUid): Json {
  const out: Json = { id, type: p.type, title: p.title };
  if (p.options.description) out.description = p.options.description;
  out.gridPos = gridPos;
  out.datasource = datasource(ds);
  out.fieldConfig = fieldConfig(p);
  out.options = panelOptions(p);
  out.targets = p.queries.map((x, i) => {
    const t: Json = { refId: REF_IDS[i] ?? `Q${i}`, datasource: datasource(ds), expr: x.expr };
    if (x.instant) {
      t.instant = true;
      t.range = false;
      t.format = "table";
    }
    if (x.legend !== undefined) t.legendFormat = x.legend;
    return t;
  });
  // A table of several instant queries: one row per series, the values side by side.
  if (p.type === "table") {
    out.transformations = [
      { id: "merge", options: {} },
      { id: "organize", options: { excludeByName: { Time: true } } },
    ];
  }
  return out;
}

function variableJson(v: Variable, ds: DatasourceUid): Json {
  const multi = v.multi ?? true;
  return {
    name: v.name,
    label: v.label,
    type: "query",
    datasource: datasource(ds),
    query: { qryType: 1, query: v.query, refId: "PrometheusVariableQueryEditor-VariableQuery" },
    definition: v.query,
    refresh: 2,
    sort: 1,
    multi,
    includeAll: multi,
    current: {},
  };
}

/** The dashboard's JSON model: rows stacked, panels of a row side by side on 24 columns. */
export function dashboard(spec: DashboardSpec): Json {
  const ds = spec.datasource ?? DATASOURCES.deduplicated;
  const panels: Json[] = [];
  let id = 1;
  let y = 0;
  for (const r of spec.rows) {
    if (!spec.flat) {
      panels.push({
        id: id++,
        type: "row",
        title: r.title,
        collapsed: false,
        panels: [],
        gridPos: { h: 1, w: 24, x: 0, y },
      });
      y += 1;
    }
    const fixed = r.panels.reduce((n, p) => n + (p.options.width ?? 0), 0);
    const free = r.panels.filter((p) => p.options.width === undefined).length;
    const share = free > 0 ? Math.floor((24 - fixed) / free) : 0;
    let x = 0;
    r.panels.forEach((p, i) => {
      // The last panel without a width takes what rounding left over.
      const last = i === r.panels.length - 1;
      const w = p.options.width ?? (last ? 24 - x : share);
      panels.push(panelJson(p, id++, { h: r.height, w, x, y }, ds));
      x += w;
    });
    y += r.height;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: false,
    graphTooltip: 1,
    refresh: "30s",
    schemaVersion: 39,
    version: 1,
    time: { from: "now-6h", to: "now" },
    templating: { list: (spec.variables ?? []).map((v) => variableJson(v, ds)) },
    panels,
  };
}
