import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOk } from "../proc/run.ts";
import { clusterCerts, issuePki, opensslConfig } from "./pki.ts";

const net = {
  advertiseAddress: "198.18.0.1",
  apiServiceIP: "198.19.0.1",
  dnsDomain: "cluster.local",
};

Deno.test("opensslConfig() writes the groups as organisations and the SANs", () => {
  const text = opensslConfig({
    name: "admin",
    cn: "local-admin",
    groups: ["system:masters"],
    usage: "client",
  });
  assert.match(text, /^0\.O=system:masters$/m);
  assert.match(text, /^1\.CN=local-admin$/m);
  assert.match(text, /^extendedKeyUsage = clientAuth$/m);
  assert.doesNotMatch(text, /subjectAltName/);
  const server = opensslConfig(clusterCerts(net, "n").find((c) => c.name === "apiserver")!);
  assert.match(
    server,
    /subjectAltName = DNS:localhost, .*DNS:kubernetes\.default\.svc\.cluster\.local, IP:127\.0\.0\.1, IP:198\.18\.0\.1, IP:198\.19\.0\.1/,
  );
});

Deno.test("issuePki() issues certificates the CA verifies, with the node's identity", async () => {
  const dir = mkdtempSync(join(tmpdir(), "pki-test-"));
  try {
    const pki = await issuePki(join(dir, "pki"), clusterCerts(net, "node-a"));
    for (const c of clusterCerts(net, "node-a")) {
      const out = await runOk("openssl", ["verify", "-CAfile", pki.ca, pki.cert(c.name).cert]);
      assert.match(out, /: OK$/m, c.name);
    }
    const subject = await runOk("openssl", [
      "x509",
      "-noout",
      "-subject",
      "-in",
      pki.cert("node").cert,
    ]);
    assert.match(subject, /O = system:nodes, CN = system:node:node-a/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
