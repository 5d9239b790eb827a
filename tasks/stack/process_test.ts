import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Supervisor } from "./process.ts";

function withLogDir(fn: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "supervisor-test-"));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

Deno.test(
  "Supervisor.waitReady() reports a process that exits early with its code and log",
  withLogDir(async (dir) => {
    const sup = new Supervisor({ logDir: dir });
    try {
      await sup.start({
        name: "boom",
        cmd: "sh",
        args: ["-c", "echo 'bind: address already in use' >&2; exit 3"],
        ready: () => Promise.resolve(false),
      });
      await assert.rejects(sup.waitReady(5_000), (e: Error) => {
        assert.equal(
          e.message,
          `boom exited with code 3 before it was ready; its log ${
            join(dir, "boom.log")
          } ends with:\nbind: address already in use`,
        );
        return true;
      });
    } finally {
      await sup.stopAll();
    }
  }),
);

Deno.test(
  "Supervisor.waitReady() gives up at its deadline and names the service",
  withLogDir(async (dir) => {
    const sup = new Supervisor({ logDir: dir });
    try {
      await sup.start({
        name: "slow",
        cmd: "sh",
        args: ["-c", "echo starting; exec sleep 30"],
        ready: () => Promise.resolve(false),
      });
      await assert.rejects(
        sup.waitReady(1_000),
        new Error("not ready after 1000 ms: slow; slow's log ends with:\nstarting"),
      );
    } finally {
      await sup.stopAll();
    }
    assert.equal(sup.isRunning("slow"), false);
  }),
);

Deno.test(
  "Supervisor.stop() and start() run the same spec again, and stopAll() runs the cleanups",
  withLogDir(async (dir) => {
    const sup = new Supervisor({ logDir: dir });
    const cleaned: string[] = [];
    sup.addCleanup(() => {
      cleaned.push("first");
    });
    sup.addCleanup(() => {
      cleaned.push("second");
    });
    const log = join(dir, "svc.log");
    const runs = () => readFileSync(log, "utf8").split("run\n").length - 1;
    let expected = 1;
    const spec = {
      name: "svc",
      cmd: "sh",
      args: ["-c", "echo run; exec sleep 30"],
      ready: () => Promise.resolve(runs() === expected),
    };
    await sup.start(spec);
    await sup.waitReady(5_000);
    assert.equal(sup.isRunning("svc"), true);
    await sup.stop("svc");
    assert.equal(sup.isRunning("svc"), false);
    expected = 2;
    await sup.start(spec);
    await sup.waitReady(5_000);
    await sup.stopAll();
    assert.equal(readFileSync(log, "utf8"), "run\nrun\n");
    assert.deepEqual(cleaned, ["second", "first"]);
    await assert.rejects(sup.start(spec), new Error("supervisor is stopped; cannot start svc"));
  }),
);

Deno.test(
  "Supervisor stops every process when its lifetime ends",
  withLogDir(async (dir) => {
    let ended = false;
    const sup = new Supervisor({
      logDir: dir,
      lifetimeMs: 200,
      onLifetimeEnd: () => {
        ended = true;
      },
    });
    await sup.start({ name: "a", cmd: "sleep", args: ["30"] });
    await sup.start({ name: "b", cmd: "sleep", args: ["30"] });
    const deadline = Date.now() + 5_000;
    while (!ended && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(ended, true);
    assert.deepEqual([sup.isRunning("a"), sup.isRunning("b")], [false, false]);
    await sup.stopAll();
  }),
);
