/**
 * Which route of an Alertmanager configuration an alert takes, with the timing it inherits:
 * enough of Alertmanager's routing to know how often a receiver may legitimately be notified
 * again (test-queries calls any sooner repeat a duplicate). Matchers are read and evaluated by
 * validate/matchers.ts, the one implementation of Alertmanager's matchers.
 */
import type { Route } from "../model/alertmanager_config.ts";
import { parseDuration } from "../model/units.ts";
import { matcherMatches, type MatchOp, parseMatchers } from "../validate/matchers.ts";

export interface RouteTiming {
  receiver: string;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
}

/** Alertmanager's defaults for a route without timing. */
const DEFAULTS = { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" };

type LabelTest = (labels: Readonly<Record<string, string>>) => boolean;

/** One matcher (`name="value"`, `name=~"re"`, …) read by validate's strict matcher parser. */
export function parseMatcher(text: string): LabelTest {
  const { matchers, error } = parseMatchers(text);
  const [m] = matchers;
  if (error || !m || matchers.length !== 1) {
    throw new Error(`not an Alertmanager matcher: ${text}`);
  }
  return (labels) => matcherMatches(m, labels);
}

function routeMatchers(route: Route): LabelTest[] {
  const out: LabelTest[] = [];
  const test = (name: string, op: MatchOp, value: unknown): LabelTest => (labels) =>
    matcherMatches({ name, op, value: String(value) }, labels);
  for (const [k, v] of Object.entries(route.match ?? {})) out.push(test(k, "=", v));
  for (const [k, v] of Object.entries(route.match_re ?? {})) out.push(test(k, "=~", v));
  for (const m of route.matchers ?? []) out.push(parseMatcher(String(m)));
  return out;
}

/** The routes an alert with `labels` takes (several with `continue: true`), as Alertmanager does. */
export function routesFor(
  root: Route | undefined,
  labels: Record<string, string>,
): RouteTiming[] {
  type Inherited = { receiver: string | undefined } & typeof DEFAULTS;
  const walk = (route: Route, inherited: Inherited, isRoot: boolean): RouteTiming[] => {
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
      // A route tree without a receiver at its root is refused by amtool in validate.
      receiver: own.receiver ?? "",
      groupWaitMs: parseDuration(own.group_wait),
      groupIntervalMs: parseDuration(own.group_interval),
      repeatIntervalMs: parseDuration(own.repeat_interval),
    }];
  };
  return walk(root ?? {}, { receiver: undefined, ...DEFAULTS }, true);
}
