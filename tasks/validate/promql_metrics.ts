/**
 * The vector selectors of a PromQL expression and the metric names they select. A scan over
 * PromQL's tokens, enough for these questions: the expression's syntax itself is checked by
 * promtool.
 */

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "atan2",
  "start",
  "end",
  "inf",
  "nan",
]);
/** Keywords followed by a parenthesised list of label names. */
const LABEL_LIST_KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
]);

/** One vector selector: its text as written (`up{job="a"}`) and the metric name it selects. */
export interface VectorSelector {
  text: string;
  /** Undefined for a selector by labels only (`{job="a"}`). */
  name: string | undefined;
}

/** Metric names selected by `expr`, in order of appearance, without duplicates. */
export function metricNames(expr: string): string[] {
  const out: string[] = [];
  for (const s of scanSelectors(expr)) {
    if (s.name !== undefined && !out.includes(s.name)) out.push(s.name);
  }
  return out;
}

/**
 * The vector selectors of `expr`, in order of appearance, without duplicates: the series an
 * expression reads, each of which a live stack can be asked about (`count(<text>)`).
 */
export function vectorSelectors(expr: string): VectorSelector[] {
  const out: VectorSelector[] = [];
  for (const s of scanSelectors(expr)) if (!out.some((o) => o.text === s.text)) out.push(s);
  return out;
}

function scanSelectors(expr: string): VectorSelector[] {
  const out: VectorSelector[] = [];
  let i = 0;
  const n = expr.length;
  const skipSpace = () => {
    while (i < n) {
      if (/\s/.test(expr[i] as string)) i++;
      else if (expr[i] === "#") { while (i < n && expr[i] !== "\n") i++; }
      else break;
    }
  };
  const skipString = (): string => {
    const q = expr[i];
    const start = ++i;
    while (i < n && expr[i] !== q) i += expr[i] === "\\" && q !== "`" ? 2 : 1;
    const s = expr.slice(start, i);
    i++;
    return s;
  };
  const skipUntil = (close: string) => {
    while (i < n && expr[i] !== close) {
      if (expr[i] === '"' || expr[i] === "'" || expr[i] === "`") skipString();
      else i++;
    }
    i++;
  };
  /** Reads `{…}` at `i`; returns the metric name it selects, if it names one. */
  const readMatchers = (): string | undefined => {
    // `{__name__="x", job="y"}` or Prometheus 3's `{"x", job="y"}`.
    let name: string | undefined;
    i++; // {
    while (i < n) {
      skipSpace();
      if (expr[i] === "}") {
        i++;
        return name;
      }
      let label = "";
      if (expr[i] === '"' || expr[i] === "'" || expr[i] === "`") label = skipString();
      else {
        const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(expr.slice(i));
        if (!m) {
          i++;
          continue;
        }
        label = m[0];
        i += label.length;
      }
      skipSpace();
      const op = /^(=~|!~|!=|=)/.exec(expr.slice(i));
      if (!op) {
        name = label; // a bare quoted name is the metric name
      } else {
        i += op[0].length;
        skipSpace();
        const value = expr[i] === '"' || expr[i] === "'" || expr[i] === "`" ? skipString() : "";
        if (label === "__name__" && op[0] === "=") name = value;
      }
      skipSpace();
      if (expr[i] === ",") i++;
    }
    return name;
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      skipString();
    } else if (c === "{") {
      const start = i;
      const name = readMatchers();
      out.push({ text: expr.slice(start, i), name });
    } else if (c === "[") {
      skipUntil("]");
    } else if (/[0-9.]/.test(c)) {
      const m = /^[0-9.][0-9A-Za-z_.]*([eE][+-]?\d+)?/.exec(expr.slice(i));
      i += m ? m[0].length : 1;
    } else if (/[A-Za-z_:]/.test(c)) {
      const word = (/^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i)) as RegExpExecArray)[0];
      i += word.length;
      const lower = word.toLowerCase();
      skipSpace();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[i] === "(") skipUntil(")");
      } else if (lower === "offset") {
        skipSpace();
        if (expr[i] === "-") i++;
        const m = /^[0-9A-Za-z_.]+/.exec(expr.slice(i));
        if (m) i += m[0].length;
      } else if (KEYWORDS.has(lower)) {
        // an operator or a literal
      } else if (expr[i] === "(" || /^(by|without)\s*\(/i.test(expr.slice(i))) {
        // a function or an aggregation: its arguments are scanned as the loop goes on
      } else if (expr[i] === "{") {
        const start = i;
        readMatchers();
        out.push({ text: word + expr.slice(start, i), name: word });
      } else {
        out.push({ text: word, name: word });
      }
    } else {
      i++;
    }
  }
  return out;
}
