/**
 * `deno task snapshot --local` for real, on the running local cluster: the admin API turned on in
 * the Prometheus CR only for the operation (the operator rolls the replicas out), a snapshot of
 * each replica taken, copied out of its volume on the host and verified by a Prometheus started on
 * a copy; the admin API off again afterwards and nothing left in the volumes. And the printed
 * procedure of `--cluster --print`, which runs nothing.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../model/paths.ts";
import { claimFolder } from "../node/provisioner.ts";
import { run } from "../proc/run.ts";
import { takeSnapshot } from "../snapshot/admin_api.ts";
import { listBlocks } from "../snapshot/verify.ts";
import { startLocalCluster } from "../stack/local_cluster.ts";
import { keepLogs, seconds } from "./helpers.ts";

const snapshotCli = (...args: string[]) =>
  run(Deno.execPath(), ["run", "-A", "tasks/snapshot/main.ts", ...args], {
    cwd: ROOT,
    timeoutMs: 900_000,
  });

Deno.test("snapshot --local without a running local cluster says how to start one", async () => {
  const out = mkdtempSync(join(tmpdir(), "e2e-snapshot-none-"));
  try {
    const r = await snapshotCli("--local", "--out", out);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr.trim(),
      "deno task snapshot: no local cluster is running; start one with `deno task up`",
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

Deno.test("snapshot --local snapshots, copies and verifies every replica, then the admin API is off", async () => {
  const t0 = performance.now();
  const out = mkdtempSync(join(tmpdir(), "e2e-snapshot-"));
  const cluster = await startLocalCluster({ cluster: "local", lifetimeMs: 1_200_000 });
  const ns = "monitoring";
  const replicas = ["prometheus-k8s-0", "prometheus-k8s-1"];
  const urlOf = async (pod: string) =>
    `http://${(await cluster.admin.get("v1", "Pod", ns, pod))?.status?.podIP}:9090`;
  let ok = false;
  try {
    // The replicas refuse the admin API, as the render says.
    for (const pod of replicas) {
      await assert.rejects(() => urlOf(pod).then(takeSnapshot), /the admin API is off/);
    }

    const r = await snapshotCli("--local", "--out", join(out, "snapshots"));
    assert.equal(r.code, 0, r.stderr);
    console.log(r.stdout);
    const lines = r.stdout.split("\n");
    assert.equal(lines[0], "Snapshots of the local cluster local:");
    for (const pod of replicas) {
      assert.ok(lines.some((l) => l.startsWith(`  ${pod}: snapshot `)), r.stdout);
      const dir = join(out, "snapshots", pod);
      // The copy is a database promtool reads on its own, left as the verification found it.
      assert.ok((await listBlocks(dir)).length >= 1, `${pod}: no block`);
      assert.equal(existsSync(join(dir, "wal")), false);
      assert.equal(existsSync(join(dir, "lock")), false);
    }
    assert.match(r.stdout, /The admin API is off again: spec\.enableAdminAPI of Prometheus/);
    assert.ok(
      r.stderr.includes("Prometheus monitoring/k8s: spec.enableAdminAPI: true; waiting for"),
      r.stderr,
    );

    // Off again: in the CR, and on every replica the operator rolled out.
    const cr = await cluster.admin.get("monitoring.coreos.com/v1", "Prometheus", ns, "k8s");
    assert.equal(cr?.spec?.enableAdminAPI, false);
    for (const pod of replicas) {
      await assert.rejects(() => urlOf(pod).then(takeSnapshot), /the admin API is off/);
      // Copied out, then removed from the replica's volume.
      const claim = `prometheus-k8s-db-${pod}`;
      const snapshots = join(
        await claimFolder(cluster.admin, ns, claim),
        "prometheus-db",
        "snapshots",
      );
      assert.deepEqual(existsSync(snapshots) ? readdirSync(snapshots) : [], [], snapshots);
    }
    ok = true;
  } finally {
    if (!ok) console.log(`logs kept in ${keepLogs(cluster, "snapshot_test")}`);
    await cluster.close();
    rmSync(out, { recursive: true, force: true });
    console.log(`e2e snapshot_test.ts: ${seconds(performance.now() - t0)}`);
  }
});

Deno.test("deno task snapshot --cluster --print prints the kubectl steps and runs nothing", async () => {
  const r = await snapshotCli(
    "--cluster",
    "production",
    "--context",
    "prod",
    "--out",
    "snaps",
    "--print",
  );
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
