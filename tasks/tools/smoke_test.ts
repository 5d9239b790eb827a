/** Each pinned tool, run for real on a tiny input (kubeconform's smoke test is beside its check). */
import { REPLICA_LABEL } from "../model/cluster.ts";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "smoke-"));
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** Polls `url` until `ok(body)` or the deadline; returns the last body. */
async function waitFor(url: string, ok: (body: string) => boolean, ms = 30_000): Promise<string> {
  const deadline = Date.now() + ms;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const r = await fetch(url);
      last = await r.text();
      if (r.ok && ok(last)) return last;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after ${ms} ms; last answer: ${last.slice(0, 200)}`);
}

function spawn(binary: string, args: string[]): Deno.ChildProcess {
  return new Deno.Command(toolPath(binary), { args, stdout: "null", stderr: "null" }).spawn();
}

async function stop(...children: Deno.ChildProcess[]): Promise<void> {
  for (const c of children) {
    try {
      c.kill("SIGTERM");
    } catch { /* exited */ }
  }
  await Promise.all(children.map((c) => c.status));
}

Deno.test("promtool checks a good rule file and rejects a bad expression", async () => {
  const dir = tempDir();
  try {
    const good = join(dir, "good.yaml"), bad = join(dir, "bad.yaml");
    writeFileSync(
      good,
      "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n",
    );
    writeFileSync(bad, "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up ==\n");
    assert.equal((await run(toolPath("promtool"), ["check", "rules", good])).code, 0);
    const r = await run(toolPath("promtool"), ["check", "rules", bad]);
    assert.equal(r.code, 1);
    assert.match(r.stderr + r.stdout, /parse error/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("amtool checks a good configuration and rejects a route to a missing receiver", async () => {
  const dir = tempDir();
  try {
    const good = join(dir, "good.yaml"), bad = join(dir, "bad.yaml");
    writeFileSync(good, "route:\n  receiver: default\nreceivers:\n- name: default\n");
    writeFileSync(bad, "route:\n  receiver: nowhere\nreceivers:\n- name: default\n");
    assert.equal((await run(toolPath("amtool"), ["check-config", good])).code, 0);
    const r = await run(toolPath("amtool"), ["check-config", bad]);
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /undefined receiver "nowhere"/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

Deno.test("Prometheus answers /-/ready, and Thanos Query lists the sidecar beside it as a store", async () => {
  const dir = tempDir();
  const [prom, sideGrpc, sideHttp, queryHttp, queryGrpc] = [
    freePort(),
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ];
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, `global:\n  external_labels:\n    ${REPLICA_LABEL}: smoke-0\n`);
  const children: Deno.ChildProcess[] = [];
  try {
    children.push(spawn("prometheus", [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${prom}`,
      "--storage.tsdb.min-block-duration=2h",
      "--storage.tsdb.max-block-duration=2h",
    ]));
    await waitFor(`http://127.0.0.1:${prom}/-/ready`, () => true);
    children.push(spawn("thanos", [
      "sidecar",
      `--prometheus.url=http://127.0.0.1:${prom}`,
      `--tsdb.path=${join(dir, "data")}`,
      `--grpc-address=127.0.0.1:${sideGrpc}`,
      `--http-address=127.0.0.1:${sideHttp}`,
    ]));
    children.push(spawn("thanos", [
      "query",
      `--endpoint=127.0.0.1:${sideGrpc}`,
      `--http-address=127.0.0.1:${queryHttp}`,
      `--grpc-address=127.0.0.1:${queryGrpc}`,
      `--query.replica-label=${REPLICA_LABEL}`,
    ]));
    const body = await waitFor(
      `http://127.0.0.1:${queryHttp}/api/v1/stores`,
      (b) => b.includes(`127.0.0.1:${sideGrpc}`) && b.includes("smoke-0"),
    );
    const stores = JSON.parse(body).data.sidecar as Array<{ name: string }>;
    assert.deepEqual(stores.map((s) => s.name), [`127.0.0.1:${sideGrpc}`]);
  } finally {
    await stop(...children.reverse());
    rmSync(dir, { recursive: true, force: true });
  }
});
