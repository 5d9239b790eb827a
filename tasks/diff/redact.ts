/**
 * Keeps secrets out of what diff prints (a pull-request comment is public to every reader of the
 * repository): a value that validate's credential rule calls a credential, or that looks like a
 * token, is replaced by `(redacted)`. `*_file` fields are paths to mounted secrets and are kept.
 */
import { parse, stringify } from "yaml";
import { iniCredential, inlineCredential, looksLikeToken } from "../model/credentials.ts";
import { leaves, type ValueChange } from "./change.ts";

export const REDACTED = "(redacted)";
/** Shown when a redacted value differs between the two sides. */
export const REDACTED_CHANGED = "(redacted, changed)";

function secretScalar(key: string, value: string, parent: string): boolean {
  if (key.endsWith("_file")) return false;
  return inlineCredential(key, value, parent) !== null || looksLikeToken(value);
}

/** A copy of a parsed configuration with every inline credential replaced by `(redacted)`. */
export function redactConfig(value: unknown, key = "", parent = ""): unknown {
  if (Array.isArray(value)) return value.map((item) => redactConfig(item, key, parent));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, redactConfig(v, k, key)]),
    );
  }
  if (typeof value === "string" || typeof value === "number") {
    return secretScalar(key, String(value), parent) ? REDACTED : value;
  }
  return value;
}

/** A YAML text (an Alertmanager configuration) with its credentials redacted. */
export function redactYamlText(text: string): string {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return `${REDACTED} (not parsable YAML)\n`;
  }
  return stringify(redactConfig(value), { lineWidth: 0 });
}

/** A grafana.ini value, or `(redacted)` when it is an inline credential. */
export function redactIniValue(key: string, value: string): string {
  return iniCredential(key, value) !== null || looksLikeToken(value) ? REDACTED : value;
}

/**
 * The leaves that differ between two parsed configurations, shown redacted; a secret that
 * changed reads `(redacted) → (redacted, changed)`, never its value.
 */
export function redactedChanges(before: unknown, after: unknown, prefix = ""): ValueChange[] {
  const rawA = leaves(before, prefix);
  const rawB = leaves(after, prefix);
  const shownA = leaves(redactConfig(before), prefix);
  const shownB = leaves(redactConfig(after), prefix);
  const out: ValueChange[] = [];
  for (const key of new Set([...rawA.keys(), ...rawB.keys()])) {
    if (rawA.get(key) === rawB.get(key)) continue;
    const from = shownA.get(key);
    let to = shownB.get(key);
    if (from !== undefined && from === to) to = REDACTED_CHANGED;
    out.push({ key, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) });
  }
  return out;
}
