import assert from "node:assert/strict";
import { parse } from "yaml";
import { kubeconfigText } from "./kubeconfig.ts";

Deno.test("kubeconfigText() embeds the CA and the client certificate in one context", () => {
  const config = parse(kubeconfigText({
    server: "https://127.0.0.1:6443",
    ca: "CA",
    cert: "CERT",
    key: "KEY",
    user: "local-admin",
    context: "local",
  }));
  assert.equal(config["current-context"], "local");
  assert.equal(config.clusters[0].cluster.server, "https://127.0.0.1:6443");
  assert.equal(atob(config.clusters[0].cluster["certificate-authority-data"]), "CA");
  assert.equal(atob(config.users[0].user["client-certificate-data"]), "CERT");
  assert.equal(atob(config.users[0].user["client-key-data"]), "KEY");
  assert.deepEqual(config.contexts[0].context, { cluster: "local", user: "local-admin" });
});
