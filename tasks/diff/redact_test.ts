import assert from "node:assert/strict";
import {
  redactConfig,
  REDACTED,
  REDACTED_CHANGED,
  redactedChanges,
  redactIniValue,
  redactYamlText,
} from "./redact.ts";

const TOKEN = "T0123456789abcdefXYZ0123456789";

Deno.test("redactConfig() hides inline credentials and keeps *_file paths and plain values", () => {
  const config = {
    global: { slack_api_url: `https://hooks.slack.com/services/${TOKEN}`, resolve_timeout: "5m" },
    receivers: [
      {
        name: "pager",
        pagerduty_configs: [{ routing_key: "abc", send_resolved: true }],
      },
      {
        name: "chat",
        slack_configs: [{
          api_url_file: "/etc/alertmanager/secrets/alertmanager-receivers/slack-api-url",
          channel: "#ops",
        }],
      },
      { name: "hook", webhook_configs: [{ url: `https://example.com/hook?token=${TOKEN}` }] },
      { name: "plain", webhook_configs: [{ url: "http://sink.monitoring.svc:8080/" }] },
      { name: "odd", webhook_configs: [{ http_config: { headers: { X: TOKEN } } }] },
    ],
  };
  assert.deepEqual(redactConfig(config), {
    global: { slack_api_url: REDACTED, resolve_timeout: "5m" },
    receivers: [
      { name: "pager", pagerduty_configs: [{ routing_key: REDACTED, send_resolved: true }] },
      {
        name: "chat",
        slack_configs: [{
          api_url_file: "/etc/alertmanager/secrets/alertmanager-receivers/slack-api-url",
          channel: "#ops",
        }],
      },
      { name: "hook", webhook_configs: [{ url: REDACTED }] },
      { name: "plain", webhook_configs: [{ url: "http://sink.monitoring.svc:8080/" }] },
      { name: "odd", webhook_configs: [{ http_config: { headers: { X: REDACTED } } }] },
    ],
  });
});

Deno.test("redactYamlText() never prints the secret of a YAML text", () => {
  const text = `receivers:\n  - name: p\n    pagerduty_configs:\n      - routing_key: ${TOKEN}\n`;
  const out = redactYamlText(text);
  assert.ok(!out.includes(TOKEN));
  assert.match(out, /routing_key: \(redacted\)\n/);
  assert.equal(redactYamlText("a: [unclosed"), `${REDACTED} (not parsable YAML)\n`);
});

Deno.test("redactIniValue() hides grafana.ini passwords and keeps references", () => {
  assert.equal(redactIniValue("admin_password", "hunter2"), REDACTED);
  assert.equal(
    redactIniValue("admin_password", "$__file{/etc/secrets/pw}"),
    "$__file{/etc/secrets/pw}",
  );
  assert.equal(
    redactIniValue("root_url", "https://grafana.example.com/"),
    "https://grafana.example.com/",
  );
});

Deno.test("redactedChanges() says a secret changed without showing either value", () => {
  const before = { r: [{ routing_key: "old-secret", channel: "#a" }] };
  const after = { r: [{ routing_key: "new-secret", channel: "#b" }], extra: { token: "x" } };
  const changes = redactedChanges(before, after);
  assert.deepEqual(changes, [
    { key: "r[0].routing_key", from: REDACTED, to: REDACTED_CHANGED },
    { key: "r[0].channel", from: "#a", to: "#b" },
    { key: "extra.token", to: REDACTED },
  ]);
  assert.ok(!JSON.stringify(changes).includes("secret"));
});
