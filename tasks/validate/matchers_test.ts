import { deepEqual as assertEquals } from "node:assert/strict";
import {
  matcherMatches,
  type MatchOp,
  parseMatchers,
  suspiciousValue,
  unquoteGo,
} from "./matchers.ts";

const simple = (input: string) => {
  const r = parseMatchers(input);
  return r.error
    ? { error: r.error }
    : { matchers: r.matchers.map((m) => [m.name, m.op, m.value]) };
};

Deno.test("parseMatchers() reads each operator, quoted and unquoted", () => {
  assertEquals(simple('severity = "critical"'), { matchers: [["severity", "=", "critical"]] });
  assertEquals(simple("severity!=info"), { matchers: [["severity", "!=", "info"]] });
  assertEquals(simple('team=~"db|web"'), { matchers: [["team", "=~", "db|web"]] });
  assertEquals(simple("team !~ db|web"), { matchers: [["team", "!~", "db|web"]] });
  assertEquals(simple('"service.name" = "a \\"b\\" c"'), {
    matchers: [["service.name", "=", 'a "b" c']],
  });
  assertEquals(simple('alertname = "Disk\\u00e9\\x41\\101"'), {
    matchers: [["alertname", "=", "DiskéAA"]],
  });
});

Deno.test("parseMatchers() reads lists with and without braces, and a trailing comma", () => {
  const want = { matchers: [["a", "=", "1"], ["b", "!=", "2"]] };
  assertEquals(simple("a=1, b!=2"), want);
  assertEquals(simple('{a="1",b!="2",}'), want);
  assertEquals(simple("  { a = 1 , b != 2 }  "), want);
  assertEquals(simple(""), { matchers: [] });
  assertEquals(simple("{}"), { matchers: [] });
});

Deno.test("parseMatchers() keeps each matcher's offset and its value's", () => {
  const r = parseMatchers('{a="1", bb =~ x}');
  assertEquals(r.matchers.map((m) => [m.start, m.valueStart]), [[1, 3], [8, 14]]);
});

Deno.test("parseMatchers() refuses a doubled operator and says what the classic parser reads", () => {
  assertEquals(simple("severity == critical"), {
    error: {
      offset: 10,
      message: "expected a label value after `severity =`, found `=`",
      classicValue: "= critical",
    },
  });
  assertEquals(simple('{a="1", severity == warning}').error?.classicValue, "= warning");
});

Deno.test("parseMatchers() reports each malformed shape at its offset", () => {
  const error = (input: string) => {
    const e = parseMatchers(input).error;
    return e ? [e.offset, e.message] : null;
  };
  assertEquals(error("severity critical"), [
    9,
    "expected an operator (=, !=, =~ or !~) after `severity`, found `critical`",
  ]);
  assertEquals(error("severity"), [
    8,
    "expected an operator (=, !=, =~ or !~) after `severity`, found the end of the input",
  ]);
  assertEquals(error("severity ="), [
    10,
    "expected a label value after `severity =`, found the end of the input",
  ]);
  assertEquals(error("= critical"), [0, "expected a label name, found `=`"]);
  assertEquals(error("a = b c"), [
    6,
    "expected `,` or the end of the matchers after `a = b`, found `c`",
  ]);
  assertEquals(error("a ! b"), [2, "expected `!=` or `!~`, found `!` alone"]);
  assertEquals(error("a ~ b"), [2, "unexpected `~`"]);
  assertEquals(error("a = 'b'"), [4, "unexpected `'` (only double quotes quote a name or value)"]);
  assertEquals(error('a = "b'), [4, 'a quoted string without its closing `"`']);
  assertEquals(error('a = "b\\qc"'), [6, "unknown escape `\\q` in a quoted string"]);
  assertEquals(error("{a = b"), [6, "expected `}` to close the `{`"]);
  assertEquals(error("a = b}"), [5, "unexpected `}` without an opening `{`"]);
  assertEquals(error("{a = b} c"), [8, "expected the end of the input after `}`, found `c`"]);
  assertEquals(error("a = b,,"), [6, "expected a label name, found `,`"]);
});

Deno.test("unquoteGo() follows Go's escapes and refuses bytes that are not UTF-8", () => {
  assertEquals(unquoteGo("a\\tb\\\\"), "a\tb\\");
  assertEquals(unquoteGo("\\'"), { offset: 0, message: "unknown escape `\\'` in a quoted string" });
  assertEquals(unquoteGo("\\xff"), { offset: 0, message: "\\xff is not valid UTF-8 on its own" });
  assertEquals(unquoteGo("\\U0001F600"), "😀");
});

Deno.test("suspiciousValue() flags a value that begins with an operator character", () => {
  assertEquals(
    suspiciousValue("= critical"),
    'the value "= critical" begins with `=`, an operator character (a doubled or misplaced operator?)',
  );
  assertEquals(suspiciousValue("~db")?.includes("`~`"), true);
  assertEquals(suspiciousValue("!prod")?.includes("`!`"), true);
  assertEquals(suspiciousValue("critical"), null);
  assertEquals(suspiciousValue("a=b"), null);
  assertEquals(suspiciousValue(""), null);
});

Deno.test("matcherMatches() reads an absent label as empty and anchors regular expressions", () => {
  const m = (name: string, op: MatchOp, value: string) => ({ name, op, value });
  assertEquals(matcherMatches(m("job", "=", "node"), { job: "node" }), true);
  assertEquals(matcherMatches(m("job", "!=", ""), {}), false);
  assertEquals(matcherMatches(m("severity", "=~", "warn"), { severity: "warning" }), false);
  assertEquals(matcherMatches(m("severity", "=~", "warn.*"), { severity: "warning" }), true);
  assertEquals(matcherMatches(m("severity", "!~", "warn.*"), {}), true);
});
