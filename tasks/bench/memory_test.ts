import assert from "node:assert/strict";
import {
  memoryByCommand,
  parseKb,
  parseStat,
  type ProcessInfo,
  processTree,
  readProcesses,
} from "./memory.ts";

Deno.test("parseStat() reads pid, parent and a command with spaces and parentheses", () => {
  assert.deepEqual(parseStat("4242 (my (odd) cmd) S 17 4242 4242 0 -1 4194560 300"), {
    pid: 4242,
    ppid: 17,
    command: "my (odd) cmd",
  });
});

Deno.test("parseKb() reads a field in bytes, 0 without it", () => {
  const status = "Name:\tetcd\nVmPeak:\t  900 kB\nVmRSS:\t   1500 kB\nThreads: 9\n";
  assert.equal(parseKb(status, "VmRSS"), 1536000);
  assert.equal(parseKb("Name:\tkthreadd\nThreads:\t1\n", "VmRSS"), 0);
  assert.equal(parseKb("Rss:     2000 kB\nPss:      700 kB\nPss_Anon: 100 kB\n", "Pss"), 716800);
});

const procs: ProcessInfo[] = [
  { pid: 1, ppid: 0, command: "init", rssBytes: 10, pssBytes: 5 },
  { pid: 10, ppid: 1, command: "deno", rssBytes: 100, pssBytes: 50 },
  { pid: 11, ppid: 10, command: "etcd", rssBytes: 50, pssBytes: 25 },
  { pid: 12, ppid: 10, command: "sh", rssBytes: 1, pssBytes: 0 },
  { pid: 13, ppid: 12, command: "prometheus", rssBytes: 70, pssBytes: 35 },
  { pid: 14, ppid: 10, command: "sh", rssBytes: 1, pssBytes: 0 },
  { pid: 15, ppid: 14, command: "prometheus", rssBytes: 80, pssBytes: 40 },
  { pid: 20, ppid: 1, command: "other", rssBytes: 999, pssBytes: 499 },
];

Deno.test("processTree() takes the root and every descendant, nothing else", () => {
  assert.deepEqual(processTree(procs, 10).map((p) => p.pid).sort((a, b) => a - b), [
    10,
    11,
    12,
    13,
    14,
    15,
  ]);
  assert.deepEqual(processTree(procs, 99), []);
});

Deno.test("memoryByCommand() sums by command, largest first", () => {
  assert.deepEqual(memoryByCommand(processTree(procs, 10)), [
    { command: "prometheus", count: 2, rssBytes: 150, pssBytes: 75 },
    { command: "deno", count: 1, rssBytes: 100, pssBytes: 50 },
    { command: "etcd", count: 1, rssBytes: 50, pssBytes: 25 },
    { command: "sh", count: 2, rssBytes: 2, pssBytes: 0 },
  ]);
});

Deno.test("readProcesses() finds this process with its memory", () => {
  const me = readProcesses().find((p) => p.pid === Deno.pid);
  assert.ok(me, "this process");
  assert.ok(me.rssBytes > 0);
  assert.ok(me.pssBytes > 0 && me.pssBytes <= me.rssBytes);
});
