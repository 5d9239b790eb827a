/**
 * A control plane for the length of a call: started in a temporary folder, handed to `fn`, and
 * stopped with its data gone whatever happens. For tests, benchmarks and validate's API server.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Supervisor } from "../stack/process.ts";
import {
  type Component,
  type ControlPlane,
  localNetwork,
  startControlPlane,
} from "./controlplane.ts";

/** Starts one; the caller stops it with `stop()` (which also removes its folder). */
export async function startScratchControlPlane(
  components: readonly Component[],
): Promise<ControlPlane & { stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), "control-plane-"));
  mkdirSync(join(dir, "logs"));
  const supervisor = new Supervisor({ logDir: join(dir, "logs") });
  supervisor.addCleanup(() => rmSync(dir, { recursive: true, force: true }));
  try {
    const cp = await startControlPlane({
      dir,
      supervisor,
      network: localNetwork(),
      nodeName: "scratch",
      components,
    });
    return { ...cp, stop: () => supervisor.stopAll() };
  } catch (e) {
    await supervisor.stopAll();
    throw e;
  }
}
