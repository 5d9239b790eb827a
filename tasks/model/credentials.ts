/**
 * No inline credential in a cluster's files nor in the base's Alertmanager or Grafana
 * configuration: receivers read secrets through `*_file` fields from a mounted Secret created
 * outside the repository, Grafana through `$__file{…}` / `$__env{…}` or an environment variable
 * filled from a Secret. The loader refuses them in `clusters/<name>/` (so `generate` never writes
 * one into `overlays/`), and validate runs the same functions over `base/`. Findings never repeat
 * the secret's value.
 */
import { isMap, isScalar, isSeq, type Node, type Pair } from "yaml";
import { childPath } from "./field_path.ts";
import type { Finding } from "./finding.ts";
import { parseYamlFile, positionOf } from "./yaml_locate.ts";

const CHECK = "credentials";

/** Where the operator mounts the Secret the receivers read their credentials from. */
export const RECEIVER_SECRETS_DIR = "/etc/alertmanager/secrets/alertmanager-receivers/";

/** Keys whose inline value is a secret, in Alertmanager or Grafana configuration. */
export const SECRET_KEYS: readonly string[] = [
  "routing_key",
  "service_key",
  "api_key",
  "api_secret",
  "password",
  "auth_password",
  "auth_secret",
  "bot_token",
  "token",
  "user_key",
  "client_secret",
  "credentials",
  "bearer_token",
  // Grafana
  "admin_password",
  "secret_key",
  "basicAuthPassword",
];

/** URL keys whose whole value is a secret (the URL carries the webhook's token). */
export const SECRET_URL_KEYS: readonly string[] = ["slack_api_url", "webhook_url"];
/** URL keys that are secrets in some receivers and plain endpoints in others. */
const URL_KEYS = ["api_url", "url", "wechat_api_url", "opsgenie_api_url", "victorops_api_url"];
/** Receivers whose `api_url` is the webhook itself (its path is the token). */
const WEBHOOK_API_URL_PARENTS = ["slack_configs", "mattermost_configs", "rocketchat_configs"];

/** A file of configuration, by path from the repository root. */
export interface ConfigText {
  path: string;
  text: string;
}

/**
 * Whose configuration a file holds, which decides the advice: Alertmanager reads `*_file`
 * fields, Grafana `$__file{…}`/`$__env{…}`; anything else keeps secrets out of the repository.
 */
export type CredentialReader = "alertmanager" | "grafana" | "other";

/** A value that names a secret instead of containing it. */
function isReference(v: string): boolean {
  return v === "" || /^\$__(file|env|vault)\{/.test(v) ||
    /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(v);
}

/** Does a URL carry a secret: a password, a secret-named query parameter, a token-like path? */
export function urlCarriesSecret(raw: string): string | null {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return null;
  }
  if (u.password) return "a password in the URL";
  for (const k of u.searchParams.keys()) {
    if (/token|key|secret|sig|pass|auth|code/i.test(k)) return `a query parameter ${k}`;
  }
  for (const seg of u.pathname.split("/")) {
    if (looksLikeToken(seg)) return "a token in the URL's path";
  }
  return null;
}

/** A long run of letters and digits mixed, as API tokens are (names and words are not). */
export function looksLikeToken(s: string): boolean {
  return s.length >= 20 && /^[A-Za-z0-9_\-]+$/.test(s) && /\d/.test(s) && /[A-Za-z]/.test(s);
}

/**
 * Why the inline `value` of `key` (in a map under `parent`) is a credential, or null when it is
 * not one: the one rule behind the findings below and the redaction of `deno task diff`.
 */
export function inlineCredential(key: string, value: string, parent: string): string | null {
  if (isReference(value)) return null;
  if (SECRET_KEYS.includes(key) || parent === "secureJsonData") {
    return `${key} with an inline value`;
  }
  if (SECRET_URL_KEYS.includes(key)) return `${key} with an inline webhook URL`;
  if (key === "api_url" && WEBHOOK_API_URL_PARENTS.includes(parent)) {
    return "api_url with an inline webhook URL";
  }
  if (URL_KEYS.includes(key)) {
    const why = urlCarriesSecret(value);
    if (why) return `${key} with ${why}`;
  }
  return null;
}

/** Why a grafana.ini `key = value` is an inline credential, or null. */
export function iniCredential(key: string, value: string): string | null {
  const unquoted = value.replace(/^"(.*)"$/, "$1");
  if (isReference(unquoted)) return null;
  return SECRET_KEYS.includes(key) || urlCarriesSecret(unquoted)
    ? `${key} with an inline value`
    : null;
}

/**
 * Why an environment variable's inline value is a credential, or null: programs read settings
 * from variables named after them (Grafana's GF_SECURITY_ADMIN_PASSWORD is grafana.ini's
 * admin_password), so a name ending in a secret key holds that secret; a URL may carry one.
 */
export function envCredential(name: string, value: string): string | null {
  // $(NAME) is the kubelet's expansion of another variable of the container.
  if (isReference(value) || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(value)) return null;
  const lower = name.toLowerCase();
  if (SECRET_KEYS.some((k) => lower === k.toLowerCase() || lower.endsWith(`_${k.toLowerCase()}`))) {
    return `${name} with an inline value`;
  }
  const why = urlCarriesSecret(value);
  return why ? `${name} with ${why}` : null;
}

function hintFor(key: string, reader: CredentialReader): string {
  if (reader === "grafana") return "use $__file{/path/to/mounted/secret} or $__env{VAR} instead";
  if (reader === "alertmanager") {
    return `use ${key}_file pointing at a file under ${RECEIVER_SECRETS_DIR}`;
  }
  return "keep it in a Secret created outside the repository";
}

/** Inline credentials in a YAML file of configuration (a CSC file, a provisioning file). */
export function yamlCredentialFindings(file: ConfigText, reader: CredentialReader): Finding[] {
  const out: Finding[] = [];
  const { docs, lc } = parseYamlFile(file.text);
  const report = (pair: Pair, path: string, why: string, key: string) => {
    out.push({
      severity: "error",
      file: file.path,
      ...positionOf(pair.key as Node, lc),
      field: path,
      message: `expected no inline credential (${hintFor(key, reader)}), found ${why}`,
      check: CHECK,
    });
  };
  const visit = (node: unknown, path: string, parents: string[]): void => {
    if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, childPath(path, i), parents));
      return;
    }
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const keyPath = childPath(path, key);
      const value = pair.value;
      const parent = parents[parents.length - 1] ?? "";
      if (isScalar(value) && (typeof value.value === "string" || typeof value.value === "number")) {
        const why = inlineCredential(key, String(value.value), parent);
        if (why) report(pair, keyPath, why, key);
      } else {
        visit(value, keyPath, [...parents, key]);
      }
    }
  };
  for (const doc of docs) visit(doc.contents, "", []);
  return out;
}

/** A `key = value` line of an ini file, by 0-based line and with where its value starts. */
export interface IniEntry {
  line: number;
  section: string;
  key: string;
  /** Trimmed. */
  value: string;
  /** 0-based offsets in the line. */
  keyAt: number;
  valueAt: number;
}

/** The `key = value` lines of an ini file, with their section (comments and headers skipped). */
export function iniEntries(text: string): IniEntry[] {
  const out: IniEntry[] = [];
  let section = "";
  text.split("\n").forEach((line, i) => {
    const s = /^\s*\[([^\]]+)\]/.exec(line);
    if (s) {
      section = s[1] as string;
      return;
    }
    const kv = /^(\s*)([A-Za-z0-9_.\-]+)(\s*=\s*)(.*?)\s*$/.exec(line);
    if (!kv || /^\s*[;#]/.test(line)) return;
    const [, indent, key, eq, value] = kv as unknown as [string, string, string, string, string];
    const keyAt = indent.length;
    out.push({ line: i, section, key, value, keyAt, valueAt: keyAt + key.length + eq.length });
  });
  return out;
}

/** Inline credentials in a grafana.ini file. */
export function iniCredentialFindings(file: ConfigText): Finding[] {
  return iniEntries(file.text).flatMap((e): Finding[] => {
    const why = iniCredential(e.key, e.value);
    return why
      ? [{
        severity: "error",
        file: file.path,
        line: e.line + 1,
        column: e.keyAt + 1,
        field: `${e.section}.${e.key}`,
        message: `expected no inline credential (${hintFor(e.key, "grafana")}), found ${why}`,
        check: CHECK,
      }]
      : [];
  });
}
