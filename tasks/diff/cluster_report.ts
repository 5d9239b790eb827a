/**
 * One cluster's report: its two renders compared topic by topic (alerts and rules, settings,
 * Alertmanager, route tests, dashboards), then object by object. Pure.
 */
import { type AlertmanagerConfig, parseAlertmanagerConfig } from "../model/alertmanager_config.ts";
import type { K8sObject } from "../render/objects.ts";
import { alertmanagerConfigOf } from "../validate/routing.ts";
import { alertmanagerChanges } from "./alertmanager_diff.ts";
import type { Change, Section } from "./change.ts";
import { dashboardChanges, dashboardsOf } from "./dashboards_diff.ts";
import { manifestDiff, type ObjectChange } from "./manifest_diff.ts";
import { paramChanges, ruleChanges, rulesOf } from "./rules_diff.ts";
import { settingChanges, settingsOf } from "./settings_diff.ts";

/** One side of a cluster, rendered. */
export interface RenderedCluster {
  objects: K8sObject[];
  /** `ruleParamValues()` of its PrometheusConfig. */
  ruleParams: Readonly<Record<string, number | string>>;
  /** Which alerts use each rule parameter (from that side's rule templates). */
  paramUsers: ReadonlyMap<string, ReadonlySet<string>>;
}

export type ClusterStatus = "changed" | "unchanged" | "added" | "removed" | "broken";

export interface ClusterReport {
  name: string;
  status: ClusterStatus;
  /** A sentence for added, removed and broken clusters. */
  note?: string;
  sections: Section[];
  objects: ObjectChange[];
  /** Unified diff of the rendered manifests. */
  manifest: string[];
}

export const SECTION_TITLES = {
  rules: "Alerts and recording rules",
  settings: "Settings",
  alertmanager: "Alertmanager",
  routeTests: "Route tests",
  dashboards: "Dashboards",
} as const;

function alertmanagerConfig(objects: readonly K8sObject[]): AlertmanagerConfig | null {
  const text = alertmanagerConfigOf(objects);
  if (text === null) return null;
  // A configuration that is not YAML shows as a change of its own.
  const unparsable: AlertmanagerConfig & { unparsable: true } = { unparsable: true };
  return parseAlertmanagerConfig(text) ?? unparsable;
}

function section(title: string, changes: Change[]): Section[] {
  return changes.length ? [{ title, changes }] : [];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function counts(r: RenderedCluster): string {
  const rules = rulesOf(r.objects);
  const alerts = rules.filter((x) => x.type === "alert").length;
  return [
    plural(r.objects.length, "object"),
    plural(alerts, "alert"),
    plural(rules.length - alerts, "recording rule"),
    plural(dashboardsOf(r.objects).length, "dashboard"),
  ].join(", ");
}

/** Compares the two renders of one cluster; `routeTests` are computed by the caller (amtool). */
export function compareCluster(
  name: string,
  before: RenderedCluster | undefined,
  after: RenderedCluster | undefined,
  routeTests: Change[] = [],
): ClusterReport {
  if (!before && !after) throw new Error(`cluster ${name} has no side to compare`);
  if (!before || !after) {
    const side = (after ?? before) as RenderedCluster;
    const added = !before;
    const settings = settingChanges(
      added ? new Map() : settingsOf(side.objects),
      added ? settingsOf(side.objects) : new Map(),
    );
    return {
      name,
      status: added ? "added" : "removed",
      note: added
        ? `new cluster: ${counts(side)}`
        : `cluster removed: its ${counts(side)} are no longer rendered`,
      sections: added ? section(SECTION_TITLES.settings, settings) : [],
      objects: [],
      manifest: [],
    };
  }
  const manifest = manifestDiff(before.objects, after.objects);
  const users = new Map<string, Set<string>>();
  for (const side of [before.paramUsers, after.paramUsers]) {
    for (const [k, v] of side) users.set(k, new Set([...(users.get(k) ?? []), ...v]));
  }
  const sections: Section[] = [
    ...section(
      SECTION_TITLES.rules,
      ruleChanges(
        rulesOf(before.objects),
        rulesOf(after.objects),
        paramChanges(before.ruleParams, after.ruleParams, users),
      ),
    ),
    ...section(
      SECTION_TITLES.settings,
      settingChanges(settingsOf(before.objects), settingsOf(after.objects)),
    ),
    ...section(
      SECTION_TITLES.alertmanager,
      alertmanagerChanges(alertmanagerConfig(before.objects), alertmanagerConfig(after.objects)),
    ),
    ...section(SECTION_TITLES.routeTests, routeTests),
    ...section(
      SECTION_TITLES.dashboards,
      dashboardChanges(dashboardsOf(before.objects), dashboardsOf(after.objects)),
    ),
  ];
  const changed = manifest.objects.length > 0 || sections.length > 0;
  return {
    name,
    status: changed ? "changed" : "unchanged",
    sections,
    objects: manifest.objects,
    manifest: manifest.lines,
  };
}
