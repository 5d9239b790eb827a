/**
 * The rendered manifests of two sides compared object by object: which objects were added,
 * removed or changed, and a unified diff of their YAML. Secrets are shown decoded with their
 * credentials redacted (the Alertmanager configuration) or not at all (any other Secret); in
 * other objects the credentials a mistake could put there are redacted (`redactManifest()`).
 */
import { stringify } from "yaml";
import { isKind, type K8sObject } from "../render/objects.ts";
import { ALERTMANAGER_CONFIG_KEY, ALERTMANAGER_CONFIG_SECRET } from "../validate/routing.ts";
import type { ChangeOp } from "./change.ts";
import { diffLines, unifiedHunks } from "./line_diff.ts";
import { REDACTED, redactManifest, redactYamlText } from "./redact.ts";
import { HASH_SUFFIX } from "./settings_diff.ts";

export interface ObjectChange {
  op: ChangeOp;
  /** `Kind namespace/name` (the new name when kustomize's hash suffix changed). */
  id: string;
  /** Lines added and removed in its YAML. */
  added: number;
  removed: number;
}

export interface ManifestDiff {
  objects: ObjectChange[];
  /** Unified diff, one `--- before/…` / `+++ after/…` header per object. */
  lines: string[];
}

/** Identifies an object across both sides: kind, namespace, name without a content hash. */
function keyOf(o: K8sObject): string {
  const generated = o.kind === "ConfigMap" || o.kind === "Secret";
  const name = generated ? o.metadata.name.replace(HASH_SUFFIX, "") : o.metadata.name;
  return [o.kind, o.metadata.namespace ?? "", name].join("/");
}

export function idOf(o: K8sObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

function decode(b64: string): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)),
    );
  } catch {
    return null;
  }
}

/** An object as diff shows it; a Secret's data decoded (and redacted) under its own key. */
export type Shown = K8sObject & { "data (decoded)"?: Record<string, string> };

/** An object as diff shows it: Secrets decoded, credentials redacted, other secret data hidden. */
export function shown(o: K8sObject): Shown {
  if (!isKind(o, "Secret")) return redactManifest(o);
  const isConfig = o.metadata.name.replace(HASH_SUFFIX, "") === ALERTMANAGER_CONFIG_SECRET;
  const show = (key: string, text: string | null): string => {
    if (isConfig && key === ALERTMANAGER_CONFIG_KEY && text !== null) return redactYamlText(text);
    return `${REDACTED} (${
      text === null ? "binary" : `${new TextEncoder().encode(text).length} bytes`
    })`;
  };
  const { data, stringData, ...rest } = o;
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(data ?? {})) values[k] = show(k, decode(String(v)));
  for (const [k, v] of Object.entries(stringData ?? {})) values[k] = show(k, String(v));
  return { ...rest, ...(Object.keys(values).length ? { "data (decoded)": values } : {}) };
}

function yamlLines(o: K8sObject): string[] {
  return stringify(shown(o), { lineWidth: 0, aliasDuplicateObjects: false }).replace(/\n$/, "")
    .split("\n");
}

/** Objects added, removed and changed between two renders, with the diff of their YAML. */
export function manifestDiff(
  before: readonly K8sObject[],
  after: readonly K8sObject[],
  context = 3,
): ManifestDiff {
  const a = new Map(before.map((o) => [keyOf(o), o]));
  const b = new Map(after.map((o) => [keyOf(o), o]));
  const objects: ObjectChange[] = [];
  const lines: string[] = [];
  const keys = [...new Set([...a.keys(), ...b.keys()])].sort();
  for (const key of keys) {
    const x = a.get(key);
    const y = b.get(key);
    if (x && y && JSON.stringify(x) === JSON.stringify(y)) continue;
    const edits = diffLines(x ? yamlLines(x) : [], y ? yamlLines(y) : []);
    const hunks = unifiedHunks(edits, x && y ? context : Infinity);
    const added = edits.filter((e) => e.op === "+").length;
    const removed = edits.filter((e) => e.op === "-").length;
    const id = idOf((y ?? x) as K8sObject);
    objects.push({ op: !x ? "+" : !y ? "-" : "~", id, added, removed });
    lines.push(
      `--- ${x ? `before/${idOf(x).replace(" ", "/")}` : "/dev/null"}`,
      `+++ ${y ? `after/${idOf(y).replace(" ", "/")}` : "/dev/null"}`,
      // Equal once shown: only a Secret's hidden bytes differ.
      ...(hunks.length ? hunks : ["@@ secret data changed; values not shown @@"]),
    );
  }
  return { objects, lines };
}
