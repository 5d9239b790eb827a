import assert from "node:assert/strict";
import { main, parseArgs } from "./main.ts";
import { withScratchRepo } from "./scratch_repo.ts";

Deno.test("parseArgs() reads --base, --format and cluster names, and says what is wrong", () => {
  assert.deepEqual(parseArgs(["--base", "v1.2.0", "--format", "markdown", "staging", "edge"]), {
    base: "v1.2.0",
    format: "markdown",
    clusters: ["staging", "edge"],
    help: false,
  });
  assert.deepEqual(parseArgs([]), { format: "text", clusters: [], help: false });
  assert.deepEqual(parseArgs(["-h"]), { format: "text", clusters: [], help: true });
  assert.equal(
    parseArgs(["--format=json"]),
    '--format expects text, markdown, github, found "json"',
  );
  assert.equal(parseArgs(["--base="]), "--base expects a git ref, found an empty string");
  assert.match(String(parseArgs(["--base"])), /Option '--base <value>' argument missing/);
});

Deno.test("main() exits 0 whatever changed, 2 on usage errors, and prints help", async () => {
  await withScratchRepo(["local"], async (repo) => {
    const io = () => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
    };
    const ok = io();
    assert.equal(await main(["--format", "markdown"], repo.root, ok.io), 0);
    assert.match(ok.out.join("\n"), /\*\*Unchanged:\*\* `local`/);
    const help = io();
    assert.equal(await main(["--help"], repo.root, help.io), 0);
    assert.match(help.out.join("\n"), /^usage: deno task diff/);
    for (
      const [args, message] of [
        [["--base", "no-such-ref"], /"no-such-ref" is not a commit/],
        [["--format", "yaml"], /--format expects text, markdown, github, found "yaml"/],
        [["--nope"], /Unknown option '--nope'/],
        [["atlantis"], /no cluster atlantis in clusters\/ at either side \(clusters: local\)/],
      ] as const
    ) {
      const bad = io();
      assert.equal(await main(args, repo.root, bad.io), 2, args.join(" "));
      assert.match(bad.err.join("\n"), message);
    }
  });
});
