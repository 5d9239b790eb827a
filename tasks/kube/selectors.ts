/**
 * Label selectors, as the API server reads them. A LabelSelector (`matchLabels` and
 * `matchExpressions`, of Deployments, PodDisruptionBudgets, affinity terms, ServiceMonitors)
 * selects every object when empty and none when absent; a Service's plain `selector` map
 * selects nothing when empty (its endpoints are then managed by hand).
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: "In" | "NotIn" | "Exists" | "DoesNotExist";
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** Does `selector` select an object with these labels? Absent (null) selects nothing. */
export function labelSelectorMatches(
  selector: LabelSelector | null | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === null || selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== String(v)) return false;
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const values = (e.values ?? []).map(String);
    const ok = e.operator === "In"
      ? has && values.includes(labels[e.key] as string)
      : e.operator === "NotIn"
      ? !has || !values.includes(labels[e.key] as string)
      : e.operator === "Exists"
      ? has
      : e.operator === "DoesNotExist"
      ? !has
      : false;
    if (!ok) return false;
  }
  return true;
}

/** Does a Service's `selector` map select these labels? An empty or absent one selects none. */
export function serviceSelectorMatches(
  selector: Readonly<Record<string, string>> | null | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === String(v));
}

/** `{a: "1"}` → `a=1`, the API server's notation of a selector's labels. */
export function formatLabels(labels: Readonly<Record<string, unknown>>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}
