/**
 * PromQL read through its syntax tree (the Prometheus project's own grammar,
 * `@prometheus-io/lezer-promql`): the vector selectors of an expression, the metric names they
 * select, the ranges given to functions. Whether an expression is valid is promtool's word
 * (promql_parse.ts); these questions only read the tree.
 */
import type { SyntaxNode } from "@lezer/common";
import { parser } from "@prometheus-io/lezer-promql";

/** One vector selector: its text as written (`up{job="a"}`) and the metric name it selects. */
export interface VectorSelector {
  text: string;
  /** Undefined for a selector by labels only (`{job="a"}`). */
  name: string | undefined;
}

/** A range given to a function: `rate(x[5m])` is `{fn: "rate", range: "5m"}`. */
export interface RangeArgument {
  fn: string;
  /** The range as written. */
  range: string;
  /** Where the range is in the expression. */
  from: number;
  to: number;
}

/** The nodes named `name` in the tree of `expr`, in order of appearance. */
function nodesNamed(expr: string, name: string): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  parser.parse(expr).iterate({
    enter: (n) => {
      if (n.name === name) out.push(n.node);
    },
  });
  return out;
}

/** The value of a PromQL string literal (`"a\"b"`, `'a'`, a raw `` `a` ``). */
export function stringValue(literal: string): string {
  const quote = literal[0];
  const body = literal.slice(1, -1);
  if (quote === "`") return body;
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (_m, e: string) => {
    if (/^[ux]/.test(e) || /^[0-7]{3}$/.test(e)) {
      return String.fromCodePoint(
        parseInt(/^[0-7]/.test(e) ? e : e.slice(1), /^[0-7]/.test(e) ? 8 : 16),
      );
    }
    return { n: "\n", t: "\t", r: "\r", a: "\x07", b: "\b", f: "\f", v: "\v" }[e] ?? e;
  });
}

/** The metric name a VectorSelector node selects: its identifier, or an `__name__=` matcher. */
function selectedName(expr: string, selector: SyntaxNode): string | undefined {
  const text = (n: SyntaxNode | null) => (n ? expr.slice(n.from, n.to) : "");
  const identifier = selector.getChild("Identifier");
  if (identifier) return text(identifier);
  const matchers = selector.getChild("LabelMatchers");
  for (let m = matchers?.firstChild ?? null; m; m = m.nextSibling) {
    if (m.name === "QuotedLabelName") {
      // Prometheus 3's `{"metric.name", job="a"}`: a bare quoted name is the metric's.
      return stringValue(text(m.getChild("StringLiteral")));
    }
    const label = m.name === "UnquotedLabelMatcher"
      ? text(m.getChild("LabelName"))
      : m.name === "QuotedLabelMatcher"
      ? stringValue(text(m.getChild("QuotedLabelName")?.getChild("StringLiteral") ?? null))
      : undefined;
    if (label === "__name__" && m.getChild("MatchOp")?.getChild("EqlSingle")) {
      return stringValue(text(m.getChild("StringLiteral")));
    }
  }
  return undefined;
}

/**
 * The vector selectors of `expr`, in order of appearance, without duplicates: the series an
 * expression reads, each of which a live stack can be asked about (`count(<text>)`).
 */
export function vectorSelectors(expr: string): VectorSelector[] {
  const out: VectorSelector[] = [];
  for (const n of nodesNamed(expr, "VectorSelector")) {
    const text = expr.slice(n.from, n.to);
    if (!out.some((o) => o.text === text)) out.push({ text, name: selectedName(expr, n) });
  }
  return out;
}

/** Metric names selected by `expr`, in order of appearance, without duplicates. */
export function metricNames(expr: string): string[] {
  const out: string[] = [];
  for (const s of vectorSelectors(expr)) {
    if (s.name !== undefined && !out.includes(s.name)) out.push(s.name);
  }
  return out;
}

/** Nodes that wrap a range selector without changing what the function reads from it. */
const MODIFIERS = new Set(["OffsetExpr", "StepInvariantExpr", "SmoothedExpr", "AnchoredExpr"]);

/**
 * The range selectors passed straight to a function (`rate(x[5m] offset 1h)` gives `rate`,
 * `5m`), in order of appearance; a subquery's range (`[1h:5m]`) is not one.
 */
export function rangeArguments(expr: string): RangeArgument[] {
  const out: RangeArgument[] = [];
  for (const m of nodesNamed(expr, "MatrixSelector")) {
    let up = m.parent;
    while (up && MODIFIERS.has(up.name)) up = up.parent;
    const call = up?.name === "FunctionCallBody" ? up.parent : null;
    const fn = call?.name === "FunctionCall" ? call.getChild("FunctionIdentifier") : null;
    const range = m.getChild("DurationExpr");
    if (!fn || !range) continue;
    out.push({
      fn: expr.slice(fn.from, fn.to),
      range: expr.slice(range.from, range.to),
      from: range.from,
      to: range.to,
    });
  }
  return out;
}
