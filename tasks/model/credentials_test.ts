import { deepEqual as assertEquals } from "node:assert/strict";
import { iniCredentialFindings, urlCarriesSecret, yamlCredentialFindings } from "./credentials.ts";

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
