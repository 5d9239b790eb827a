import assert from "node:assert/strict";
import { run, runBytes, runOk } from "./run.ts";

Deno.test("run() captures stdout, stderr and the exit code, and passes each stderr line on", async () => {
  const lines: string[] = [];
  const r = await run("sh", ["-c", "echo out; printf 'a\\nb\\npartial' >&2; exit 3"], {
    onStderrLine: (l) => lines.push(l),
  });
  assert.deepEqual(r, { code: 3, stdout: "out\n", stderr: "a\nb\npartial" });
  assert.deepEqual(lines, ["a", "b", "partial"]);
});

Deno.test("runBytes() returns stdout as the bytes written, multi-byte characters whole", async () => {
  const r = await runBytes("printf", ["\\303\\251\\342\\234\\223"]);
  assert.deepEqual([...r.stdout], [0xc3, 0xa9, 0xe2, 0x9c, 0x93]);
  assert.equal(new TextDecoder().decode(r.stdout), "é✓");
});

Deno.test("run() reads the output while it writes a large input (no pipe deadlock)", async () => {
  const input = "x".repeat(1023) + "\n";
  const big = input.repeat(2048); // 2 MiB, far more than a pipe holds
  const r = await run("cat", [], { stdin: big, timeoutMs: 20_000 });
  assert.equal(r.code, 0);
  assert.equal(r.stdout.length, big.length);
});

Deno.test("runOk() throws with the command's stderr; a missing program says to install tools", async () => {
  await assert.rejects(() => runOk("sh", ["-c", "echo nope >&2; exit 1"]), /exited 1: nope/);
  await assert.rejects(
    () => run("no-such-program-here", []),
    /is not installed; run `deno task tools`/,
  );
});
