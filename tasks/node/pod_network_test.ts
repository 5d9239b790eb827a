import assert from "node:assert/strict";
import {
  bridgeMac,
  checkPodNetworkConfig,
  DEFAULT_POD_NETWORK,
  hostSideCommands,
  mountsUnder,
  netnsName,
  nftRuleset,
  type PodNetworkConfig,
  podNetworkSysctls,
  podSideCommands,
  vethName,
} from "./pod_network.ts";

const cfg: PodNetworkConfig = { ...DEFAULT_POD_NETWORK };

Deno.test("netnsName() keeps the pod readable and hashes only long keys", () => {
  assert.equal(netnsName(cfg, "monitoring/prometheus-k8s-0"), "hamon-monitoring_prometheus-k8s-0");
  const long = `monitoring/${"x".repeat(200)}`;
  const name = netnsName(cfg, long);
  assert.equal(name.length, 64);
  assert.match(name, /^hamon-monitoring_x+-[0-9a-f]{8}$/);
  assert.notEqual(name, netnsName(cfg, `${long}y`));
});

Deno.test("vethName() fits the kernel's 15 characters and differs per pod", () => {
  const a = vethName(cfg, "monitoring/prometheus-k8s-0");
  const b = vethName(cfg, "monitoring/prometheus-k8s-1");
  assert.match(a, /^hamon[0-9a-f]{8}$/);
  assert.ok(a.length <= 15);
  assert.notEqual(a, b);
  assert.equal(a, vethName(cfg, "monitoring/prometheus-k8s-0"));
});

Deno.test("checkPodNetworkConfig() names the field that is wrong", () => {
  const cases: [Partial<PodNetworkConfig>, string][] = [
    [{ prefix: "toolongname" }, 'pod network prefix "toolongname": must be 1-7 of [a-z0-9]'],
    [{ bridge: "Bridge!" }, 'pod network bridge "Bridge!": must be 1-15 of [a-z0-9-]'],
    [
      { bridge: "hamon0123abcd" },
      'pod network bridge "hamon0123abcd": looks like one of our veth names',
    ],
    [
      { podCidr: "198.18.0.1/16" },
      'pod network podCidr "198.18.0.1/16": 198.18.0.1/16 has host bits set; the network is 198.18.0.0/16',
    ],
    [{ podCidr: "198.18.0.0/31" }, 'pod network podCidr "198.18.0.0/31": is too small'],
    [{ stateDir: "run/hamon" }, 'pod network stateDir "run/hamon": must be an absolute path'],
  ];
  for (const [over, message] of cases) {
    assert.throws(() => checkPodNetworkConfig({ ...cfg, ...over }), { message });
  }
  checkPodNetworkConfig(cfg);
});

Deno.test("nftRuleset() forwards only from the bridge back onto it and drops the rest of our ranges", () => {
  const rules = nftRuleset(cfg).split("\n").filter((l) =>
    l.startsWith("add rule inet hamon forward")
  );
  assert.deepEqual(rules, [
    'add rule inet hamon forward iifname "hamon0" oifname "hamon0" accept',
    'add rule inet hamon forward iifname "hamon0" counter drop',
    'add rule inet hamon forward oifname "hamon0" counter drop',
    "add rule inet hamon forward iifgroup != 26721 ip daddr { 198.18.0.0/16, 198.19.0.0/16 } counter drop",
    "add rule inet hamon forward oifgroup != 26721 ip saddr { 198.18.0.0/16, 198.19.0.0/16 } counter drop",
  ]);
  assert.ok(
    nftRuleset(cfg).includes(
      'add rule inet hamon postrouting oifname != "lo" oifgroup != 26721 ip saddr { 198.18.0.0/16, 198.19.0.0/16 } counter drop',
    ),
  );
});

Deno.test("nftRuleset() translates only the gateway's exposed ports, to loopback, and nothing outward", () => {
  const text = nftRuleset(cfg);
  const nat = text.split("\n").filter((l) => /dnat ip to|dnat to|snat|masquerade|redirect/.test(l));
  assert.deepEqual(nat, [
    'add rule inet hamon prerouting iifname "hamon0" ip daddr 198.18.0.1 tcp dport @host_tcp_ports dnat ip to 127.0.0.1',
    'add rule inet hamon prerouting iifname "hamon0" ip daddr 198.18.0.1 udp dport @host_udp_ports dnat ip to 127.0.0.1',
  ]);
  // Pods reach the host only through those ports (route_localnet must not open all of 127/8).
  assert.ok(text.includes('add rule inet hamon input iifname "hamon0" ct status dnat accept'));
  assert.ok(text.includes(
    'add rule inet hamon input iifname "hamon0" counter reject with icmpx type admin-prohibited',
  ));
});

Deno.test("nftRuleset() declares its sets and chains so reloading keeps the exposed ports", () => {
  const text = nftRuleset(cfg);
  assert.ok(text.startsWith("table inet hamon {\n  set host_tcp_ports { type inet_service; }"));
  // No `delete table` and no `flush table`: either would drop the set elements.
  assert.ok(!/delete|flush table/.test(text));
  assert.equal(text.split("\n").filter((l) => l.startsWith("flush chain")).length, 4);
});

Deno.test("podNetworkSysctls() turns on forwarding, bridge conntrack and route_localnet on the bridge", () => {
  assert.deepEqual(podNetworkSysctls(cfg), {
    "net.ipv4.ip_forward": "1",
    "net.bridge.bridge-nf-call-iptables": "1",
    "net.ipv4.conf.hamon0.route_localnet": "1",
  });
});

Deno.test("hostSideCommands() and podSideCommands() plug the pod in with a Service route only", () => {
  const pod = "monitoring/grafana-0";
  const veth = vethName(cfg, pod);
  assert.deepEqual(hostSideCommands(cfg, pod), [
    "netns add hamon-monitoring_grafana-0",
    `link add ${veth} type veth peer name eth0 netns hamon-monitoring_grafana-0`,
    `link set ${veth} group 26721`,
    `link set ${veth} master hamon0`,
    `link set ${veth} type bridge_slave hairpin on`,
    `link set ${veth} up`,
  ]);
  assert.deepEqual(podSideCommands(cfg, "198.18.0.7"), [
    "link set lo up",
    "addr add 198.18.0.7/16 dev eth0",
    "link set eth0 up",
    "route add 198.19.0.0/16 via 198.18.0.1 dev eth0",
  ]);
});

Deno.test("bridgeMac() is a fixed, locally administered unicast address", () => {
  const mac = bridgeMac("hamon0");
  assert.match(mac, /^02(:[0-9a-f]{2}){5}$/);
  assert.equal(mac, bridgeMac("hamon0"));
  assert.notEqual(mac, bridgeMac("hamt0"));
});

Deno.test("mountsUnder() lists mount points under a folder, deepest first, unescaped", () => {
  const info = [
    "22 1 0:21 / / rw,relatime - ext4 /dev/vda rw",
    "90 22 0:50 / /run/hamon rw - tmpfs tmpfs rw",
    "91 90 0:51 / /run/hamon/pods/a\\040b rw - tmpfs tmpfs rw",
    "92 22 0:52 / /run/hamonx rw - tmpfs tmpfs rw",
    "",
  ].join("\n");
  assert.deepEqual(mountsUnder(info, "/run/hamon"), ["/run/hamon/pods/a b", "/run/hamon"]);
  assert.deepEqual(mountsUnder(info, "/srv"), []);
});
