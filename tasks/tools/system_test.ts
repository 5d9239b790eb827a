import assert from "node:assert/strict";
import { installCommand, missingPackages, TEST_PACKAGES, UP_PACKAGES } from "./system.ts";

Deno.test("missingPackages() keeps the packages whose file is absent", () => {
  const wanted = [
    { name: "chromium", file: "/usr/bin/chromium", why: "browser test" },
    { name: "nftables", file: "/usr/sbin/nft", why: "Services" },
  ];
  assert.deepEqual(
    missingPackages(wanted, (p) => p === "/usr/sbin/nft").map((p) => p.name),
    ["chromium"],
  );
  assert.deepEqual(missingPackages(wanted, () => true), []);
});

Deno.test("installCommand() uses apt-get as root and sudo -n apt-get otherwise", () => {
  assert.deepEqual(installCommand(["chromium"], true), [
    "apt-get",
    ["install", "-y", "-qq", "--no-install-recommends", "chromium"],
  ]);
  assert.deepEqual(installCommand(["chromium"], false), [
    "sudo",
    ["-n", "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"],
  ]);
});

Deno.test("TEST_PACKAGES names Chromium for the browser test", () => {
  assert.ok(TEST_PACKAGES.some((p) => p.name === "chromium" && p.file === "/usr/bin/chromium"));
});

Deno.test("UP_PACKAGES names openssl for the control plane, ip and nft for the pod network", () => {
  assert.deepEqual(
    UP_PACKAGES.filter((p) => p.name !== "util-linux").map((p) => [p.name, p.file]),
    [["openssl", "/usr/bin/openssl"], ["iproute2", "/usr/sbin/ip"], ["nftables", "/usr/sbin/nft"]],
  );
});
