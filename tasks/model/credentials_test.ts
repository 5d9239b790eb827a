import { deepEqual as assertEquals } from "node:assert/strict";
import {
  envCredential,
  iniCredential,
  iniCredentialFindings,
  inlineCredential,
  looksLikeToken,
  urlCarriesSecret,
  yamlCredentialFindings,
} from "./credentials.ts";

const am = `spec:
  notification:
    config:
      receivers:
        - name: chat
          slack_configs:
            - api_url: https://hooks.slack.com/services/T0/B0/XXXX
        - name: pager
          pagerduty_configs:
            - routing_key: abc123
            - service_key_file: /etc/alertmanager/secrets/alertmanager-receivers/key
        - name: hook
          webhook_configs:
            - url: https://hooks.example.com/alert?token=abc
            - url: http://relay.monitoring.svc:8080/alert
              http_config:
                authorization:
                  credentials: s3cr3t
                basic_auth:
                  password: pw
`;

Deno.test("yamlCredentialFindings() finds inline secrets and leaves *_file forms alone", () => {
  const found = yamlCredentialFindings(
    { path: "clusters/x/alertmanager.yaml", text: am },
    "alertmanager",
  );
  assertEquals(found.map((f) => [f.line, f.column, f.field]), [
    [7, 15, "spec.notification.config.receivers[0].slack_configs[0].api_url"],
    [10, 15, "spec.notification.config.receivers[1].pagerduty_configs[0].routing_key"],
    [14, 15, "spec.notification.config.receivers[2].webhook_configs[0].url"],
    [
      18,
      19,
      "spec.notification.config.receivers[2].webhook_configs[1].http_config.authorization.credentials",
    ],
    [
      20,
      19,
      "spec.notification.config.receivers[2].webhook_configs[1].http_config.basic_auth.password",
    ],
  ]);
  assertEquals(
    found[1]?.message,
    "expected no inline credential (use routing_key_file pointing at a file under " +
      "/etc/alertmanager/secrets/alertmanager-receivers/), found routing_key with an inline value",
  );
  assertEquals(found[2]?.message.endsWith("found url with a query parameter token"), true);
});

Deno.test("yamlCredentialFindings() accepts Grafana's $__file and $__env references", () => {
  const text = `spec:
  config:
    grafana.ini:
      security:
        admin_password: $__file{/etc/secrets/admin}
      smtp:
        password: hunter2
`;
  assertEquals(
    yamlCredentialFindings({ path: "g.yaml", text }, "grafana").map((f) => [f.line, f.message]),
    [[
      7,
      "expected no inline credential (use $__file{/path/to/mounted/secret} or $__env{VAR} " +
      "instead), found password with an inline value",
    ]],
  );
});

Deno.test("iniCredentialFindings() finds inline secrets in grafana.ini", () => {
  const text = "[security]\nadmin_user = admin\nadmin_password = admin\n;password = x\n";
  assertEquals(
    iniCredentialFindings({ path: "base/grafana/grafana.ini", text }).map((f) => [
      f.line,
      f.field,
    ]),
    [[3, "security.admin_password"]],
  );
});

Deno.test("urlCarriesSecret() tells webhook tokens from plain endpoints", () => {
  assertEquals(urlCarriesSecret("https://api.opsgenie.com/"), null);
  assertEquals(urlCarriesSecret("https://u:p@example.com/"), "a password in the URL");
  assertEquals(
    urlCarriesSecret("https://example.com/hooks/a1b2c3d4e5f6a7b8c9d0e1f2"),
    "a token in the URL's path",
  );
});

Deno.test("inlineCredential() names a secret key, a webhook URL or a URL with a token, and no reference", () => {
  assertEquals(
    inlineCredential("routing_key", "abc", "pagerduty_configs"),
    "routing_key with an inline value",
  );
  assertEquals(inlineCredential("routing_key", "$__file{/run/key}", ""), null);
  assertEquals(
    inlineCredential("anything", "x", "secureJsonData"),
    "anything with an inline value",
  );
  assertEquals(
    inlineCredential("api_url", "https://hooks.example.com/x", "slack_configs"),
    "api_url with an inline webhook URL",
  );
  assertEquals(inlineCredential("api_url", "https://api.example.com/", "opsgenie_configs"), null);
  assertEquals(
    inlineCredential("url", "https://x.example.com/?token=abc", ""),
    "url with a query parameter token",
  );
  assertEquals(inlineCredential("channel", "#ops", "slack_configs"), null);
});

Deno.test("iniCredential() and envCredential() name secrets by key, leave references and plain values", () => {
  assertEquals(iniCredential("admin_password", '"hunter2"'), "admin_password with an inline value");
  assertEquals(iniCredential("admin_password", "$__file{/etc/secrets/pw}"), null);
  assertEquals(iniCredential("domain", "grafana.example.com"), null);
  assertEquals(
    envCredential("GF_SECURITY_ADMIN_PASSWORD", "hunter2"),
    "GF_SECURITY_ADMIN_PASSWORD with an inline value",
  );
  assertEquals(envCredential("GF_DATABASE_PASSWORD", "$(DB_PASSWORD)"), null);
  assertEquals(envCredential("DB_API_KEY", "k3y"), "DB_API_KEY with an inline value");
  assertEquals(envCredential("API_TOKEN", "${TOKEN}"), null);
  assertEquals(envCredential("CLUSTER_DOMAIN", "cluster.local"), null);
  assertEquals(envCredential("PASSWORDLESS", "yes"), null);
  assertEquals(
    envCredential("RELAY", "https://u:pw@relay.example.com/"),
    "RELAY with a password in the URL",
  );
});

Deno.test("looksLikeToken() tells long mixed letters and digits from names and words", () => {
  assertEquals(looksLikeToken("T0123456789abcdefXYZ0"), true);
  assertEquals(looksLikeToken("prometheus-operator-config-reloader"), false);
  assertEquals(looksLikeToken("abc123"), false);
});
