/** `deno task bench <name> [options]`: runs one benchmark, which prints its own figures. */
import { type Command, command, exitWith, type OptionSpecs } from "../cli/command.ts";

const BENCHES: Record<string, () => Promise<{ benchCommand: Command<OptionSpecs> }>> = {
  tools: () => import("./tools.ts"),
  validate: () => import("./validate.ts"),
  diff: () => import("./diff.ts"),
  stack: () => import("./stack.ts"),
  controlplane: () => import("./controlplane.ts"),
  sandbox: () => import("./sandbox.ts"),
};

/** What `deno task bench` alone, or with a name it does not know, says. */
export const benchIndex = command({
  name: "bench",
  summary: `Runs one benchmark, which prints its own figures (nothing is asserted): ${
    Object.keys(BENCHES).join(", ")
  }. \`deno task bench <name> --help\` says what each measures and takes.`,
  options: {},
  positionals: { usage: `<${Object.keys(BENCHES).join("|")}> [options]`, min: 1, max: 1 },
  run: ({ positionals }, io) => {
    io.err(`deno task bench: no benchmark ${positionals[0]} (${Object.keys(BENCHES).join(", ")})`);
    return 2;
  },
});

if (import.meta.main) {
  const [name, ...rest] = Deno.args;
  const load = name === undefined ? undefined : BENCHES[name];
  if (load) await exitWith((await load()).benchCommand, rest);
  else await exitWith(benchIndex);
}
