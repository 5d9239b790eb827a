/**
 * Routing checks: every route names an existing receiver; the route tests of a cluster
 * (`clusters/<name>/routes-test.yaml`, cases "these labels go to these receivers") are parsed
 * here and run with the real amtool; amtool check-config runs on every rendered configuration.
 */
import { isMap, isScalar, isSeq, type Node } from "yaml";
import type { Finding } from "../model/finding.ts";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { type K8sObject, objectsOf } from "../render/objects.ts";
import {
  type AlertmanagerConfig,
  parseAlertmanagerConfig,
  receiverNames,
  type Route,
} from "../model/alertmanager_config.ts";
import type { SourceFile } from "./source_index.ts";
import { suspiciousValue } from "./matchers.ts";
import { matcherFindings } from "./routing_matchers.ts";
import { findLine } from "../model/text_position.ts";
import { type ParsedYaml, parseYamlFile, pathAtLine, positionOf } from "../model/yaml_locate.ts";
import {
  ALERTMANAGER_CONFIG_PATH,
  type ClusterSpot,
  type ClusterValues,
} from "./cluster_values.ts";

/** The Secret the overlay generates with the cluster's Alertmanager configuration. */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-main-config";
export const ALERTMANAGER_CONFIG_KEY = "alertmanager.yaml";

/** The Alertmanager configuration text of a render (from the generated Secret), if any. */
export function alertmanagerConfigOf(objects: readonly K8sObject[]): string | null {
  const s = objectsOf(objects, "Secret").find((o) =>
    o.metadata.name.replace(/-[a-z0-9]{10}$/, "") === ALERTMANAGER_CONFIG_SECRET
  );
  if (!s) return null;
  const str = s.stringData?.[ALERTMANAGER_CONFIG_KEY];
  if (typeof str === "string") return str;
  const b64 = s.data?.[ALERTMANAGER_CONFIG_KEY];
  if (typeof b64 !== "string") return null;
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

export interface RouteProblem {
  receiver: string;
  /** `route.routes[0].routes[1]`. */
  path: string;
  message: string;
}

/** Routes naming a receiver that is not defined. */
export function undefinedReceivers(config: AlertmanagerConfig | null): RouteProblem[] {
  const names = receiverNames(config);
  const out: RouteProblem[] = [];
  const walk = (route: Route | undefined, path: string) => {
    if (!route || typeof route !== "object") return;
    if (route.receiver !== undefined && !names.includes(String(route.receiver))) {
      out.push({
        receiver: String(route.receiver),
        path: `${path}.receiver`,
        message: `expected a receiver defined in receivers (${names.join(", ")}), found ${
          JSON.stringify(route.receiver)
        }`,
      });
    }
    (route.routes ?? []).forEach((r, i) => walk(r, `${path}.routes[${i}]`));
  };
  walk(config?.route, "route");
  if (config?.route && config.route.receiver === undefined) {
    out.push({
      receiver: "",
      path: "route.receiver",
      message: "expected the top-level route to name a default receiver, found none",
    });
  }
  return out;
}

/**
 * Where a `receiver: <name>` is written: the cluster's alertmanager.yaml, else `fallback`.
 * (The merged configuration has no positions; a receiver name is what a person searches.)
 */
export function locateReceiverRef(
  sources: readonly SourceFile[],
  receiver: string,
  fallback: string,
): { file: string; line: number; column: number } {
  for (const s of sources) {
    const at = findLine(s.text, new RegExp(`\\breceiver:\\s*["']?${escapeRe(receiver)}["']?\\s*$`));
    if (at) return { file: s.path, ...at };
  }
  return { file: fallback, line: 1, column: 1 };
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

export function receiverFindings(
  configText: string,
  sources: readonly SourceFile[],
  fallback: string,
): Finding[] {
  const config = parseAlertmanagerConfig(configText);
  if (config === null) return []; // amtool reports a broken configuration
  return undefinedReceivers(config).map((p) => ({
    severity: "error",
    ...locateReceiverRef(sources, p.receiver, fallback),
    field: `spec.notification.config.${p.path}`,
    message: p.message,
    check: "routing/receivers",
  }));
}

// ---------------------------------------------------------------------------------------------
// Route tests

export interface RouteCase {
  name: string;
  labels: Record<string, string>;
  receivers: string[];
  line: number;
  column: number;
}

/** Parses routes-test.yaml into cases; shape problems become findings. */
export function parseRouteTests(file: SourceFile): { cases: RouteCase[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const cases: RouteCase[] = [];
  const parsed = parseYamlFile(file.text);
  const bad = (node: Node | null | undefined, field: string, message: string) => {
    const at = positionOf(node, parsed.lc);
    findings.push({
      severity: "error",
      file: file.path,
      line: at.line,
      column: at.column,
      field,
      message,
      check: "routing/route-tests",
    });
  };
  const doc = parsed.docs[0];
  if (!doc) {
    bad(null, "", "expected a map with `cases`, found an empty file");
    return { cases, findings };
  }
  for (const e of doc.errors) {
    const at = parsed.lc.linePos(e.pos[0]);
    findings.push({
      severity: "error",
      file: file.path,
      line: at.line,
      column: at.col,
      field: "",
      message: `YAML: ${e.message.split("\n")[0]}`,
      check: "yaml",
    });
  }
  if (doc.errors.length > 0) return { cases, findings };
  const root = doc.contents;
  const list = isMap(root) ? root.get("cases", true) : undefined;
  if (!isMap(root) || !isSeq(list)) {
    bad(
      root,
      "cases",
      "expected a map with a list `cases` of {name, labels, receivers}, found none",
    );
    return { cases, findings };
  }
  if (isMap(root)) {
    for (const p of root.items) {
      if (isScalar(p.key) && p.key.value !== "cases") {
        bad(
          p.key as Node,
          String(p.key.value),
          `unknown key \`${p.key.value}\`; expected only cases`,
        );
      }
    }
  }
  const seen = new Set<string>();
  list.items.forEach((item, i) => {
    const field = `cases[${i}]`;
    if (!isMap(item)) {
      bad(item as Node, field, "expected a case {name, labels, receivers}, found something else");
      return;
    }
    for (const p of item.items) {
      const k = isScalar(p.key) ? String(p.key.value) : "";
      if (!["name", "labels", "receivers"].includes(k)) {
        bad(
          p.key as Node,
          `${field}.${k}`,
          `unknown key \`${k}\`; expected name, labels, receivers`,
        );
      }
    }
    const name = item.get("name");
    const labelsNode = item.get("labels", true);
    const recvNode = item.get("receivers", true);
    if (typeof name !== "string" || name === "") {
      bad(item, `${field}.name`, "expected a case name, found none");
    } else if (seen.has(name)) {
      bad(
        item.get("name", true) as Node,
        `${field}.name`,
        `expected unique case names, found "${name}" twice`,
      );
    }
    if (typeof name === "string") seen.add(name);
    const labels: Record<string, string> = {};
    if (!isMap(labelsNode) || labelsNode.items.length === 0) {
      bad(labelsNode ?? item, `${field}.labels`, "expected a map of alert labels, found none");
    } else {
      for (const p of labelsNode.items) {
        const k = isScalar(p.key) ? String(p.key.value) : "";
        const v = isScalar(p.value) ? p.value.value : undefined;
        if (
          !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k) || (typeof v !== "string" && typeof v !== "number")
        ) {
          bad(p.key as Node, `${field}.labels.${k}`, `expected label name: value, found ${k}`);
          continue;
        }
        // An alert label never starts with an operator: `severity: =critical` is a typo.
        const why = suspiciousValue(String(v));
        if (why) {
          bad(
            p.value as Node,
            `${field}.labels.${k}`,
            `expected the value of label ${k} as an alert carries it, found ${
              JSON.stringify(String(v))
            }: ${why}`,
          );
        }
        labels[k] = String(v);
      }
    }
    const receivers: string[] = [];
    if (!isSeq(recvNode) || recvNode.items.length === 0) {
      bad(
        recvNode ?? item,
        `${field}.receivers`,
        "expected a non-empty list of receivers, found none",
      );
    } else {
      for (const r of recvNode.items) {
        if (isScalar(r) && typeof r.value === "string") receivers.push(r.value);
        else bad(r as Node, `${field}.receivers`, "expected receiver names, found something else");
      }
    }
    const at = positionOf(item, parsed.lc);
    if (typeof name === "string" && receivers.length > 0 && Object.keys(labels).length > 0) {
      cases.push({ name, labels, receivers, ...at });
    }
  });
  return { cases, findings };
}

/** Route test cases naming receivers the configuration does not define (a typo, a rename). */
export function unknownCaseReceivers(
  file: string,
  cases: readonly RouteCase[],
  configText: string,
): Finding[] {
  const config = parseAlertmanagerConfig(configText);
  if (config === null) return [];
  const names = receiverNames(config);
  const out: Finding[] = [];
  for (const c of cases) {
    for (const r of c.receivers) {
      if (names.includes(r)) continue;
      out.push({
        severity: "error",
        file,
        line: c.line,
        column: c.column,
        field: `cases[${c.name}].receivers`,
        message: `case "${c.name}": expected receivers defined in the configuration (${
          names.join(", ")
        }), found ${JSON.stringify(r)}`,
        check: "routing/route-tests",
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// amtool (I/O)

/** Receivers amtool routes `labels` to, in its order. */
export async function amtoolRoute(
  configFile: string,
  labels: Record<string, string>,
): Promise<{ receivers: string[]; error?: string }> {
  const r = await run(toolPath("amtool"), [
    "config",
    "routes",
    "test",
    `--config.file=${configFile}`,
    // Quoted, so amtool reads a value with spaces, commas or quotes as written (its strict
    // parser and its classic fallback agree on a double-quoted value).
    ...Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`),
  ]);
  if (r.code !== 0 && r.stdout.trim() === "") {
    return { receivers: [], error: (r.stderr || r.stdout).trim() };
  }
  const last = r.stdout.trim().split("\n").filter(Boolean).at(-1) ?? "";
  return { receivers: last.split(",").map((s) => s.trim()).filter(Boolean) };
}

/** Runs one route test case; a finding when amtool routes elsewhere. */
export async function runRouteCase(
  file: string,
  configFile: string,
  c: RouteCase,
): Promise<Finding[]> {
  const got = await amtoolRoute(configFile, c.labels);
  const base = {
    severity: "error" as const,
    file,
    line: c.line,
    column: c.column,
    field: `cases[${c.name}]`,
    check: "routing/route-tests",
  };
  if (got.error) return [{ ...base, message: `case "${c.name}": amtool failed: ${got.error}` }];
  const want = [...c.receivers].sort().join(",");
  if ([...got.receivers].sort().join(",") === want) return [];
  return [{
    ...base,
    message: `case "${c.name}": expected labels {${
      Object.entries(c.labels).map(([k, v]) => `${k}=${v}`).join(", ")
    }} to reach receivers ${c.receivers.join(", ")}, found ${got.receivers.join(", ") || "none"}`,
  }];
}

/**
 * amtool prints, per file, `Checking '<path>'  SUCCESS` or `Checking '<path>'  FAILED: <why>`,
 * where `<why>` may run over several lines (`yaml: unmarshal errors:` and one `line N: …` per
 * problem) and ends with a blank line: each failed file's full reason.
 */
export function checkConfigFailures(output: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /Checking '([^']+)'\s+FAILED:[ \t]*([\s\S]*?)(?=\n[ \t]*\n|\nChecking '|\nFound:|$)/g;
  for (const m of output.matchAll(re)) out.set(m[1] as string, (m[2] ?? "").trim());
  return out;
}

/** A failure as one line for a message. */
function oneLine(failure: string): string {
  return failure.split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
}

/**
 * Each failure of amtool check-config's `output` as a finding on the source its file was
 * generated from.
 */
export function parseCheckConfig(
  output: string,
  files: ReadonlyArray<{ path: string; report: { file: string; line: number; column: number } }>,
): Finding[] {
  const out: Finding[] = [];
  for (const [path, failure] of checkConfigFailures(output)) {
    const f = files.find((x) => x.path === path);
    if (!f) continue;
    out.push({
      severity: "error",
      ...f.report,
      field: "spec.notification.config",
      message: `expected a configuration amtool check-config accepts, found: ${oneLine(failure)}`,
      check: "amtool",
    });
  }
  if (out.length === 0 && files[0]) {
    out.push({
      severity: "error",
      ...files[0].report,
      field: "spec.notification.config",
      message: `amtool check-config failed: ${output.trim().split("\n").slice(-3).join(" ")}`,
      check: "amtool",
    });
  }
  return out;
}

/**
 * Where in the cluster's alertmanager.yaml the problem amtool reports about the rendered
 * configuration `configText` is written: the line it names (`line 12: field recevier not
 * found`), else the value it quotes (`undefined receiver "pagr"`), else the configuration's key.
 * null when the cluster has no alertmanager.yaml (the defaults alone are at fault).
 */
export function amtoolFailureAt(
  failure: string,
  configText: string,
  values: ClusterValues,
): ClusterSpot | null {
  let parsed: ParsedYaml | undefined;
  try {
    parsed = parseYamlFile(configText);
  } catch { /* the configuration's key below */ }
  const doc = parsed?.docs[0];
  const merged = doc && doc.errors.length === 0 ? doc.toJS() : undefined;
  const line = /\bline (\d+):/.exec(failure)?.[1];
  if (doc && parsed && merged !== undefined && line !== undefined) {
    const path = pathAtLine(doc, parsed.lc, Number(line));
    const spot = path ? values.ofAlertmanagerConfig(path, merged) : null;
    if (spot?.written) return spot;
  }
  if (merged !== undefined) {
    // A quoted value, first where its key is a word of the reason (`name "chat" is not unique`).
    const named = (path: Array<string | number>) => {
      const key = path.findLast((s) => typeof s === "string");
      return typeof key === "string" && new RegExp(`\\b${escapeRe(key)}\\b`).test(failure) ? 0 : 1;
    };
    const quoted = [...failure.matchAll(/"([^"\n]+)"/g)].map((m) => m[1] as string);
    // The value itself, else a value that contains it (a matcher quoted in part).
    for (
      const test of [(v: string, q: string) => v === q, (v: string, q: string) => v.includes(q)]
    ) {
      for (const q of quoted) {
        const paths = pathsOf(merged, (v) => test(v, q)).sort((a, b) => named(a) - named(b));
        for (const path of paths) {
          const spot = values.ofAlertmanagerConfig(path, merged);
          if (spot?.written) return spot;
        }
      }
    }
  }
  return values.at("alertmanager.yaml", ALERTMANAGER_CONFIG_PATH);
}

/** Every path of `tree` whose value is a string `test` accepts, in document order. */
function pathsOf(tree: unknown, test: (v: string) => boolean): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const walk = (v: unknown, path: Array<string | number>) => {
    if (typeof v === "string") {
      if (test(v)) out.push(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === "object") {
      for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
    }
  };
  walk(tree, []);
  return out;
}

// ---------------------------------------------------------------------------------------------
// One cluster

export interface ClusterRouting {
  findings: Finding[];
  /** The rendered Alertmanager configuration, for amtool. */
  amConfig?: string;
  /** The route tests amtool must run (those whose receivers all exist). */
  routeCases: RouteCase[];
}

/** The routing checks of one render that need no tool, and what amtool must run. */
export function clusterRouting(
  objects: readonly K8sObject[],
  ctx: { dir: string; own: ReadonlyMap<string, string>; overlayDir: string; fallback: string },
): ClusterRouting {
  const amText = alertmanagerConfigOf(objects);
  if (amText === null) {
    return {
      findings: [{
        severity: "error",
        file: ctx.fallback,
        line: 1,
        column: 1,
        field: `Secret/${ALERTMANAGER_CONFIG_SECRET}`,
        message: `expected the render to hold the Alertmanager configuration (Secret ` +
          `${ALERTMANAGER_CONFIG_SECRET}, key ${ALERTMANAGER_CONFIG_KEY}), found none`,
        check: "routing",
      }],
      routeCases: [],
    };
  }
  const csc = ctx.own.get("alertmanager.yaml");
  const sources = csc !== undefined ? [{ path: `${ctx.dir}/alertmanager.yaml`, text: csc }] : [];
  const fallback = sources[0]?.path ?? `${ctx.overlayDir}/config/alertmanager.yaml`;
  const findings = [
    ...receiverFindings(amText, sources, fallback),
    ...sources.flatMap((s) => matcherFindings(s)),
  ];
  const routesTest = ctx.own.get("routes-test.yaml");
  if (routesTest === undefined) return { findings, amConfig: amText, routeCases: [] };
  const file = `${ctx.dir}/routes-test.yaml`;
  const parsed = parseRouteTests({ path: file, text: routesTest });
  const unknown = unknownCaseReceivers(file, parsed.cases, amText);
  // A case naming an unknown receiver has already failed; amtool runs the others.
  const routeCases = parsed.cases.filter((c) =>
    !unknown.some((f) => f.line === c.line && f.column === c.column)
  );
  return { findings: [...findings, ...parsed.findings, ...unknown], amConfig: amText, routeCases };
}
