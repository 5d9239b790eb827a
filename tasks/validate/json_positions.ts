/**
 * A strict JSON parser that remembers where every value starts, so checks can point at the
 * line and column of the node they complain about (JSON.parse keeps no positions, and YAML
 * parsers accept things JSON does not, such as trailing commas).
 */
import { childPath } from "../model/field_path.ts";

/** The parsed value and the start offset of every value, keyed by field path. */
export interface LocatedJson {
  value: unknown;
  /** `""` is the root; then `panels[2].targets[0].expr`, `templating.list[0]`, `a["b.c"]`. */
  offsets: ReadonlyMap<string, number>;
}

export class JsonSyntaxError extends Error {
  constructor(readonly offset: number, message: string) {
    super(message);
    this.name = "JsonSyntaxError";
  }
}

/** Parses `text` as JSON (RFC 8259); throws JsonSyntaxError at the first offending character. */
export function parseJsonLocated(text: string): LocatedJson {
  const offsets = new Map<string, number>();
  let pos = 0;

  const describe = (at: number): string =>
    at >= text.length ? "the end of the text" : `'${text[at]}'`;
  const fail = (expected: string, at = pos): never => {
    throw new JsonSyntaxError(at, `expected ${expected}, found ${describe(at)}`);
  };
  const skipSpace = (): void => {
    while (pos < text.length && " \t\n\r".includes(text[pos] as string)) pos++;
  };

  const parseString = (): string => {
    const start = pos;
    pos++; // opening quote
    let out = "";
    while (true) {
      if (pos >= text.length) throw new JsonSyntaxError(start, "unterminated string");
      const c = text[pos] as string;
      if (c === '"') {
        pos++;
        return out;
      }
      if (c.charCodeAt(0) < 0x20) fail("an escaped control character in a string");
      if (c !== "\\") {
        out += c;
        pos++;
        continue;
      }
      const e = text[pos + 1];
      const simple: Record<string, string> = {
        '"': '"',
        "\\": "\\",
        "/": "/",
        b: "\b",
        f: "\f",
        n: "\n",
        r: "\r",
        t: "\t",
      };
      if (e !== undefined && e in simple) {
        out += simple[e];
        pos += 2;
      } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(pos + 2, pos + 6))) {
        out += String.fromCharCode(parseInt(text.slice(pos + 2, pos + 6), 16));
        pos += 6;
      } else {
        fail("a valid escape sequence", pos + 1);
      }
    }
  };

  const parseValue = (path: string): unknown => {
    skipSpace();
    offsets.set(path, pos);
    const c = text[pos];
    if (c === "{") return parseObject(path);
    if (c === "[") return parseArray(path);
    if (c === '"') return parseString();
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(pos));
    if (number && c !== undefined && "-0123456789".includes(c)) {
      pos += number[0].length;
      return Number(number[0]);
    }
    for (const [word, value] of [["true", true], ["false", false], ["null", null]] as const) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return value;
      }
    }
    return fail("a JSON value");
  };

  const parseObject = (path: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    pos++;
    skipSpace();
    if (text[pos] === "}") {
      pos++;
      return out;
    }
    while (true) {
      skipSpace();
      if (text[pos] !== '"') fail("a double-quoted property name");
      const key = parseString();
      skipSpace();
      if (text[pos] !== ":") fail(`':' after property name "${key}"`);
      pos++;
      out[key] = parseValue(childPath(path, key));
      skipSpace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "}") {
        pos++;
        return out;
      }
      fail("',' or '}' after an object member");
    }
  };

  const parseArray = (path: string): unknown[] => {
    const out: unknown[] = [];
    pos++;
    skipSpace();
    if (text[pos] === "]") {
      pos++;
      return out;
    }
    while (true) {
      out.push(parseValue(childPath(path, out.length)));
      skipSpace();
      if (text[pos] === ",") {
        pos++;
        continue;
      }
      if (text[pos] === "]") {
        pos++;
        return out;
      }
      fail("',' or ']' after an array item");
    }
  };

  const value = parseValue("");
  skipSpace();
  if (pos < text.length) fail("the end of the text after the top-level value");
  return { value, offsets };
}
