/**
 * Alerts and recording rules of two renders, compared: which were added, removed or changed,
 * with old → new expression, `for`, severity and other labels, and the parameters of
 * `PrometheusConfig.spec.rules` behind a changed threshold, by name.
 */
import { isKind, type K8sObject } from "../render/objects.ts";
import { type Change, type Detail, opOf, valueChanges } from "./change.ts";

export interface RuleEntry {
  type: "alert" | "record";
  name: string;
  /** The PrometheusRule and group it is in: `node-exporter-rules/node-exporter`. */
  group: string;
  expr: string;
  for?: string;
  keepFiringFor?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** Every rule of the render's PrometheusRule objects, in order. */
export function rulesOf(objects: readonly K8sObject[]): RuleEntry[] {
  const out: RuleEntry[] = [];
  for (const o of objects) {
    if (!isKind(o, "PrometheusRule")) continue;
    for (const g of o.spec?.groups ?? []) {
      for (const r of g?.rules ?? []) {
        const type = r?.alert !== undefined ? "alert" : "record";
        out.push({
          type,
          name: String(type === "alert" ? r.alert : r.record),
          group: `${o.metadata.name}/${g.name}`,
          expr: String(r.expr ?? "").trim(),
          ...(r.for !== undefined ? { for: String(r.for) } : {}),
          ...(r.keep_firing_for !== undefined ? { keepFiringFor: String(r.keep_firing_for) } : {}),
          labels: stringRecord(r.labels),
          annotations: stringRecord(r.annotations),
        });
      }
    }
  }
  return out;
}

function stringRecord(v: unknown): Record<string, string> {
  if (v === null || typeof v !== "object") return {};
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)]));
}

/** A tuned parameter: `node_exporter.node_filesystem_space_filling_up.warning.threshold`. */
export interface ParamChange {
  key: string;
  from?: string;
  to?: string;
  /** The alerts whose template uses it. */
  alerts: string[];
}

/**
 * The parameters whose value differs (`ruleParamValues()` of each side), each with the alerts
 * that use it (`placeholderAlerts()` of the rule templates, merged over both sides).
 */
export function paramChanges(
  before: Readonly<Record<string, number | string>>,
  after: Readonly<Record<string, number | string>>,
  users: ReadonlyMap<string, ReadonlySet<string>>,
): ParamChange[] {
  const asMap = (r: Readonly<Record<string, number | string>>) =>
    new Map(Object.entries(r).map(([k, v]) => [k, String(v)]));
  return valueChanges(asMap(before), asMap(after)).map((v) => ({
    ...v,
    alerts: [...(users.get(v.key) ?? [])].sort(),
  }));
}

/** `alert \`NodeDown\` (critical)`, `recording rule \`instance:x:rate5m\``. */
export function ruleTitle(r: RuleEntry): string {
  if (r.type === "record") return `recording rule \`${r.name}\``;
  const severity = r.labels.severity;
  return `alert \`${r.name}\`${severity ? ` (${severity})` : ""}`;
}

/** Pairs the rules of both sides: by type and name, then by severity, then in order. */
export function pairRules(
  before: readonly RuleEntry[],
  after: readonly RuleEntry[],
): Array<{ a?: RuleEntry; b?: RuleEntry }> {
  const byName = (rules: readonly RuleEntry[]) => {
    const m = new Map<string, RuleEntry[]>();
    for (const r of rules) {
      const k = `${r.type}:${r.name}`;
      m.set(k, [...(m.get(k) ?? []), r]);
    }
    return m;
  };
  const a = byName(before);
  const b = byName(after);
  const out: Array<{ a?: RuleEntry; b?: RuleEntry }> = [];
  for (const key of new Set([...a.keys(), ...b.keys()])) {
    const left = [...(a.get(key) ?? [])];
    const right = [...(b.get(key) ?? [])];
    if (left.length === 1 && right.length === 1) {
      out.push({ a: left[0]!, b: right[0]! });
      continue;
    }
    for (const l of [...left]) {
      const i = right.findIndex((r) => r.labels.severity === l.labels.severity);
      if (i < 0) continue;
      out.push({ a: l, b: right[i]! });
      right.splice(i, 1);
      left.splice(left.indexOf(l), 1);
    }
    while (left.length > 0 && right.length > 0) out.push({ a: left.shift()!, b: right.shift()! });
    for (const l of left) out.push({ a: l });
    for (const r of right) out.push({ b: r });
  }
  return out;
}

/** Whether a parameter key (`group.alert_name.severity.param`) concerns this rule's severity. */
function paramConcerns(p: ParamChange, r: RuleEntry): boolean {
  if (!p.alerts.includes(r.name)) return false;
  const severity = p.key.split(".")[2];
  return r.labels.severity === undefined || r.labels.severity === severity;
}

function paramDetail(p: ParamChange): Detail {
  return {
    op: opOf(p),
    label: `parameter \`${p.key}\``,
    ...(p.from !== undefined ? { from: p.from } : {}),
    ...(p.to !== undefined ? { to: p.to } : {}),
  };
}

function fieldDetail(label: string, from?: string, to?: string, code = false): Detail[] {
  if (from === to) return [];
  return [{
    op: opOf({ ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) }),
    label,
    ...(from !== undefined ? { from } : {}),
    ...(to !== undefined ? { to } : {}),
    ...(code ? { code } : {}),
  }];
}

/** What differs between two versions of one rule. */
function ruleDetails(a: RuleEntry, b: RuleEntry): Detail[] {
  const out: Detail[] = [];
  out.push(...fieldDetail("expr", a.expr, b.expr, true));
  out.push(...fieldDetail("for", a.for, b.for));
  out.push(...fieldDetail("keep_firing_for", a.keepFiringFor, b.keepFiringFor));
  const labels = valueChanges(new Map(Object.entries(a.labels)), new Map(Object.entries(b.labels)));
  for (const l of labels) {
    out.push(
      ...fieldDetail(l.key === "severity" ? "severity" : `label \`${l.key}\``, l.from, l.to),
    );
  }
  const notes = valueChanges(
    new Map(Object.entries(a.annotations)),
    new Map(Object.entries(b.annotations)),
  );
  for (const n of notes) {
    // The summary is short and says what fires; longer texts are named, not quoted.
    if (n.key === "summary") out.push(...fieldDetail("annotation `summary`", n.from, n.to));
    else {
      out.push({
        op: opOf(n),
        label: `annotation \`${n.key}\``,
        note: n.from === undefined ? "added" : n.to === undefined ? "removed" : "changed",
      });
    }
  }
  out.push(...fieldDetail("group", a.group, b.group));
  return out;
}

/** Every rule added, removed or changed, alerts first, by name; tuned parameters with them. */
export function ruleChanges(
  before: readonly RuleEntry[],
  after: readonly RuleEntry[],
  params: readonly ParamChange[] = [],
): Change[] {
  const used = new Set<ParamChange>();
  const out: Change[] = [];
  for (const { a, b } of pairRules(before, after)) {
    if (a && b) {
      const details = ruleDetails(a, b);
      if (details.length === 0) continue;
      const tuned = params.filter((p) => paramConcerns(p, a) || paramConcerns(p, b));
      tuned.forEach((p) => used.add(p));
      out.push({
        op: "~",
        subject: ruleTitle(b),
        details: [...tuned.map(paramDetail), ...details],
      });
    } else if (b) {
      out.push({
        op: "+",
        subject: ruleTitle(b),
        details: [
          { label: "expr", to: b.expr, code: true },
          ...(b.for ? [{ label: "for", to: b.for }] : []),
          { label: "group", to: b.group },
        ],
      });
    } else if (a) {
      out.push({ op: "-", subject: ruleTitle(a), details: [{ label: "group", from: a.group }] });
    }
  }
  out.sort((x, y) =>
    rank(x.subject) - rank(y.subject) || x.subject.localeCompare(y.subject) ||
    x.op.localeCompare(y.op)
  );
  // A parameter that changed no rendered rule (unused, or used only where nothing else moved).
  for (const p of params) {
    if (used.has(p)) continue;
    out.push({
      op: opOf(p),
      subject: `parameter \`${p.key}\``,
      ...(p.from !== undefined ? { from: p.from } : {}),
      ...(p.to !== undefined ? { to: p.to } : {}),
      note: p.alerts.length ? `used by ${p.alerts.join(", ")}` : "used by no alert",
    });
  }
  return out;
}

function rank(subject: string): number {
  return subject.startsWith("alert") ? 0 : 1;
}
