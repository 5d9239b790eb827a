/**
 * No inline credential in a cluster's files nor in the base's Alertmanager or Grafana
 * configuration: receivers read secrets through `*_file` fields from a mounted Secret created
 * outside the repository, Grafana through `$__file{…}` / `$__env{…}` or an environment variable
 * filled from a Secret. The loader refuses them in `clusters/<name>/` (so `generate` never writes
 * one into `overlays/`), and validate runs the same functions over `base/`. Findings never repeat
 * the secret's value.
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, type Pair, parseAllDocuments } from "yaml";
import type { Finding } from "./finding.ts";

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
    if (
      seg.length >= 20 && /^[A-Za-z0-9_\-]+$/.test(seg) && /\d/.test(seg) && /[A-Za-z]/.test(seg)
    ) {
      return "a token in the URL's path";
    }
  }
  return null;
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
  const lc = new LineCounter();
  let docs;
  try {
    docs = parseAllDocuments(file.text, { lineCounter: lc });
  } catch {
    return out;
  }
  if (!Array.isArray(docs)) return out;
  const report = (pair: Pair, path: string, why: string, key: string) => {
    const at = lc.linePos((pair.key as Node).range?.[0] ?? 0);
    out.push({
      severity: "error",
      file: file.path,
      line: at.line,
      column: at.col,
      field: path,
      message: `expected no inline credential (${hintFor(key, reader)}), found ${why}`,
      check: CHECK,
    });
  };
  const visit = (node: unknown, path: string, parents: string[]): void => {
    if (isSeq(node)) {
      node.items.forEach((item, i) => visit(item, `${path}[${i}]`, parents));
      return;
    }
    if (!isMap(node)) return;
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const childPath = path ? `${path}.${key}` : key;
      const value = pair.value;
      const parent = parents[parents.length - 1] ?? "";
      if (isScalar(value) && (typeof value.value === "string" || typeof value.value === "number")) {
        const v = String(value.value);
        if (isReference(v)) continue;
        if (SECRET_KEYS.includes(key) || parent === "secureJsonData") {
          report(pair, childPath, `${key} with an inline value`, key);
        } else if (SECRET_URL_KEYS.includes(key)) {
          report(pair, childPath, `${key} with an inline webhook URL`, key);
        } else if (key === "api_url" && WEBHOOK_API_URL_PARENTS.includes(parent)) {
          report(pair, childPath, `api_url with an inline webhook URL`, key);
        } else if (URL_KEYS.includes(key)) {
          const why = urlCarriesSecret(v);
          if (why) report(pair, childPath, `${key} with ${why}`, key);
        }
      } else {
        visit(value, childPath, [...parents, key]);
      }
    }
  };
  for (const doc of docs) visit(doc.contents, "", []);
  return out;
}

/** Inline credentials in a grafana.ini file. */
export function iniCredentialFindings(file: ConfigText): Finding[] {
  const out: Finding[] = [];
  let section = "";
  file.text.split("\n").forEach((line, i) => {
    const s = /^\s*\[([^\]]+)\]/.exec(line);
    if (s) {
      section = s[1] as string;
      return;
    }
    const kv = /^\s*([A-Za-z0-9_.\-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!kv || /^\s*[;#]/.test(line)) return;
    const [, key, value] = kv as unknown as [string, string, string];
    const unquoted = value.replace(/^"(.*)"$/, "$1");
    if (isReference(unquoted)) return;
    if (SECRET_KEYS.includes(key) || urlCarriesSecret(unquoted)) {
      out.push({
        severity: "error",
        file: file.path,
        line: i + 1,
        column: line.indexOf(key) + 1,
        field: `${section}.${key}`,
        message:
          `expected no inline credential (${hintFor(key, "grafana")}), found ${key} with an ` +
          "inline value",
        check: CHECK,
      });
    }
  });
  return out;
}
