/** installStep() on a real, tiny Go module: built once into the cache, linked, reused. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Versions } from "../model/versions.ts";
import { run } from "../proc/run.ts";
import { buildDir, installStep } from "./install.ts";
import { buildPlan } from "./plan.ts";

/** A program module and a tools module requiring it at `version` (replaced by the folder). */
function fixture(root: string, version: string): Versions {
  mkdirSync(join(root, "hello"), { recursive: true });
  mkdirSync(join(root, "tools"), { recursive: true });
  writeFileSync(join(root, "hello", "go.mod"), "module example.com/hello\n\ngo 1.22\n");
  writeFileSync(
    join(root, "hello", "main.go"),
    'package main\n\nimport "fmt"\n\nvar v = "dev"\n\nfunc main() { fmt.Println("hello", v) }\n',
  );
  writeFileSync(
    join(root, "tools", "go.mod"),
    `module example.com/tools\n\ngo 1.22\n\nrequire example.com/hello ${version}\n\n` +
      "replace example.com/hello => ../hello\n",
  );
  return {
    deno: "2.9.6",
    images: {},
    tools: {
      hello: {
        module: "example.com/hello",
        version,
        appVersion: version.slice(1),
        versionVars: { "main.v": "{appVersion}" },
        gomod: "tools",
        binaries: { hello: "" },
        versionArgs: [],
      },
    },
  };
}

Deno.test("installStep() builds into the cache once, links it, and rebuilds on new inputs", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "install-test-"));
  try {
    const dirs = { bin: join(tmp, "bin"), cache: join(tmp, "cache") };
    const progress: string[] = [];
    const [step] = buildPlan(fixture(tmp, "v1.2.3"), tmp, { tools: "" }, "go-test");
    assert.ok(step);
    const first = await installStep(step, dirs, (l) => progress.push(l), 1);
    assert.equal(first.action, "built");
    assert.equal(readlinkSync(join(dirs.bin, "hello")), join(buildDir(step, dirs.cache), "hello"));
    const out = await run(join(dirs.bin, "hello"), []);
    assert.equal(out.stdout.trim(), "hello 1.2.3");
    assert.ok(progress.some((l) => /packages compiled/.test(l)), progress.join("\n"));

    const again = await installStep(step, dirs);
    assert.equal(again.action, "up to date");

    // A second clone (another bin folder) links the same build without building.
    const other = await installStep(step, { ...dirs, bin: join(tmp, "bin2") });
    assert.equal(other.action, "up to date");
    assert.ok(existsSync(join(tmp, "bin2", "hello")));

    const [next] = buildPlan(fixture(tmp, "v1.2.4"), tmp, { tools: "" }, "go-test");
    assert.ok(next);
    assert.notEqual(next.key, step.key);
    assert.equal((await installStep(next, dirs)).action, "built");
    assert.equal((await run(join(dirs.bin, "hello"), [])).stdout.trim(), "hello 1.2.4");
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

Deno.test("installStep() refuses a tools module whose go.mod requires another version", async () => {
  const tmp = mkdtempSync(join(tmpdir(), "install-test-"));
  try {
    const versions = fixture(tmp, "v1.0.0");
    versions.tools.hello = { ...versions.tools.hello!, module: "example.com/other" };
    const [step] = buildPlan(versions, tmp, {}, "go-test");
    await assert.rejects(
      installStep(step!, { bin: join(tmp, "bin"), cache: join(tmp, "cache") }),
      /requires example\.com\/other \(nothing\), versions\.json pins v1\.0\.0/,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
