/**
 * Keeps secrets out of what diff prints (a pull-request comment is public to every reader of the
 * repository): a value that the loader's and validate's credential rule
 * (tasks/model/credentials.ts) calls a credential, or that looks like a token, is replaced by
 * `(redacted)`. `*_file` fields are paths to mounted secrets and are kept.
 */
import { isDeepStrictEqual } from "node:util";
import { parse, stringify } from "yaml";
import {
  envCredential,
  iniCredential,
  iniEntries,
  inlineCredential,
  looksLikeToken,
} from "../model/credentials.ts";
import { type ConfigMap, isKind, type K8sObject } from "../render/objects.ts";
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

/** An ini text (grafana.ini) with each credential's value redacted, every other line as it was. */
export function redactIniText(text: string): string {
  const lines = text.split("\n");
  for (const e of iniEntries(text)) {
    if (redactIniValue(e.key, e.value) !== REDACTED) continue;
    lines[e.line] = `${(lines[e.line] as string).slice(0, e.valueAt)}${REDACTED}`;
  }
  return lines.join("\n");
}

/** A YAML text as it was, or redacted when it holds a credential. */
function redactYamlIfNeeded(text: string): string {
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    return text;
  }
  return isDeepStrictEqual(redactConfig(value), value) ? text : redactYamlText(text);
}

/**
 * A rendered object with the credentials a mistake could put in it redacted: containers' `env`
 * values, URL annotations (an Ingress's auth-url), a ConfigMap's ini and YAML files. Secrets are
 * shown by `shown()` of manifest_diff.ts, which hides their data.
 */
export function redactManifest<T extends K8sObject>(o: T): T {
  const walk = (v: unknown, key: string): unknown => {
    if (Array.isArray(v)) {
      if (key !== "env") return v.map((item) => walk(item, ""));
      return v.map((e) =>
        e !== null && typeof e === "object" &&
          (typeof e.value === "string" || typeof e.value === "number")
          ? { ...e, value: redactEnvValue(String(e.name), String(e.value)) }
          : e
      );
    }
    if (v === null || typeof v !== "object") return v;
    return Object.fromEntries(
      Object.entries(v).map(([k, x]) => {
        if (key === "annotations" && typeof x === "string" && /^https?:\/\//.test(x)) {
          return [k, redactUrl(x)];
        }
        return [k, walk(x, k)];
      }),
    );
  };
  const out = walk(o, "") as T;
  if (isKind(o, "ConfigMap") && o.data) {
    const config = out as ConfigMap;
    config.data = Object.fromEntries(
      Object.entries(o.data).map(([k, v]) => {
        if (typeof v !== "string") return [k, v];
        if (k.endsWith(".ini")) return [k, redactIniText(v)];
        if (/\.ya?ml$/.test(k)) return [k, redactYamlIfNeeded(v)];
        return [k, v];
      }),
    );
  }
  return out;
}

/** A container's environment variable's value, or `(redacted)` when it is an inline credential. */
export function redactEnvValue(name: string, value: string): string {
  return envCredential(name, value) !== null || looksLikeToken(value) ? REDACTED : value;
}

/** A URL, or `(redacted)` when it carries a credential (a password, a token). */
export function redactUrl(value: string): string {
  return secretScalar("url", value, "") ? REDACTED : value;
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
