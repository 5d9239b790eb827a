import assert from "node:assert/strict";
import { command, EXIT, helpText, runCommand, UsageError } from "./command.ts";

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (t: string) => out.push(t), err: (t: string) => err.push(t) } };
}

const greet = command({
  name: "greet",
  summary: "Greets each name.",
  options: {
    loud: { type: "boolean", default: false, help: "shout" },
    greeting: { type: "string", default: "hello", value: "word", help: "what to say" },
    to: { type: "string", help: "one more name" },
  },
  positionals: { usage: "<name…>", min: 1, max: 3 },
  findings: "a name nobody has",
  run({ values, positionals }, io) {
    const loud: boolean = values.loud;
    const greeting: string = values.greeting;
    const to: string | undefined = values.to;
    if (positionals.includes("crash")) throw new Error("boom");
    if (positionals.includes("nobody")) return EXIT.findings;
    if (positionals.includes("bad")) throw new UsageError("no such person: bad");
    for (const name of [...positionals, ...(to ? [to] : [])]) {
      io.out(loud ? `${greeting.toUpperCase()} ${name}!` : `${greeting} ${name}`);
    }
    return EXIT.ok;
  },
});

Deno.test("runCommand() parses options and positionals and returns the command's code", async () => {
  const r = io();
  assert.equal(await runCommand(greet, ["--loud", "ada", "--to=bob"], r.io), 0);
  assert.deepEqual(r.out, ["HELLO ada!", "HELLO bob!"]);
  assert.equal(await runCommand(greet, ["nobody"], io().io), 1);
});

Deno.test("runCommand() answers a usage error with one message and exit 2", async () => {
  for (
    const [args, message] of [
      [["--nope", "a"], "deno task greet: Unknown option '--nope'"],
      [["--greeting"], "deno task greet: Option '--greeting <value>' argument missing"],
      [[], "deno task greet: expected at least 1 argument (<name…>), found 0"],
      [["a", "b", "c", "d"], "deno task greet: expected at most 3 arguments (<name…>), found 4"],
      [["bad"], "deno task greet: no such person: bad"],
    ] as const
  ) {
    const r = io();
    assert.equal(await runCommand(greet, [...args], r.io), 2, args.join(" "));
    assert.equal(r.err.join("\n").split("\n")[0], message);
    assert.deepEqual(r.out, []);
  }
});

Deno.test("runCommand() reports a crash as an internal error with its stack, exit 3", async () => {
  const r = io();
  assert.equal(await runCommand(greet, ["crash"], r.io), 3);
  assert.match(r.err.join("\n"), /^deno task greet: internal error: Error: boom\n\s+at /);
});

Deno.test("runCommand() prints the help on --help and -h, exit 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const r = io();
    assert.equal(await runCommand(greet, [flag], r.io), 0);
    assert.equal(r.out.join("\n"), helpText(greet));
  }
  assert.equal(
    helpText(greet),
    [
      "usage: deno task greet [options] <name…>",
      "",
      "Greets each name.",
      "",
      "options:",
      "  --loud             shout",
      "  --greeting <word>  what to say (default hello)",
      "  --to <value>       one more name",
      "  -h, --help         this help",
      "",
      "exit codes: 0 ok, 1 a name nobody has, 2 usage or input error, 3 internal error (with its stack)",
    ].join("\n"),
  );
});
