import assert from "node:assert/strict";
import {
  redactConfig,
  REDACTED,
  REDACTED_CHANGED,
  redactedChanges,
  redactEnvValue,
  redactIniText,
  redactIniValue,
  redactManifest,
  redactUrl,
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

Deno.test("redactEnvValue() hides a secret-named variable's value and a token, keeps the rest", () => {
  assert.equal(redactEnvValue("GF_SECURITY_ADMIN_PASSWORD", "hunter2"), REDACTED);
  assert.equal(redactEnvValue("SOME_SETTING", TOKEN), REDACTED);
  assert.equal(redactEnvValue("CLUSTER_DOMAIN", "corp.local"), "corp.local");
  assert.equal(redactEnvValue("GF_DATABASE_PASSWORD", "$(DB_PASSWORD)"), "$(DB_PASSWORD)");
});

Deno.test("redactUrl() hides a URL that carries a credential, keeps a plain one", () => {
  assert.equal(
    redactUrl("https://auth.example.com/oauth2/auth"),
    "https://auth.example.com/oauth2/auth",
  );
  assert.equal(redactUrl(`https://auth.example.com/check?token=${TOKEN}`), REDACTED);
  assert.equal(redactUrl("https://user:pw@auth.example.com/"), REDACTED);
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

Deno.test("redactIniText() replaces only a credential's value and keeps every other line", () => {
  const text = "[security]\n  admin_password = hunter2  \n;password = x\nadmin_user = admin\n" +
    "[database]\npassword = $__env{GF_DATABASE_PASSWORD}\n";
  assert.equal(
    redactIniText(text),
    "[security]\n  admin_password = (redacted)\n;password = x\nadmin_user = admin\n" +
      "[database]\npassword = $__env{GF_DATABASE_PASSWORD}\n",
  );
});

Deno.test("redactManifest() hides env values, URL annotations and ConfigMap files that hold a credential", () => {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "grafana",
      annotations: {
        "example.com/hook": `https://hooks.example.com/x?token=${TOKEN}`,
        "example.com/docs": "https://docs.example.com/grafana",
        "checksum/config": "0123456789abcdef0123456789abcdef",
      },
    },
    spec: {
      template: {
        spec: {
          containers: [{
            name: "grafana",
            env: [
              { name: "GF_SECURITY_ADMIN_PASSWORD", value: "hunter2" },
              { name: "GF_SERVER_DOMAIN", value: "grafana.example.com" },
              {
                name: "GF_DATABASE_PASSWORD",
                valueFrom: { secretKeyRef: { name: "db", key: "pw" } },
              },
            ],
          }],
        },
      },
    },
  };
  const shown = redactManifest(deployment) as typeof deployment;
  assert.deepEqual(shown.spec.template.spec.containers[0]?.env, [
    { name: "GF_SECURITY_ADMIN_PASSWORD", value: REDACTED },
    { name: "GF_SERVER_DOMAIN", value: "grafana.example.com" },
    { name: "GF_DATABASE_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } },
  ]);
  assert.deepEqual(shown.metadata.annotations, {
    "example.com/hook": REDACTED,
    "example.com/docs": "https://docs.example.com/grafana",
    "checksum/config": "0123456789abcdef0123456789abcdef",
  });
  assert.equal(deployment.spec.template.spec.containers[0]?.env[0]?.value, "hunter2", "a copy");

  const datasources =
    "# provisioning\napiVersion: 1\ndatasources:\n  - name: Thanos\n    url: http://thanos-query:10902\n";
  const leaky = "datasources:\n  - name: x\n    secureJsonData:\n      httpHeaderValue1: hunter2\n";
  const cm = redactManifest({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "grafana-config" },
    data: {
      "grafana.ini": "[security]\nadmin_password = hunter2\n",
      "datasources.yaml": datasources,
      "leaky.yaml": leaky,
      "dashboard.json": '{"uid": "hunter2"}',
    },
  });
  assert.deepEqual(cm.data, {
    "grafana.ini": "[security]\nadmin_password = (redacted)\n",
    "datasources.yaml": datasources,
    "leaky.yaml":
      "datasources:\n  - name: x\n    secureJsonData:\n      httpHeaderValue1: (redacted)\n",
    "dashboard.json": '{"uid": "hunter2"}',
  });
});
