import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { refuseExisting } from "./replica.ts";

Deno.test("refuseExisting() accepts empty or absent folders and refuses a used one", () => {
  const out = mkdtempSync(join(tmpdir(), "refuse-"));
  try {
    mkdirSync(join(out, "prometheus-k8s-0"));
    refuseExisting(out, ["prometheus-k8s-0", "prometheus-k8s-1"]);
    mkdirSync(join(out, "prometheus-k8s-2"));
    writeFileSync(join(out, "prometheus-k8s-2", "01ABC"), "");
    assert.throws(
      () => refuseExisting(out, ["prometheus-k8s-2"]),
      new Error(`${join(out, "prometheus-k8s-2")} exists and is not empty; choose another --out`),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
