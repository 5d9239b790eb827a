import assert from "node:assert/strict";
import { cidrContains, formatIpv4, gatewayOf, nextFreeIp, parseCidr, parseIpv4 } from "./ipv4.ts";

Deno.test("parseIpv4() and formatIpv4() round-trip and reject what is not an address", () => {
  assert.equal(formatIpv4(parseIpv4("198.18.255.254")), "198.18.255.254");
  assert.equal(parseIpv4("0.0.0.1"), 1);
  for (const bad of ["198.18.0", "198.18.0.256", "198.18.0.01", "a.b.c.d", "1.2.3.4.5", ""]) {
    assert.throws(() => parseIpv4(bad), { message: `not an IPv4 address: ${JSON.stringify(bad)}` });
  }
});

Deno.test("parseCidr() refuses host bits and bad prefix lengths", () => {
  assert.deepEqual(parseCidr("198.18.0.0/16"), {
    network: parseIpv4("198.18.0.0"),
    prefixLength: 16,
  });
  assert.throws(
    () => parseCidr("198.18.0.1/16"),
    { message: "198.18.0.1/16 has host bits set; the network is 198.18.0.0/16" },
  );
  assert.throws(() => parseCidr("198.18.0.0/33"), { message: 'not an IPv4 CIDR: "198.18.0.0/33"' });
  assert.throws(() => parseCidr("198.18.0.0"), { message: 'not an IPv4 CIDR: "198.18.0.0"' });
});

Deno.test("cidrContains() tells the pod CIDR from the Service CIDR", () => {
  const pods = parseCidr("198.18.0.0/16");
  assert.ok(cidrContains(pods, parseIpv4("198.18.200.3")));
  assert.ok(!cidrContains(pods, parseIpv4("198.19.0.1")));
  assert.ok(cidrContains(parseCidr("198.18.0.0/15"), parseIpv4("198.19.0.1")));
});

Deno.test("gatewayOf() is the first host address", () => {
  assert.equal(gatewayOf("198.18.0.0/16"), "198.18.0.1");
  assert.equal(gatewayOf("198.19.255.0/24"), "198.19.255.1");
  assert.throws(() => gatewayOf("198.18.0.0/31"), {
    message: "198.18.0.0/31 is too small for a gateway and pods",
  });
});

Deno.test("nextFreeIp() skips the network, the gateway and addresses in use", () => {
  assert.equal(nextFreeIp("198.18.0.0/16", []), "198.18.0.2");
  assert.equal(nextFreeIp("198.18.0.0/16", ["198.18.0.2", "198.18.0.4"]), "198.18.0.3");
  assert.equal(nextFreeIp("198.18.0.0/16", ["198.18.0.2", "198.18.0.3"]), "198.18.0.4");
  // Crosses a byte boundary.
  const used = Array.from({ length: 254 }, (_, i) => `198.18.0.${i + 2}`);
  assert.equal(nextFreeIp("198.18.0.0/16", used), "198.18.1.0");
});

Deno.test("nextFreeIp() never hands out the broadcast address and says when the CIDR is full", () => {
  assert.equal(nextFreeIp("198.19.255.0/30", []), "198.19.255.2");
  assert.throws(
    () => nextFreeIp("198.19.255.0/30", ["198.19.255.2"]),
    { message: "no free address left in 198.19.255.0/30 (1 in use)" },
  );
});
