import assert from "node:assert/strict";
import { corefile } from "./addons.ts";

Deno.test("corefile() never caches the cluster domain's answers, as kubeadm's does not", () => {
  const text = corefile("example.local");
  assert.match(text, /kubernetes example\.local in-addr\.arpa ip6\.arpa \{/);
  assert.match(
    text,
    /cache 30 \{\n\s+disable success example\.local\n\s+disable denial example\.local\n\s+\}/,
  );
});
