import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolPath } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { Supervisor } from "../stack/process.ts";
import { localNetwork, startControlPlane } from "./controlplane.ts";

Deno.test("startControlPlane() runs etcd, the API server, the controller manager and the scheduler on loopback, with RBAC, and stops them all", async () => {
  const dir = mkdtempSync(join(tmpdir(), "cp-test-"));
  mkdirSync(join(dir, "logs"));
  const supervisor = new Supervisor({ logDir: join(dir, "logs") });
  try {
    const cp = await startControlPlane({
      dir,
      supervisor,
      network: localNetwork(),
      nodeName: "n",
      components: ["controller-manager", "scheduler"],
    });
    assert.match(cp.server, /^https:\/\/127\.0\.0\.1:\d+$/);
    const kubectl = (kubeconfig: string, ...args: string[]) =>
      run(toolPath("kubectl"), ["--kubeconfig", kubeconfig, ...args]);
    const readyz = await kubectl(cp.adminKubeconfig, "get", "--raw", "/readyz");
    assert.equal(readyz.stdout.trim(), "ok", readyz.stderr);
    // RBAC: the scheduler's identity may list pods but not read secrets.
    const canPods = await kubectl(cp.kubeconfig("scheduler"), "auth", "can-i", "list", "pods");
    assert.equal(canPods.stdout.trim(), "yes");
    const canSecrets = await kubectl(cp.kubeconfig("scheduler"), "auth", "can-i", "get", "secrets");
    assert.equal(canSecrets.stdout.trim(), "no");
    // The controller manager works: it makes the default ServiceAccount of a new namespace.
    await cp.admin.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: "t" } });
    let sa;
    for (let i = 0; i < 100 && !sa; i++) {
      sa = await cp.admin.get("v1", "ServiceAccount", "t", "default");
      if (!sa) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(sa, "the controller manager creates the default ServiceAccount");
  } finally {
    await supervisor.stopAll();
  }
  assert.deepEqual(supervisor.names().filter((n) => supervisor.isRunning(n)), []);
  rmSync(dir, { recursive: true, force: true });
  assert.equal(existsSync(dir), false);
});
