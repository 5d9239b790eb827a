/**
 * Runs the pinned promtool on rule files (`check rules`) and rule unit tests (`test rules`), and
 * turns what it prints into findings with file, line and field.
 */
import { copyFile } from "node:fs/promises";
import { basename, isAbsolute, join, relative, resolve } from "node:path";
import { parseDocument } from "yaml";
import type { Finding } from "../model/finding.ts";
import { ROOT, toolPath } from "../model/paths.ts";
import { parseDuration } from "../model/units.ts";
import { formatPath } from "../model/field_path.ts";
import { parseYamlFile, valuePosition } from "../model/yaml_locate.ts";
import { run } from "../proc/run.ts";

export interface PromtoolOptions {
  /** How a file is named in findings (default: its path from the repository root). */
  displayPath?: (file: string) => string;
  /** `test rules` only: run the test groups whose name matches this regular expression. */
  run?: string;
}

const defaultDisplay = (file: string): string => relative(ROOT, resolve(file));

function finding(
  file: string,
  message: string,
  where: { line?: number; field?: string; severity?: Finding["severity"] } = {},
): Finding {
  const line = where.line ?? 0;
  return {
    severity: where.severity ?? "error",
    file,
    line,
    column: line > 0 ? 1 : 0,
    field: where.field ?? "",
    message,
    check: "promtool",
  };
}

/** Lines joined, without blank lines around them; indentation is kept (it tells errors apart). */
function trimLines(lines: string[]): string {
  return lines.join("\n").replace(/^\s*\n/, "").trimEnd();
}

/** Blocks of promtool's error output, each starting at a `FAILED:` line, without that line. */
function failedBlocks(stderr: string): string[] {
  const blocks: string[] = [];
  let current: string[] | undefined;
  for (const line of stderr.split("\n")) {
    if (line.trim() === "FAILED:") {
      if (current) blocks.push(trimLines(current));
      current = [];
    } else if (current) {
      current.push(line);
    }
  }
  if (current) blocks.push(trimLines(current));
  return blocks.filter((b) => b !== "");
}

/**
 * Findings from `promtool check rules <one file>`: `file: line:col: message` lines, YAML errors
 * (`yaml: line N: …`) and lint reports such as duplicate rules.
 */
export function parseCheckOutput(
  stderr: string,
  promtoolFile: string,
  display: string,
): Finding[] {
  const out: Finding[] = [];
  const seen = new Set<string>();
  const add = (f: Finding) => {
    const key = `${f.line}:${f.message}`;
    if (!seen.has(key)) out.push(f);
    seen.add(key);
  };
  for (const block of failedBlocks(stderr)) {
    if (block.startsWith("lint error")) {
      add(finding(display, block.split("\n").map((l) => l.trim()).join(" "), {}));
      continue;
    }
    for (const raw of block.split("\n")) {
      const line = raw.trim();
      if (!line.startsWith(`${promtoolFile}: `)) continue;
      const rest = line.slice(promtoolFile.length + 2);
      const pos = /^(\d+):(\d+): (.*)$/.exec(rest);
      if (pos) {
        const n = Number(pos[1]);
        add({ ...finding(display, pos[3] ?? rest, { line: n }), column: Number(pos[2]) });
        continue;
      }
      const yamlLine = /\bline (\d+):/.exec(rest);
      add(finding(display, rest, yamlLine ? { line: Number(yamlLine[1]) } : {}));
    }
  }
  for (const m of stderr.matchAll(/level=WARN .*?msg="([^"]*)"/g)) {
    add(finding(display, m[1] ?? "", { severity: "warning" }));
  }
  return out;
}

/** Runs `promtool check rules` on each file (duplicate rules are errors); [] when all pass. */
export async function checkRules(
  files: readonly string[],
  opts: PromtoolOptions = {},
): Promise<Finding[]> {
  const display = opts.displayPath ?? defaultDisplay;
  const findings: Finding[] = [];
  for (const file of files) {
    const r = await run(toolPath("promtool"), ["check", "rules", "--lint-fatal", file]);
    if (r.code === 0) continue;
    const found = parseCheckOutput(r.stderr, file, display(file));
    findings.push(
      ...(found.length > 0 ? found : [
        finding(display(file), `promtool check rules exited ${r.code}: ${r.stderr.trim()}`),
      ]),
    );
  }
  return findings;
}

interface TestCaseRef {
  line: number;
  field: string;
}

/** Where a failed case sits in a unit test file: the first case of `list` that `matches`. */
function locateTestCase(
  text: string,
  list: "alert_rule_test" | "promql_expr_test",
  matches: (
    test: Record<string, unknown>,
    index: number,
    testCase: Record<string, unknown>,
  ) => boolean,
  evalTime: string,
): TestCaseRef | undefined {
  const { docs, lc } = parseYamlFile(text);
  const doc = docs[0];
  const tests = doc?.toJS()?.tests;
  if (!doc || !Array.isArray(tests)) return undefined;
  const at = parseDuration(evalTime.trim());
  for (const [i, t] of tests.entries()) {
    const cases = Array.isArray(t?.[list]) ? t[list] : [];
    for (const [j, c] of cases.entries()) {
      if (!matches(t ?? {}, i, c ?? {})) continue;
      if (parseDuration(String(c?.eval_time ?? "").trim()) !== at) continue;
      const path = ["tests", i, list, j];
      return { line: valuePosition(doc, lc, path).line, field: formatPath(path) };
    }
  }
  return undefined;
}

/** Where a failed alert case sits: by test name, alert name and eval time. */
function locateAlertTest(
  text: string,
  testName: string | undefined,
  alertname: string,
  evalTime: string,
): TestCaseRef | undefined {
  return locateTestCase(
    text,
    "alert_rule_test",
    (t, i, c) =>
      (testName === undefined || (t.name ?? `unnamed#${i}`) === testName) &&
      c.alertname === alertname,
    evalTime,
  );
}

/** Where a failed expression case sits: by expression and eval time. */
function locateExprTest(text: string, expr: string, evalTime: string): TestCaseRef | undefined {
  return locateTestCase(
    text,
    "promql_expr_test",
    (_t, _i, c) => String(c.expr ?? "").trim() === expr.trim(),
    evalTime,
  );
}

/**
 * The errors of one `FAILED:` block of `promtool test rules`: each starts at a line indented by
 * four spaces (`name:` followed by `alertname:`, `expr:`, `rule:`); details are indented deeper.
 */
function testErrors(block: string): string[] {
  const errors: string[][] = [];
  for (const line of block.split("\n")) {
    const head = /^ {4}(name|alertname|expr|rule): /.exec(line)?.[1];
    const last = errors.at(-1);
    const afterName = head === "alertname" && last?.length === 1 &&
      /^ {4}name: /.test(last[0] ?? "");
    if (head !== undefined && !afterName) errors.push([line]);
    else if (last) last.push(line);
    else errors.push([line]);
  }
  return errors.map((e) => e.map((l) => l.trimEnd()).join("\n").trim()).filter((e) => e !== "");
}

/**
 * Findings from `promtool test rules <one file>`: each failed case located in the test file's
 * text (test, alert or expression, eval time), YAML errors at their line, and `rule_files`
 * entries that match no file (promtool only warns about those, and the tests then pass vacuously).
 */
export function parseTestOutput(stderr: string, testText: string, display: string): Finding[] {
  const out: Finding[] = [];
  for (const m of stderr.matchAll(/WARNING: no file match pattern (.*)/g)) {
    out.push(finding(display, `rule_files entry ${basename(m[1] ?? "")} matches no rule file`));
  }
  for (const message of failedBlocks(stderr).flatMap(testErrors)) {
    const alert = /alertname: (.*?), time: (\S+?),/.exec(message);
    if (alert) {
      const name = /^name: (.*),$/m.exec(message)?.[1];
      const ref = locateAlertTest(testText, name, alert[1] ?? "", alert[2] ?? "");
      out.push(finding(display, message, ref ?? {}));
      continue;
    }
    const expr = /expr: "((?:[^"\\]|\\.)*)", time: (\S+?),/.exec(message);
    if (expr) {
      const ref = locateExprTest(testText, JSON.parse(`"${expr[1]}"`), expr[2] ?? "");
      out.push(finding(display, message, ref ?? {}));
      continue;
    }
    const yamlLine = /\bline (\d+):/.exec(message);
    out.push(finding(display, message, yamlLine ? { line: Number(yamlLine[1]) } : {}));
  }
  return out;
}

/**
 * Copies each unit test file into `renderedDir`, beside the rendered rule files its `rule_files`
 * name, and runs `promtool test rules` on it. Findings name the original test file.
 */
export async function testRules(
  testFiles: readonly string[],
  renderedDir: string,
  opts: PromtoolOptions = {},
): Promise<Finding[]> {
  const display = opts.displayPath ?? defaultDisplay;
  const findings: Finding[] = [];
  const copied = new Map<string, string>();
  for (const file of testFiles) {
    const source = isAbsolute(file) ? file : resolve(file);
    const name = basename(source);
    const clash = copied.get(name);
    if (clash !== undefined && clash !== source) {
      findings.push(finding(display(source), `has the same name as ${display(clash)}`));
      continue;
    }
    copied.set(name, source);
    const copy = join(renderedDir, name);
    await copyFile(source, copy);
    const args = ["test", "rules", ...(opts.run !== undefined ? ["--run", opts.run] : []), copy];
    const r = await run(toolPath("promtool"), args);
    const found = parseTestOutput(r.stderr, await Deno.readTextFile(source), display(source));
    if (r.code !== 0 && found.length === 0) {
      found.push(
        finding(display(source), `promtool test rules exited ${r.code}: ${r.stderr.trim()}`),
      );
    }
    findings.push(...found);
  }
  return findings;
}

/** How many `alert_rule_test` and `promql_expr_test` cases a unit test file holds. */
export function countTestCases(testText: string): number {
  const tests = parseDocument(testText).toJS()?.tests;
  if (!Array.isArray(tests)) return 0;
  return tests.reduce(
    (n: number, t) =>
      n + (Array.isArray(t?.alert_rule_test) ? t.alert_rule_test.length : 0) +
      (Array.isArray(t?.promql_expr_test) ? t.promql_expr_test.length : 0),
    0,
  );
}
