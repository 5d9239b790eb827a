import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCommand } from "../cli/command.ts";
import { validateCommand } from "./main.ts";

async function validate(args: string[]) {
  const root = await mkdtemp(join(tmpdir(), "validate-main-"));
  await Deno.mkdir(join(root, "clusters", "a"), { recursive: true });
  await Deno.writeTextFile(join(root, "clusters", "a", "cluster.yaml"), "kind: Cluster\n");
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await runCommand(validateCommand(root), args, {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

Deno.test("deno task validate explains a bad format, an unknown option or cluster, and exits 2", async () => {
  for (
    const [args, message] of [
      [["--format", "xml"], /^deno task validate: --format expects text, github, json, found xml$/],
      [["-x"], /^deno task validate: Unknown option '-x'/],
      [["nope"], /^deno task validate: no cluster nope in clusters\/ \(clusters: a\)$/],
    ] as const
  ) {
    const r = await validate([...args]);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, message);
  }
});

Deno.test("deno task validate --help lists its options and exit codes", async () => {
  const r = await validate(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.out, /^usage: deno task validate \[options\] \[cluster…\]/);
  assert.match(r.out, /--no-api-server/);
  assert.match(r.out, /exit codes: 0 ok, 1 an error found, 2 usage or input error, 3 internal/);
});
