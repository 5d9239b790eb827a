/**
 * The metric names a PromQL expression selects. A scan over PromQL's tokens, enough for this
 * question: the expression's syntax itself is checked by promtool.
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

/** Metric names selected by `expr`, in order of appearance, without duplicates. */
export function metricNames(expr: string): string[] {
  const out: string[] = [];
  const add = (n: string) => {
    if (!out.includes(n)) out.push(n);
  };
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
  const readMatchers = () => {
    // `{__name__="x", job="y"}` or Prometheus 3's `{"x", job="y"}`.
    i++; // {
    while (i < n) {
      skipSpace();
      if (expr[i] === "}") {
        i++;
        return;
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
        add(label); // a bare quoted name is the metric name
      } else {
        i += op[0].length;
        skipSpace();
        const value = expr[i] === '"' || expr[i] === "'" || expr[i] === "`" ? skipString() : "";
        if (label === "__name__" && op[0] === "=") add(value);
      }
      skipSpace();
      if (expr[i] === ",") i++;
    }
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      skipString();
    } else if (c === "{") {
      readMatchers();
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
      } else {
        add(word);
      }
    } else {
      i++;
    }
  }
  return out;
}
