import assert from "node:assert/strict";
import { parseAlertmanagerConfig, receiverNames } from "./alertmanager_config.ts";

Deno.test("parseAlertmanagerConfig() reads YAML, an empty text as {}, and broken YAML as null", () => {
  assert.deepEqual(parseAlertmanagerConfig("route:\n  receiver: chat\n"), {
    route: { receiver: "chat" },
  });
  assert.deepEqual(parseAlertmanagerConfig(""), {});
  assert.equal(parseAlertmanagerConfig("route: [\n"), null);
});

Deno.test("receiverNames() lists the receivers in order, none for no configuration", () => {
  const config = parseAlertmanagerConfig("receivers:\n  - name: chat\n  - name: pager\n");
  assert.deepEqual(receiverNames(config), ["chat", "pager"]);
  assert.deepEqual(receiverNames(null), []);
});
