import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { goModDownload, parseDownload } from "./gomod.ts";

Deno.test("goModDownload() returns the extracted module and its h1: hash", async () => {
  const d = await goModDownload("github.com/fluxcd/source-controller", "v1.9.5");
  assert.equal(d.sum, "h1:MFPyCodUi9hZIMaKDsC/rYbNoyzpvrAdrPVixj7W9F0=");
  assert.ok(
    existsSync(join(d.dir, "config/crd/bases/source.toolkit.fluxcd.io_gitrepositories.yaml")),
  );
});

Deno.test("parseDownload() turns go's Error field into an error", () => {
  assert.throws(
    () =>
      parseDownload("example.com/m@v1.0.0", {
        Path: "example.com/m",
        Version: "v1.0.0",
        Error: "example.com/m@v1.0.0 requires go >= 1.27.0 (running go 1.26.8; GOTOOLCHAIN=local)",
      }),
    {
      message: "go mod download example.com/m@v1.0.0: example.com/m@v1.0.0 requires go >= 1.27.0 " +
        "(running go 1.26.8; GOTOOLCHAIN=local)",
    },
  );
});
