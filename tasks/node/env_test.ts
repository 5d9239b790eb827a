import assert from "node:assert/strict";
import { containerEnv } from "./env.ts";
import type { Pod } from "../render/objects.ts";

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p-0", namespace: "monitoring", uid: "u1", labels: { app: "x" } },
  spec: { nodeName: "n1", containers: [] },
};
const src = {
  pod,
  podIP: "198.18.0.9",
  hostIP: "198.18.0.2",
  configMaps: new Map([["cm", { level: "debug" }]]),
  secrets: new Map([["s", { token: "t0k" }]]),
  nodeCpu: 2,
  nodeMemory: 2 ** 30,
};

Deno.test("containerEnv() resolves values, field and resource references, keys and envFrom", () => {
  const env = containerEnv({
    name: "c",
    image: "i",
    resources: { limits: { memory: "256Mi" }, requests: { cpu: "100m" } },
    envFrom: [{ configMapRef: { name: "cm" }, prefix: "CM_" }],
    env: [
      { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
      { name: "APP", valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
      { name: "IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      {
        name: "MEM",
        valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } },
      },
      { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu" } } },
      { name: "TOKEN", valueFrom: { secretKeyRef: { name: "s", key: "token" } } },
      { name: "URL", value: "http://$(IP):9090/$$(IP)" },
    ],
  }, src);
  assert.deepEqual(Object.fromEntries(env), {
    CM_level: "debug",
    POD: "p-0",
    APP: "x",
    IP: "198.18.0.9",
    MEM: "256",
    CPU: "2",
    TOKEN: "t0k",
    URL: "http://198.18.0.9:9090/$(IP)",
  });
});

Deno.test("containerEnv() names a missing key, unless the reference is optional", () => {
  const ref = (optional: boolean) => ({
    name: "c",
    image: "i",
    env: [{ name: "X", valueFrom: { configMapKeyRef: { name: "cm", key: "nope", optional } } }],
  });
  assert.throws(() => containerEnv(ref(false), src), /couldn't find key nope in configmap cm/);
  assert.equal(containerEnv(ref(true), src).has("X"), false);
});
