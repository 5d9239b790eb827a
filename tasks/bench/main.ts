/** `deno task bench <name> [args]`: runs one benchmark, which prints its own figures. */
const BENCHES: Record<string, string> = {
  tools: "./tools.ts",
  validate: "./validate.ts",
  diff: "./diff.ts",
  stack: "./stack.ts",
  controlplane: "./controlplane.ts",
  sandbox: "./sandbox.ts",
};

if (import.meta.main) {
  const [name, ...args] = Deno.args;
  const path = name ? BENCHES[name] : undefined;
  if (!path) {
    console.error(`usage: deno task bench <${Object.keys(BENCHES).join("|")}> [args]`);
    Deno.exit(2);
  }
  const mod = await import(path) as { bench: (args: string[]) => Promise<void> };
  await mod.bench(args);
}
