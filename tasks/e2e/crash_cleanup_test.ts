/**
 * `deno task up` killed with SIGKILL: every process it started dies with it (the kernel's
 * parent-death signal), and what the kernel keeps (network namespaces, the bridge, firewall
 * tables, the run's data) is swept by the next run before it starts.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { CACHE_DIR, ROOT } from "../model/paths.ts";
import { DEFAULT_POD_NETWORK } from "../node/pod_network.ts";
import { run } from "../proc/run.ts";
import { sweepStale } from "../stack/local_cluster.ts";
import { sleep } from "./helpers.ts";

async function leftovers() {
  const netns = (await run("ip", ["netns", "list"])).stdout.split("\n").filter((l) =>
    l.startsWith(`${DEFAULT_POD_NETWORK.prefix}-`)
  );
  const bridge = (await run("ip", ["link", "show", DEFAULT_POD_NETWORK.bridge])).code === 0;
  const tables = (await run("nft", ["list", "tables"])).stdout;
  // This checkout's processes only (other checkouts may run API servers): each names its folder.
  const processes = (await run("pgrep", ["-f", join(CACHE_DIR, "cluster", "local")])).stdout.trim();
  return { netns, bridge, tables, processes };
}

Deno.test("after up is killed with SIGKILL its processes are gone and the next run sweeps the rest", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tasks/stack/main.ts", "--for", "10m"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const dec = new TextDecoder();
  let out = "";
  const reader = child.stdout.getReader();
  const deadline = Date.now() + 300_000;
  while (!/ready in/.test(out)) {
    assert.ok(Date.now() < deadline, `up did not get ready: ${out}`);
    const { value, done } = await reader.read();
    if (done) break;
    out += dec.decode(value);
  }
  assert.match(out, /ready in/);
  const before = await leftovers();
  assert.ok(before.netns.length > 3, "pods have network namespaces");
  assert.notEqual(before.processes, "", "the control plane runs");

  child.kill("SIGKILL");
  await child.status;
  reader.releaseLock();
  await child.stdout.cancel().catch(() => {});
  await sleep(3_000);
  const after = await leftovers();
  assert.equal(after.processes, "", "no control-plane process outlives up");
  assert.ok(after.bridge, "the kernel keeps the bridge");
  assert.ok(after.netns.length > 0, "and the namespaces");

  const dir = join(CACHE_DIR, "cluster", "local");
  await sweepStale({ ...DEFAULT_POD_NETWORK }, dir);
  const swept = await leftovers();
  assert.deepEqual(swept.netns, []);
  assert.equal(swept.bridge, false);
  assert.doesNotMatch(swept.tables, /table inet hamon|kube-proxy/);
  assert.equal(existsSync(dir), false);
  // The sweep claimed the machine for a run that does not follow: release it.
  Deno.removeSync(join(DEFAULT_POD_NETWORK.stateDir, "owner.pid"));
});
