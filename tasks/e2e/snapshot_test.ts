/**
 * `deno task snapshot --local` for real: replicas started with the admin API only for the
 * operation, a snapshot of each taken, copied out and verified by a Prometheus started on a copy;
 * the admin API gone afterwards; and a running stack without the admin API left alone.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OVERLAYS_DIR, ROOT } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { takeSnapshot } from "../snapshot/admin_api.ts";
import { localReplicas, snapshotLocal, withAdminApi } from "../snapshot/local.ts";
import { listBlocks } from "../snapshot/verify.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { startStack } from "../stack/up.ts";
import { stateOf } from "./helpers.ts";

Deno.test("snapshot --local snapshots, copies and verifies every replica, then the admin API is gone", async () => {
  const out = mkdtempSync(join(tmpdir(), "e2e-snapshot-"));
  try {
    const lines: string[] = [];
    const r = await snapshotLocal({
      out,
      stateFile: join(out, "no-running-stack.json"),
      onProgress: (l) => lines.push(l),
    });
    assert.equal(r.source, "started");
    assert.deepEqual(r.snapshots.map((s) => s.replica), ["prometheus-k8s-0", "prometheus-k8s-1"]);
    assert.deepEqual(readdirSync(out).filter((n) => n.startsWith("prometheus-")).sort(), [
      "prometheus-k8s-0",
      "prometheus-k8s-1",
    ]);
    for (const s of r.snapshots) {
      assert.match(s.name, /^\d{8}T\d{6}Z-[0-9a-f]{16}$/);
      assert.equal(s.dir, join(out, s.replica));
      assert.ok(s.blocks.length >= 1, `${s.replica}: no block`);
      // One `up` per target of the local stack, found on the replica and on the copy alike.
      assert.ok(s.series.length >= 5, `${s.replica}: ${s.series.length} series`);
      assert.ok(s.series.some((k) => k.includes('job="node-exporter"')), s.series.join(" "));
      // The copy is a database promtool reads on its own, and the verification left it as it was.
      assert.deepEqual((await listBlocks(s.dir)).map((b) => b.ulid), s.blocks.map((b) => b.ulid));
      assert.equal(existsSync(join(s.dir, "wal")), false);
      assert.equal(existsSync(join(s.dir, "lock")), false);
    }
    assert.match(r.adminApiOff, /^The admin API is off again: the 2 replicas started with/);
    assert.ok(
      lines.some((l) => l.startsWith("prometheus-k8s-1: POST /api/v1/admin/tsdb/snapshot")),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

Deno.test("snapshot --local leaves a running stack without the admin API alone", async () => {
  const out = mkdtempSync(join(tmpdir(), "e2e-snapshot-running-"));
  const running = await startStack({ cluster: "local", lifetimeMs: 300_000 });
  try {
    const stateFile = join(out, "state.json");
    writeFileSync(stateFile, JSON.stringify(stateOf(running)));
    // The running replicas refuse the admin API, as the render says.
    await assert.rejects(
      () => takeSnapshot(running.plan.urls.prometheus[0] as string),
      /the admin API is off on this Prometheus \(HTTP 500\)/,
    );
    const lines: string[] = [];
    const r = await snapshotLocal({
      out: join(out, "snapshots"),
      stateFile,
      onProgress: (l) => lines.push(l),
    });
    assert.equal(r.source, "started");
    assert.equal(r.snapshots.length, 2);
    assert.ok(
      lines.some((l) => l.includes("has no admin API and is left alone")),
      lines.join("\n"),
    );
    // Still running, still without the admin API.
    await assert.rejects(
      () => takeSnapshot(running.plan.urls.prometheus[1] as string),
      /admin API is off/,
    );
  } finally {
    await running.close();
    rmSync(out, { recursive: true, force: true });
  }
});

Deno.test("snapshot --local uses a running stack whose replicas have the admin API", async () => {
  const out = mkdtempSync(join(tmpdir(), "e2e-snapshot-admin-"));
  const objects = withAdminApi((await kustomizeBuild(join(OVERLAYS_DIR, "local"))).objects);
  const running = await startStack({ cluster: "local", objects, lifetimeMs: 300_000 });
  try {
    const stateFile = join(out, "state.json");
    writeFileSync(stateFile, JSON.stringify(stateOf(running)));
    const r = await snapshotLocal({ out: join(out, "snapshots"), stateFile });
    assert.equal(r.source, "running");
    assert.deepEqual(r.snapshots.map((s) => s.replica), ["prometheus-k8s-0", "prometheus-k8s-1"]);
    assert.match(r.adminApiOff, /sets spec\.config\.enable_admin_api: true\. To turn it off/);
    // Copied out, then removed from the replicas' data directories.
    for (const rep of localReplicas(running.plan)) {
      assert.deepEqual(readdirSync(join(rep.dataDir, "snapshots")), []);
    }
  } finally {
    await running.close();
    rmSync(out, { recursive: true, force: true });
  }
});

Deno.test("deno task snapshot --cluster --print prints the kubectl steps and runs nothing", async () => {
  const r = await run(Deno.execPath(), [
    "run",
    "-A",
    "tasks/snapshot/main.ts",
    "--cluster",
    "production",
    "--context",
    "prod",
    "--out",
    "snaps",
    "--print",
  ], { cwd: ROOT, timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split("\n");
  assert.ok(lines.includes(
    "kubectl --context prod --namespace monitoring cp --container prometheus " +
      "'prometheus-k8s-1:/prometheus/snapshots/<name>' snaps/prometheus-k8s-1",
  ));
  assert.ok(lines.includes(
    "kubectl --context prod --namespace monitoring get prometheus k8s -o " +
      "'jsonpath={.spec.enableAdminAPI}'",
  ));
  assert.equal(existsSync(join(ROOT, "snaps")), false);
});
