/**
 * Label selectors as the API server and the controllers read them: the one implementation every
 * task uses to say which objects a selector picks out of a render.
 *
 * - A `LabelSelector` (`matchLabels` + `matchExpressions`: PodDisruptionBudgets, topology spread
 *   and affinity terms, ServiceMonitors, the Prometheus CR's selectors): missing selects nothing,
 *   empty (`{}`) selects everything, otherwise every requirement must hold.
 * - A map selector (a Service's `spec.selector`): missing or empty selects nothing (a Service
 *   without a selector gets no endpoints from its pods).
 */

export interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values?: readonly string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: readonly LabelSelectorRequirement[];
}

type Labels = Readonly<Record<string, string>>;

function requirementHolds(r: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.hasOwn(labels, r.key);
  const values = (r.values ?? []).map(String);
  switch (r.operator) {
    case "In":
      return has && values.includes(labels[r.key] as string);
    case "NotIn":
      return !has || !values.includes(labels[r.key] as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      // The API server refuses any other operator; a selector it would refuse selects nothing.
      return false;
  }
}

/** Whether a LabelSelector selects an object with `labels`: missing → none, `{}` → all. */
export function labelSelectorMatches(
  selector: LabelSelector | null | undefined,
  labels: Labels,
): boolean {
  if (selector === null || selector === undefined || typeof selector !== "object") return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== String(v)) return false;
  }
  return (selector.matchExpressions ?? []).every((r) => requirementHolds(r, labels));
}

/** Whether a map selector (a Service's `spec.selector`) selects `labels`: missing or `{}` → none. */
export function mapSelectorMatches(
  selector: Readonly<Record<string, string>> | null | undefined,
  labels: Labels,
): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === String(v));
}

/**
 * A LabelSelector in the API's query syntax (`labelSelector=` of a list): `app=x,tier in (a,b),
 * zone notin (c),gpu,!spot`; "" for `{}` (everything). Pure.
 */
export function labelSelectorQuery(selector: LabelSelector): string {
  const words: Record<string, (r: LabelSelectorRequirement) => string> = {
    In: (r) => `${r.key} in (${(r.values ?? []).join(",")})`,
    NotIn: (r) => `${r.key} notin (${(r.values ?? []).join(",")})`,
    Exists: (r) => r.key,
    DoesNotExist: (r) => `!${r.key}`,
  };
  return [
    ...Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`),
    ...(selector.matchExpressions ?? []).map((r) => {
      const word = words[r.operator];
      if (!word) throw new Error(`label selector: unknown operator ${r.operator} for ${r.key}`);
      return word(r);
    }),
  ].join(",");
}
