/**
 * The one command-line convention of every task: options read by `node:util` parseArgs (strict),
 * `--help` on each, and one meaning per exit code: 0 ok, 1 findings, 2 usage or input error (a
 * message the person can act on), 3 internal error (a bug: its stack).
 */
import { parseArgs } from "node:util";

export const EXIT = { ok: 0, findings: 1, usage: 2, internal: 3 } as const;

/** Bad usage or input the task cannot work from: one clear message and exit 2, no stack. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Where a command writes: its report to `out`, diagnostics to `err`. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const consoleIo: Io = { out: (t) => console.log(t), err: (t) => console.error(t) };

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  default?: string | boolean | string[];
  /** What the option does, for --help. */
  help: string;
  /** The value's name in --help (`--format <text|json>`); for string options. */
  value?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

type ValueOf<S extends { type: string; multiple?: boolean }> = S["type"] extends "string"
  ? (S["multiple"] extends true ? string[] : string)
  : (S["multiple"] extends true ? boolean[] : boolean);

/** The parsed options: those with a default always have a value. */
export type Values<O extends OptionSpecs> = {
  [K in keyof O]: O[K] extends { default: unknown } ? ValueOf<O[K]> : ValueOf<O[K]> | undefined;
};

export interface Command<O extends OptionSpecs> {
  /** The task's name: `deno task <name>` (`bench validate` for a benchmark). */
  name: string;
  /** What --help says the command does (paragraphs, wrapped at 100 columns). */
  summary: string;
  options: O;
  /** The positional arguments: their synopsis (`[cluster…]`) and how many; absent = none. */
  positionals?: { usage: string; min?: number; max?: number };
  /** What exit code 1 means for this command, when it has findings to report. */
  findings?: string;
  run(args: { values: Values<O>; positionals: string[] }, io: Io): Promise<number> | number;
}

/** Declares a command (infers the option types from the literal). */
export function command<const O extends OptionSpecs>(c: Command<O>): Command<O> {
  return c;
}

const HELP: OptionSpec = { type: "boolean", short: "h", help: "this help" };

/** `usage: deno task validate [options] [cluster…]`. */
export function synopsis(c: Command<OptionSpecs>): string {
  const options = Object.keys(c.options).length > 0 ? " [options]" : "";
  return `usage: deno task ${c.name}${options}${c.positionals ? ` ${c.positionals.usage}` : ""}`;
}

/** The words of `text` in lines of at most `width` characters. */
function wrap(text: string, width = 100): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter((w) => w !== "")) {
    if (line !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === "" ? word : `${line} ${word}`;
  }
  if (line !== "") lines.push(line);
  return lines.join("\n");
}

/** The text of `--help`: synopsis, summary, options, exit codes. */
export function helpText(c: Command<OptionSpecs>): string {
  const rows = Object.entries({ ...c.options, help: HELP }).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : ""}--${name}${
      o.type === "string" ? ` <${o.value ?? "value"}>` : ""
    }`,
    o.help + (o.default !== undefined && o.type === "string" ? ` (default ${o.default})` : ""),
  ]);
  const width = Math.max(...rows.map(([flag]) => (flag as string).length));
  const codes = [
    "0 ok",
    ...(c.findings ? [`1 ${c.findings}`] : []),
    "2 usage or input error",
    "3 internal error (with its stack)",
  ];
  return [
    synopsis(c),
    "",
    wrap(c.summary),
    "",
    "options:",
    ...rows.map(([flag, help]) =>
      `  ${(flag as string).padEnd(width)}  ` +
      wrap(help as string, 96 - width).replaceAll("\n", `\n${" ".repeat(width + 4)}`)
    ),
    "",
    wrap(`exit codes: ${codes.join(", ")}`),
  ].join("\n");
}

/**
 * Runs a command on its arguments and returns the exit code: usage errors and `UsageError`s are
 * one message (2), anything else thrown is an internal error printed with its stack (3).
 */
export async function runCommand<O extends OptionSpecs>(
  c: Command<O>,
  args: readonly string[],
  io: Io = consoleIo,
): Promise<number> {
  const generic = c as unknown as Command<OptionSpecs>;
  const usage = (message: string) => {
    io.err(`deno task ${c.name}: ${message}\n${synopsis(generic)}\n(--help says more)`);
    return EXIT.usage;
  };
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: Object.fromEntries(
        Object.entries({ ...c.options, help: HELP }).map(([name, o]) => [
          name,
          {
            type: o.type,
            ...(o.short ? { short: o.short } : {}),
            ...(o.multiple ? { multiple: true } : {}),
            ...(o.default !== undefined ? { default: o.default } : {}),
          },
        ]),
      ),
      allowPositionals: c.positionals !== undefined,
      strict: true,
    });
  } catch (e) {
    if ((e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      // node:util's advice on positionals that start with "-" concerns none of our commands.
      return usage((e as Error).message.replace(/\. To specify a positional argument[\s\S]*$/, ""));
    }
    throw e;
  }
  if (parsed.values.help === true) {
    io.out(helpText(generic));
    return EXIT.ok;
  }
  const { min = 0, max = Infinity } = c.positionals ?? {};
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    return usage(
      `expected ${min === max ? min : n < min ? `at least ${min}` : `at most ${max}`} ` +
        `argument${(n < min ? min : max) === 1 ? "" : "s"} (${c.positionals?.usage}), found ${n}`,
    );
  }
  const { help: _help, ...values } = parsed.values;
  try {
    return await c.run({ values: values as Values<O>, positionals: parsed.positionals }, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`deno task ${c.name}: ${e.message}`);
      return EXIT.usage;
    }
    io.err(`deno task ${c.name}: internal error: ${(e as Error)?.stack ?? String(e)}`);
    return EXIT.internal;
  }
}

/** The entry point of a task's main.ts: runs the command on Deno.args and exits with its code. */
export async function exitWith<O extends OptionSpecs>(
  c: Command<O>,
  args: readonly string[] = Deno.args,
): Promise<never> {
  Deno.exit(await runCommand(c, args));
}
