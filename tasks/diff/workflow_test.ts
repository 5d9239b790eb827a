import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { ROOT } from "../model/paths.ts";
import { MARKDOWN_MARKER } from "./format.ts";

const WORKFLOW = join(ROOT, ".github/workflows/validate.yml");

Deno.test("the pull-request workflow posts diff's markdown and finds its comment by diff's marker", () => {
  const text = readFileSync(WORKFLOW, "utf8");
  // deno-lint-ignore no-explicit-any
  const steps: any[] = parse(text).jobs.validate.steps;
  const diff = steps.find((s) => s.id === "diff");
  assert.match(
    diff.run,
    /\.\/dev diff --base HEAD\^1 --format markdown > "\$RUNNER_TEMP\/diff\.md"/,
  );
  assert.match(diff.run, /cat "\$RUNNER_TEMP\/diff\.md" >> "\$GITHUB_STEP_SUMMARY"/);
  const comment = steps.find((s) => /comment/.test(s.name ?? ""));
  assert.ok(comment.run.includes(`marker='${MARKDOWN_MARKER}'`), "the same marker");
  assert.match(comment.run, /--method PATCH/);
  assert.match(comment.run, /--method POST/);
  for (const s of steps.filter((x) => x.uses)) {
    assert.match(s.uses, /@[0-9a-f]{40}$/, `${s.uses} is pinned by commit`);
  }
});
