/**
 * Grafana template variables in dashboard queries (`$job`, `${job:regex}`, `[[job]]`): which a
 * text uses, and PromQL with each replaced by a value valid where it stands, so the real parsers
 * (promtool, the syntax tree) can read a dashboard's expression.
 */

/** `${name}`, `${name:format}`, `[[name]]`, `[[name:format]]`, `$name`. */
const VARIABLE = /\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)/y;
const VARIABLE_GLOBAL = new RegExp(VARIABLE.source, "g");

/** Values Grafana's built-in variables stand for while parsing (only their syntax matters). */
const BUILTINS: Record<string, string> = {
  __rate_interval: "5m",
  __interval: "1m",
  __range: "1h",
  __rate_interval_ms: "300000",
  __interval_ms: "60000",
  __range_s: "3600",
  __range_ms: "3600000",
};

/** Functions and aggregations whose first argument is a scalar. */
const SCALAR_FIRST_ARG =
  /\b(?:topk|bottomk|quantile|limitk|limit_ratio|quantile_over_time|histogram_quantile)\s*\(\s*$/;

/** Names of the Grafana variables a string uses, in order, without repeats. */
export function variableNames(s: string): string[] {
  const names = new Set<string>();
  for (const m of s.matchAll(VARIABLE_GLOBAL)) names.add((m[1] ?? m[2] ?? m[3]) as string);
  return [...names];
}

/** An expression with its variables replaced, and the way back to the text as written. */
export interface Substituted {
  text: string;
  /** The text as written behind `text.slice(from, to)` (a variable whole, never half). */
  original(from: number, to: number): string;
}

/**
 * Replaces Grafana variables by a value that is valid PromQL where the variable stands: a
 * duration inside `[...]` and after `offset`, a number where a scalar is expected, a word inside
 * strings, and a name elsewhere (a metric name, a label name, or a vector operand).
 */
export function substituteGrafanaVariables(expr: string): Substituted {
  const replaced: Array<{ outFrom: number; outTo: number; inFrom: number; inTo: number }> = [];
  let out = "";
  let inBrackets = false;
  let i = 0;
  const replace = (length: number, value: string) => {
    replaced.push({
      outFrom: out.length,
      outTo: out.length + value.length,
      inFrom: i,
      inTo: i + length,
    });
    out += value;
    i += length;
  };
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      const end = stringEnd(expr, i);
      while (i < end) {
        VARIABLE.lastIndex = i;
        const m = VARIABLE.exec(expr);
        if (m && m.index < end) {
          replace(m[0].length, BUILTINS[(m[1] ?? m[2] ?? m[3]) as string] ?? "placeholder");
        } else {
          out += expr[i];
          i++;
        }
      }
      continue;
    }
    if (c === "#") {
      const nl = expr.indexOf("\n", i);
      const end = nl === -1 ? expr.length : nl;
      out += expr.slice(i, end);
      i = end;
      continue;
    }
    VARIABLE.lastIndex = i;
    const m = VARIABLE.exec(expr);
    if (m) {
      replace(m[0].length, placeholderFor((m[1] ?? m[2] ?? m[3]) as string, out, inBrackets));
      continue;
    }
    if (c === "[") inBrackets = true;
    if (c === "]") inBrackets = false;
    out += c;
    i++;
  }
  /** The offset in `expr` of offset `o` of `out`; inside a replacement, its start or end. */
  const back = (o: number, side: "from" | "to"): number => {
    let delta = 0;
    for (const r of replaced) {
      if (side === "from" ? o < r.outFrom : o <= r.outFrom) break;
      if (side === "from" ? o < r.outTo : o <= r.outTo) return side === "from" ? r.inFrom : r.inTo;
      delta = r.inTo - r.outTo;
    }
    return o + delta;
  };
  return { text: out, original: (from, to) => expr.slice(back(from, "from"), back(to, "to")) };
}

function placeholderFor(name: string, before: string, inBrackets: boolean): string {
  const builtin = BUILTINS[name];
  if (builtin !== undefined) return builtin;
  if (inBrackets || /\boffset\s*-?\s*$/.test(before)) return "5m";
  if (/@\s*$/.test(before) || SCALAR_FIRST_ARG.test(before)) return "1";
  return `grafana_var_${name}`;
}

/** The offset just past the string literal that starts at `start` (its quote). */
function stringEnd(expr: string, start: number): number {
  const quote = expr[start];
  let i = start + 1;
  while (i < expr.length) {
    const c = expr[i];
    if (c === "\\" && quote !== "`") {
      i += 2;
      continue;
    }
    if (c === quote) return i + 1;
    i++;
  }
  return expr.length;
}
