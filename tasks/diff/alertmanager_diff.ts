/**
 * Two Alertmanager configurations compared: routes (the tree, one line per route, in order),
 * receivers by name (their fields, credentials redacted), inhibit rules, and the rest (global,
 * time intervals, templates). Pure: parsed configurations in, changes out.
 */
import type {
  AlertmanagerConfig,
  InhibitRule,
  Receiver,
  Route,
} from "../model/alertmanager_config.ts";
import { type Change, type Detail, opOf } from "./change.ts";
import { diffLines } from "./line_diff.ts";
import { redactedChanges } from "./redact.ts";

function list(v: unknown): string {
  return Array.isArray(v) ? `[${v.map(String).join(", ")}]` : String(v);
}

/** A route's matchers, in either syntax: `severity = "critical"`, `team=~"a|b"`. */
function matchersOf(route: Route): string[] {
  const out: string[] = [];
  for (const m of route?.matchers ?? []) out.push(String(m));
  for (const [k, v] of Object.entries(route?.match ?? {})) out.push(`${k}="${v}"`);
  for (const [k, v] of Object.entries(route?.match_re ?? {})) out.push(`${k}=~"${v}"`);
  return out;
}

const ROUTE_OPTIONS = [
  "group_by",
  "group_wait",
  "group_interval",
  "repeat_interval",
  "mute_time_intervals",
  "active_time_intervals",
] as const;

/** One line per route of the tree, in order, indented by depth: what it matches and where to. */
export function routeLines(route: Route | undefined): string[] {
  const out: string[] = [];
  const walk = (r: Route | undefined, depth: number) => {
    if (!r || typeof r !== "object") return;
    const matchers = matchersOf(r);
    const what = depth === 0
      ? "default route"
      : matchers.length
      ? `{${matchers.join(", ")}}`
      : "every alert";
    const options = ROUTE_OPTIONS.filter((k) => r[k] !== undefined).map((k) =>
      `${k} ${list(r[k])}`
    );
    if (r.continue) options.push("continue");
    const to = r.receiver !== undefined ? String(r.receiver) : "(parent's receiver)";
    out.push(
      `${"  ".repeat(depth)}${what} → ${to}${options.length ? ` (${options.join(", ")})` : ""}`,
    );
    for (const child of r.routes ?? []) walk(child, depth + 1);
  };
  walk(route, 0);
  return out;
}

/** One line per inhibit rule: what silences what, and when. */
export function inhibitLines(rules: readonly InhibitRule[] | undefined): string[] {
  return (Array.isArray(rules) ? rules : []).map((r: InhibitRule) => {
    const side = (prefix: "source" | "target") => {
      const m = [
        ...(r?.[`${prefix}_matchers`] ?? []).map(String),
        ...Object.entries(r?.[`${prefix}_match`] ?? {}).map(([k, v]) => `${k}="${v}"`),
        ...Object.entries(r?.[`${prefix}_match_re`] ?? {}).map(([k, v]) => `${k}=~"${v}"`),
      ];
      return `{${m.join(", ")}}`;
    };
    const equal = r?.equal ? ` with equal ${list(r.equal)}` : "";
    return `${side("source")} silences ${side("target")}${equal}`;
  });
}

/** The lines one side has and the other has not, in order, as added and removed changes. */
function lineChanges(kind: string, before: string[], after: string[]): Change[] {
  return diffLines(before, after).flatMap((e) =>
    e.op === " " ? [] : [{ op: e.op, subject: `${kind} \`${e.line.trim()}\`` }]
  );
}

function receiverMap(config: AlertmanagerConfig | null): Map<string, Receiver> {
  const out = new Map<string, Receiver>();
  for (const r of config?.receivers ?? []) out.set(String(r?.name), r);
  return out;
}

/** A receiver's fields but its name. */
function body(receiver: Receiver | undefined): Record<string, unknown> {
  const { name: _name, ...rest } = receiver ?? {};
  return rest;
}

function receiverChanges(
  before: AlertmanagerConfig | null,
  after: AlertmanagerConfig | null,
): Change[] {
  const a = receiverMap(before);
  const b = receiverMap(after);
  const out: Change[] = [];
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const subject = `receiver \`${name}\``;
    if (!b.has(name)) {
      out.push({ op: "-", subject });
      continue;
    }
    if (!a.has(name)) {
      const shown = redactedChanges({}, body(b.get(name)));
      out.push({
        op: "+",
        subject,
        details: shown.map((v) => ({
          label: `\`${v.key}\``,
          ...(v.to !== undefined ? { to: v.to } : {}),
        })),
      });
      continue;
    }
    const changes = redactedChanges(body(a.get(name)), body(b.get(name)));
    if (changes.length === 0) continue;
    out.push({
      op: "~",
      subject,
      details: changes.map((v): Detail => ({
        op: opOf(v),
        label: `\`${v.key}\``,
        ...(v.from !== undefined ? { from: v.from } : {}),
        ...(v.to !== undefined ? { to: v.to } : {}),
      })),
    });
  }
  return out;
}

/** Everything but routes, receivers and inhibit rules: global, time intervals, templates. */
function otherChanges(
  before: AlertmanagerConfig | null,
  after: AlertmanagerConfig | null,
): Change[] {
  const rest = (c: AlertmanagerConfig | null) => {
    const { route: _r, receivers: _re, inhibit_rules: _i, ...others } = c ?? {};
    return others;
  };
  return redactedChanges(rest(before), rest(after)).map((v) => ({
    op: opOf(v),
    subject: `\`${v.key}\``,
    ...(v.from !== undefined ? { from: v.from } : {}),
    ...(v.to !== undefined ? { to: v.to } : {}),
  }));
}

/** The changes between two parsed Alertmanager configurations (null: none on that side). */
export function alertmanagerChanges(
  before: AlertmanagerConfig | null,
  after: AlertmanagerConfig | null,
): Change[] {
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [
    ...lineChanges("route", routeLines(before?.route), routeLines(after?.route)),
    ...receiverChanges(before, after),
    ...lineChanges(
      "inhibit rule",
      inhibitLines(before?.inhibit_rules),
      inhibitLines(after?.inhibit_rules),
    ),
    ...otherChanges(before, after),
  ];
}
