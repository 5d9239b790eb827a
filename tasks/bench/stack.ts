/**
 * `deno task bench stack [cluster]`: the local stack's time to ready, the time until the whole
 * test plan first passes (it waits for the Watchdog's first notification, so the route's
 * group_wait dominates), and the time of one full test-queries run on the settled stack.
 */
import { command } from "../cli/command.ts";
import { seconds, startStack } from "../stack/up.ts";
import { localTargetOf, runTestQueries } from "../testqueries/main.ts";
import type { StackState } from "../stack/up.ts";

export const benchCommand = command({
  name: "bench stack",
  summary: "The local stack's time to ready, to the test plan's first pass, and of one full " +
    "test-queries run.",
  options: {},
  positionals: { usage: "[cluster]", max: 1 },
  run: async ({ positionals }) => {
    await bench(positionals[0] ?? "local");
    return 0;
  },
});

async function bench(cluster: string): Promise<void> {
  const t0 = performance.now();
  const stack = await startStack({ cluster, lifetimeMs: 300_000 });
  try {
    console.log(`stack ${cluster}: ready in ${seconds(stack.readyMs)}`);
    const { files: _files, ...plan } = stack.plan;
    const state: StackState = { cluster, pid: Deno.pid, plan };
    const target = await localTargetOf(state);
    const deadline = performance.now() + 180_000;
    let report = await runTestQueries(target);
    while (!report.ok && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1_000));
      report = await runTestQueries(target);
    }
    if (!report.ok) {
      const failed = report.checks.filter((c) => !c.ok).map((c) => c.id).join(", ");
      throw new Error(`test-queries still fails after 180 s: ${failed}`);
    }
    console.log(`test plan first passes after ${seconds(performance.now() - t0)} from start`);
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push((await runTestQueries(target)).durationMs);
    runs.sort((a, b) => a - b);
    console.log(
      `full test-queries run: ${seconds(runs[1] as number)} (median of 3; ${
        runs.map((r) => seconds(r)).join(", ")
      })`,
    );
  } finally {
    await stack.close();
  }
}
