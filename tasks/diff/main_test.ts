import assert from "node:assert/strict";
import { runCommand } from "../cli/command.ts";
import { diffCommand } from "./main.ts";
import { withScratchRepo } from "./scratch_repo.ts";

Deno.test("deno task diff exits 0 whatever changed, 2 on usage errors, and prints help", async () => {
  await withScratchRepo(["local"], async (repo) => {
    const run = async (args: readonly string[]) => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await runCommand(diffCommand(repo.root), args, {
        out: (l) => out.push(l),
        err: (l) => err.push(l),
      });
      return { code, out: out.join("\n"), err: err.join("\n") };
    };
    const ok = await run(["--format", "markdown"]);
    assert.equal(ok.code, 0);
    assert.match(ok.out, /\*\*Unchanged:\*\* `local`/);
    const help = await run(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.out, /^usage: deno task diff \[options\] \[cluster…\]/);
    assert.match(help.out, /--base <ref>/);
    for (
      const [args, message] of [
        [["--base", "no-such-ref"], /"no-such-ref" is not a commit/],
        [["--base="], /--base expects a git ref, found an empty string/],
        [["--base"], /Option '--base <value>' argument missing/],
        [["--format", "yaml"], /--format expects text, markdown, github, found "yaml"/],
        [["--nope"], /Unknown option '--nope'/],
        [["atlantis"], /no cluster atlantis in clusters\/ at either side \(clusters: local\)/],
      ] as const
    ) {
      const bad = await run(args);
      assert.equal(bad.code, 2, args.join(" "));
      assert.match(bad.err, message);
    }
  });
});
