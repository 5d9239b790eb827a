/**
 * The Alertmanager configuration as the tasks read it once parsed (the render's configuration
 * Secret, a cluster's merged configuration): routes, receivers, inhibit rules and the rest, the
 * fields routing, test-queries and diff read. Every field is optional and values are read
 * defensively: a configuration under check may be wrong, and amtool is the judge of that.
 */
import { parse } from "yaml";

/** A route of the tree. Matchers are read and evaluated by validate/matchers.ts. */
export interface Route {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  matchers?: unknown[];
  match?: Record<string, unknown>;
  match_re?: Record<string, unknown>;
  continue?: boolean;
  routes?: Route[];
}

/** A receiver: its name and its integrations (`webhook_configs`, `slack_configs`, …). */
export interface Receiver {
  name?: string;
  [integration: string]: unknown;
}

export interface InhibitRule {
  source_matchers?: unknown[];
  target_matchers?: unknown[];
  source_match?: Record<string, unknown>;
  target_match?: Record<string, unknown>;
  source_match_re?: Record<string, unknown>;
  target_match_re?: Record<string, unknown>;
  equal?: unknown[];
}

export interface AlertmanagerConfig {
  global?: Record<string, unknown>;
  route?: Route;
  receivers?: Receiver[];
  inhibit_rules?: InhibitRule[];
  templates?: string[];
  time_intervals?: unknown[];
  mute_time_intervals?: unknown[];
}

/** A configuration's text parsed; null when it is not YAML (amtool reports why). */
export function parseAlertmanagerConfig(text: string): AlertmanagerConfig | null {
  try {
    return parse(text) ?? {};
  } catch {
    return null;
  }
}

/** The names of a configuration's receivers, in order. */
export function receiverNames(config: AlertmanagerConfig | null | undefined): string[] {
  return (config?.receivers ?? []).map((r) => String(r?.name));
}
