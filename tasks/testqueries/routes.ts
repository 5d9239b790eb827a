/**
 * Which route of an Alertmanager configuration an alert takes, with the timing it inherits:
 * enough of Alertmanager's routing to know how often a receiver may legitimately be notified
 * again (test-queries calls any sooner repeat a duplicate).
 */
import { parseDuration } from "../model/cluster.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

export interface RouteTiming {
  receiver: string;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/** Alertmanager's defaults for a route without timing. */
const DEFAULTS = { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" };

type Matcher = (labels: Record<string, string>) => boolean;

/** `name="value"`, `name=~"re"`, `name!="v"`, `name!~"re"` (quotes optional). */
export function parseMatcher(text: string): Matcher {
  const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/.exec(text);
  if (!m) throw new Error(`not an Alertmanager matcher: ${text}`);
  const [, name, op, raw] = m as unknown as [string, string, string, string];
  const value = /^".*"$/.test(raw) ? JSON.parse(raw) as string : raw;
  return matcher(name, op, value);
}

function matcher(name: string, op: string, value: string): Matcher {
  const re = op === "=~" || op === "!~" ? new RegExp(`^(?:${value})$`) : undefined;
  return (labels) => {
    const v = labels[name] ?? "";
    switch (op) {
      case "=":
        return v === value;
      case "!=":
        return v !== value;
      case "=~":
        return (re as RegExp).test(v);
      default:
        return !(re as RegExp).test(v);
    }
  };
}

function routeMatchers(route: Json): Matcher[] {
  const out: Matcher[] = [];
  for (const [k, v] of Object.entries(route.match ?? {})) out.push(matcher(k, "=", String(v)));
  for (const [k, v] of Object.entries(route.match_re ?? {})) out.push(matcher(k, "=~", String(v)));
  for (const m of route.matchers ?? []) out.push(parseMatcher(String(m)));
  return out;
}

/** The routes an alert with `labels` takes (several with `continue: true`), as Alertmanager does. */
export function routesFor(root: Json, labels: Record<string, string>): RouteTiming[] {
  const walk = (route: Json, inherited: Json, isRoot: boolean): RouteTiming[] => {
    if (!isRoot && !routeMatchers(route).every((m) => m(labels))) return [];
    const own = {
      receiver: route.receiver ?? inherited.receiver,
      group_wait: route.group_wait ?? inherited.group_wait,
      group_interval: route.group_interval ?? inherited.group_interval,
      repeat_interval: route.repeat_interval ?? inherited.repeat_interval,
    };
    const found: RouteTiming[] = [];
    for (const child of route.routes ?? []) {
      const matched = walk(child, own, false);
      found.push(...matched);
      if (matched.length > 0 && !child.continue) break;
    }
    if (found.length > 0) return found;
    return [{
      receiver: own.receiver,
      groupWaitMs: parseDuration(own.group_wait),
      groupIntervalMs: parseDuration(own.group_interval),
      repeatIntervalMs: parseDuration(own.repeat_interval),
    }];
  };
  return walk(root ?? {}, { receiver: undefined, ...DEFAULTS }, true);
}
