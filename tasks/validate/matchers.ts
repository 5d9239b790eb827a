/**
 * Alertmanager matchers (`severity = "critical"`, `{team=~"db|web", env!="dev"}`) read the way
 * Alertmanager's strict UTF-8 matcher parser reads them. Alertmanager's default "fallback" mode
 * quietly retries a rejected input with the lenient classic parser, which takes
 * `severity == critical` as the value `= critical`: a route that never matches. Reading
 * strictly here turns such an input into an error with its column.
 *
 * The grammar: an optional `{`, matchers separated by commas (a trailing comma is allowed), the
 * matching `}`. A matcher is a label name, one of `=`, `!=`, `=~`, `!~`, and a value; names and
 * values are either double-quoted (with Go's escapes) or unquoted runs of characters other than
 * white space and `{ } ! = ~ , \ " ' \``.
 */

export type MatchOp = "=" | "!=" | "=~" | "!~";

export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
  /** Offset of the matcher's first character in the input. */
  start: number;
  /** Offset of its value. */
  valueStart: number;
}

export interface MatcherError {
  /** Offset in the input of the character at fault. */
  offset: number;
  message: string;
  /** For a doubled operator (`a == b`): the value the classic parser takes instead (`= b`). */
  classicValue?: string;
}

export interface ParsedMatchers {
  matchers: Matcher[];
  error?: MatcherError;
}

/** The characters that end an unquoted name or value. */
const RESERVED = new Set([..."{}!=~,\\\"'`"]);
const isSpace = (c: string): boolean => /\s/u.test(c);

type TokenKind = "{" | "}" | "," | "op" | "quoted" | "unquoted" | "eof";

interface Token {
  kind: TokenKind;
  /** The token's text as written. */
  text: string;
  /** The unquoted value of a quoted token; the text otherwise. */
  value: string;
  start: number;
}

class Lexer {
  #pos = 0;
  constructor(readonly input: string) {}

  next(): Token | MatcherError {
    const s = this.input;
    while (this.#pos < s.length && isSpace(s[this.#pos] as string)) this.#pos++;
    const start = this.#pos;
    const c = s[start];
    if (c === undefined) return { kind: "eof", text: "", value: "", start };
    if (c === "{" || c === "}" || c === ",") {
      this.#pos++;
      return { kind: c, text: c, value: c, start };
    }
    if (c === "=" || c === "!") {
      const two = s.slice(start, start + 2);
      if (two === "=~" || two === "!=" || two === "!~") {
        this.#pos += 2;
        return { kind: "op", text: two, value: two, start };
      }
      if (c === "=") {
        this.#pos++;
        return { kind: "op", text: "=", value: "=", start };
      }
      return { offset: start, message: "expected `!=` or `!~`, found `!` alone" };
    }
    if (c === '"') return this.#quoted(start);
    if (RESERVED.has(c)) {
      const hint = c === "'" || c === "`" ? " (only double quotes quote a name or value)" : "";
      return { offset: start, message: `unexpected \`${c}\`${hint}` };
    }
    let end = start;
    while (end < s.length && !RESERVED.has(s[end] as string) && !isSpace(s[end] as string)) end++;
    this.#pos = end;
    const text = s.slice(start, end);
    return { kind: "unquoted", text, value: text, start };
  }

  #quoted(start: number): Token | MatcherError {
    const s = this.input;
    let i = start + 1;
    while (i < s.length && s[i] !== '"') i += s[i] === "\\" ? 2 : 1;
    if (i >= s.length) return { offset: start, message: 'a quoted string without its closing `"`' };
    this.#pos = i + 1;
    const text = s.slice(start, i + 1);
    const value = unquoteGo(text.slice(1, -1));
    if (typeof value !== "string") {
      return { offset: start + 1 + value.offset, message: value.message };
    }
    return { kind: "quoted", text, value, start };
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  "\\": "\\",
  '"': '"',
};

/** The body of a Go double-quoted string literal, unescaped; an error at the bad escape. */
export function unquoteGo(body: string): string | { offset: number; message: string } {
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === "\n") return { offset: i, message: "a line break inside a quoted string" };
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[i + 1] ?? "";
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    const hex = e === "x" ? 2 : e === "u" ? 4 : e === "U" ? 8 : 0;
    const digits = hex > 0 ? body.slice(i + 2, i + 2 + hex) : body.slice(i + 1, i + 4);
    if (hex > 0 && new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) {
      const code = parseInt(digits, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) {
        return { offset: i, message: `\\${e}${digits} is not a Unicode code point` };
      }
      // \x escapes are bytes; matchers must be valid UTF-8, so only ASCII bytes are accepted.
      if (e === "x" && code > 0x7f) {
        return { offset: i, message: `\\x${digits} is not valid UTF-8 on its own` };
      }
      out += String.fromCodePoint(code);
      i += 1 + hex;
      continue;
    }
    if (hex === 0 && /^[0-7]{3}$/.test(digits)) {
      const code = parseInt(digits, 8);
      if (code > 0x7f) return { offset: i, message: `\\${digits} is not valid UTF-8 on its own` };
      out += String.fromCharCode(code);
      i += 3;
      continue;
    }
    return { offset: i, message: `unknown escape \`\\${e}\` in a quoted string` };
  }
  return out;
}

const isError = (t: Token | MatcherError): t is MatcherError => "message" in t;

function describe(t: Token): string {
  return t.kind === "eof" ? "the end of the input" : `\`${t.text}\``;
}

/** Parses a matchers string as Alertmanager's strict UTF-8 parser does. */
export function parseMatchers(input: string): ParsedMatchers {
  const lexer = new Lexer(input);
  const matchers: Matcher[] = [];
  const fail = (error: MatcherError): ParsedMatchers => ({ matchers, error });
  let t = lexer.next();
  if (isError(t)) return fail(t);
  const open = t.kind === "{";
  if (open) {
    t = lexer.next();
    if (isError(t)) return fail(t);
  }
  for (;;) {
    if (t.kind === "eof") {
      return open
        ? fail({ offset: t.start, message: "expected `}` to close the `{`" })
        : { matchers };
    }
    if (t.kind === "}") {
      if (!open) return fail({ offset: t.start, message: "unexpected `}` without an opening `{`" });
      const end = lexer.next();
      if (isError(end)) return fail(end);
      if (end.kind !== "eof") {
        return fail({
          offset: end.start,
          message: `expected the end of the input after \`}\`, found ${describe(end)}`,
        });
      }
      return { matchers };
    }
    const name = t;
    if (name.kind !== "quoted" && name.kind !== "unquoted") {
      return fail({
        offset: name.start,
        message: `expected a label name, found ${describe(name)}`,
      });
    }
    const op = lexer.next();
    if (isError(op)) return fail(op);
    if (op.kind !== "op") {
      return fail({
        offset: op.start,
        message: `expected an operator (=, !=, =~ or !~) after \`${name.text}\`, found ${
          describe(op)
        }`,
      });
    }
    const value = lexer.next();
    if (isError(value)) return fail(value);
    if (value.kind !== "quoted" && value.kind !== "unquoted") {
      const error: MatcherError = {
        offset: value.start,
        message: `expected a label value after \`${name.text} ${op.text}\`, found ${
          describe(value)
        }`,
      };
      // `a == b`, `a =! b`: the classic parser keeps the second operator in the value.
      if (value.kind === "op") {
        const rest = input.slice(value.start);
        const classic = /^[^,}]*/.exec(rest)?.[0].trim();
        if (classic) error.classicValue = classic;
      }
      return fail(error);
    }
    matchers.push({
      name: name.value,
      op: op.text as MatchOp,
      value: value.value,
      start: name.start,
      valueStart: value.start,
    });
    t = lexer.next();
    if (isError(t)) return fail(t);
    if (t.kind === ",") {
      t = lexer.next();
      if (isError(t)) return fail(t);
    } else if (t.kind !== "}" && t.kind !== "eof") {
      return fail({
        offset: t.start,
        message: `expected \`,\` or the end of the matchers after \`${
          input.slice(name.start, t.start).trim()
        }\`, found ${describe(t)}`,
      });
    }
  }
}

/**
 * Whether labels satisfy a matcher, as Alertmanager evaluates it: an absent label reads as the
 * empty string, and a regular expression must match the whole value.
 */
export function matcherMatches(
  m: Pick<Matcher, "name" | "op" | "value">,
  labels: Readonly<Record<string, string>>,
): boolean {
  const v = labels[m.name] ?? "";
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return new RegExp(`^(?:${m.value})$`).test(v);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}

/** The operator characters: a value starting with one is almost always a doubled operator. */
export const OPERATOR_CHARACTERS = ["=", "!", "~"] as const;

/** Why a matcher's value looks like a mistake, or null. */
export function suspiciousValue(value: string): string | null {
  const first = value.trimStart()[0];
  if (first === undefined || !(OPERATOR_CHARACTERS as readonly string[]).includes(first)) {
    return null;
  }
  return `the value ${JSON.stringify(value)} begins with \`${first}\`, an operator character ` +
    "(a doubled or misplaced operator?)";
}
