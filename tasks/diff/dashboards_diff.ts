/**
 * Grafana dashboards of two renders compared, by title and panel: the dashboards are the JSON
 * files of the ConfigMaps Grafana provisions (label `grafana_dashboard`), panels are matched by
 * title (rows' nested panels included) and compared by type, queries and the rest.
 */
import { isKind, type K8sObject } from "../render/objects.ts";
import type { Change, Detail } from "./change.ts";

export interface Panel {
  /** The title, or `#<id>` for a panel without one; a repeated title gets ` (2)`. */
  key: string;
  type: string;
  /** Every target's expression, in order. */
  queries: string[];
  /** The whole panel, for "something else changed". */
  json: string;
}

export interface Dashboard {
  /** uid, else ConfigMap/key. */
  id: string;
  title: string;
  panels: Panel[];
  /** Everything but the panels and the version counter. */
  settings: Record<string, string>;
}

/** The label by which Grafana's provisioning sidecar or our Deployment picks dashboards up. */
export const DASHBOARD_LABEL = "grafana_dashboard";

/** A panel of a dashboard's JSON as written: anything may be missing or of another type. */
interface PanelJson {
  id?: unknown;
  title?: unknown;
  type?: unknown;
  targets?: { expr?: unknown; query?: unknown }[];
  panels?: unknown;
  [field: string]: unknown;
}

/** A dashboard's JSON as written. */
interface DashboardJson {
  uid?: unknown;
  title?: unknown;
  panels?: unknown;
  version?: unknown;
  [field: string]: unknown;
}

function panelsOf(list: readonly PanelJson[]): Panel[] {
  const out: Panel[] = [];
  const seen = new Map<string, number>();
  const walk = (items: readonly PanelJson[]) => {
    for (const p of items ?? []) {
      if (!p || typeof p !== "object") continue;
      const title = typeof p.title === "string" && p.title !== "" ? p.title : `#${p.id ?? "?"}`;
      const n = (seen.get(title) ?? 0) + 1;
      seen.set(title, n);
      const { panels: nested, ...own } = p;
      out.push({
        key: n > 1 ? `${title} (${n})` : title,
        type: String(p.type ?? ""),
        queries: (p.targets ?? []).map((t) => String(t?.expr ?? t?.query ?? "")),
        json: JSON.stringify(own),
      });
      if (Array.isArray(nested)) walk(nested as PanelJson[]);
    }
  };
  walk(list);
  return out;
}

/** Every dashboard of a render. */
export function dashboardsOf(objects: readonly K8sObject[]): Dashboard[] {
  const out: Dashboard[] = [];
  for (const o of objects) {
    if (!isKind(o, "ConfigMap") || o.metadata.labels?.[DASHBOARD_LABEL] === undefined) continue;
    for (const [key, text] of Object.entries(o.data ?? {})) {
      if (!key.endsWith(".json")) continue;
      const fallback = `${o.metadata.name}/${key}`;
      let d: DashboardJson | null;
      try {
        d = JSON.parse(String(text));
      } catch {
        out.push({ id: fallback, title: fallback, panels: [], settings: { json: "(not JSON)" } });
        continue;
      }
      const { panels, version: _version, ...rest } = d ?? {};
      out.push({
        id: typeof d?.uid === "string" ? d.uid : fallback,
        title: typeof d?.title === "string" ? d.title : fallback,
        panels: panelsOf(Array.isArray(panels) ? panels as PanelJson[] : []),
        settings: Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, JSON.stringify(v)])),
      });
    }
  }
  return out;
}

function panelDetails(a: Dashboard, b: Dashboard): Detail[] {
  const out: Detail[] = [];
  const before = new Map(a.panels.map((p) => [p.key, p]));
  const after = new Map(b.panels.map((p) => [p.key, p]));
  for (const key of before.keys()) {
    if (!after.has(key)) out.push({ op: "-", label: `panel \`${key}\``, note: "removed" });
  }
  for (const [key, q] of after) {
    const p = before.get(key);
    if (!p) {
      out.push({ op: "+", label: `panel \`${key}\``, note: `added (${q.type})` });
      continue;
    }
    if (p.json === q.json) continue;
    if (p.type !== q.type) {
      out.push({ op: "~", label: `panel \`${key}\` type`, from: p.type, to: q.type });
    }
    if (p.queries.join("\n") !== q.queries.join("\n")) {
      out.push({
        op: "~",
        label: `panel \`${key}\` queries`,
        from: p.queries.join("\n"),
        to: q.queries.join("\n"),
        code: true,
      });
    }
    if (p.type === q.type && p.queries.join("\n") === q.queries.join("\n")) {
      out.push({ op: "~", label: `panel \`${key}\``, note: "display settings changed" });
    }
  }
  const settings = [...new Set([...Object.keys(a.settings), ...Object.keys(b.settings)])]
    .filter((k) => k !== "title" && a.settings[k] !== b.settings[k]);
  if (settings.length) {
    out.push({ op: "~", label: "dashboard settings", note: `${settings.join(", ")} changed` });
  }
  return out;
}

/** Every dashboard added, removed or changed, by title; changed ones by panel. */
export function dashboardChanges(
  before: readonly Dashboard[],
  after: readonly Dashboard[],
): Change[] {
  const a = new Map(before.map((d) => [d.id, d]));
  const b = new Map(after.map((d) => [d.id, d]));
  const out: Change[] = [];
  for (const [id, d] of a) {
    if (!b.has(id)) out.push({ op: "-", subject: `dashboard \`${d.title}\`` });
  }
  for (const [id, d] of b) {
    const old = a.get(id);
    if (!old) {
      out.push({
        op: "+",
        subject: `dashboard \`${d.title}\``,
        note: `${d.panels.length} panel${d.panels.length === 1 ? "" : "s"}: ${
          d.panels.map((p) => p.key).join(", ")
        }`,
      });
      continue;
    }
    const details = panelDetails(old, d);
    const retitled = old.title !== d.title;
    if (details.length === 0 && !retitled) continue;
    out.push({
      op: "~",
      subject: `dashboard \`${d.title}\``,
      details: [
        ...(retitled ? [{ op: "~" as const, label: "title", from: old.title, to: d.title }] : []),
        ...details,
      ],
    });
  }
  return out;
}
