import assert from "node:assert/strict";
import { parseIni, renderIni } from "./ini.ts";

Deno.test("parseIni() reads sections and keys and skips comments", () => {
  assert.deepEqual(
    parseIni(
      "; comment\ntop = 1\n[server]\nhttp_port = 3000\n# other\n[auth.anonymous]\nenabled=false\n",
    ),
    { "": { top: "1" }, server: { http_port: "3000" }, "auth.anonymous": { enabled: "false" } },
  );
});

Deno.test("parseIni() refuses a line that is neither a section nor a key", () => {
  assert.throws(() => parseIni("[server]\nhttp_port\n"), {
    message: 'ini: expected "key = value" or "[section]", found "http_port"',
  });
});

Deno.test("renderIni() sorts sections and keys", () => {
  assert.equal(
    renderIni({ users: { b: true, a: 1 }, analytics: { reporting_enabled: false } }),
    "[analytics]\nreporting_enabled = false\n\n[users]\na = 1\nb = true\n",
  );
});
