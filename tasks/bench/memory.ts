/**
 * The memory of a tree of processes: every process below a root (the local cluster's control
 * plane, kube-proxy and every container are children of the Deno process that runs the node
 * agent), with its resident set size (RSS: shared pages count in every process that maps them)
 * and its proportional set size (PSS: shared pages split between them, so the sum is what the
 * tree takes), read from /proc. The parsing is pure; `readProcesses()` is the only I/O.
 */

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's short command name (`prometheus`, `kube-apiserver`). */
  command: string;
  rssBytes: number;
  pssBytes: number;
}

/** `pid`, `ppid` and the command of `/proc/<pid>/stat` (the command may hold spaces). Pure. */
export function parseStat(text: string): { pid: number; ppid: number; command: string } {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  const fields = text.slice(close + 2).split(" ");
  return {
    pid: Number(text.slice(0, open).trim()),
    ppid: Number(fields[1]),
    command: text.slice(open + 1, close),
  };
}

/**
 * A `Name:  123 kB` field of `/proc/<pid>/status` (`VmRSS`) or `smaps_rollup` (`Pss`), in bytes;
 * 0 when absent (kernel threads have no memory of their own). Pure.
 */
export function parseKb(text: string, field: string): number {
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text)?.[1];
  return kb === undefined ? 0 : Number(kb) * 1024;
}

/** Every process of this machine with its resident memory (those gone meanwhile are skipped). */
export function readProcesses(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const stat = parseStat(Deno.readTextFileSync(`/proc/${entry.name}/stat`));
      const rssBytes = parseKb(Deno.readTextFileSync(`/proc/${entry.name}/status`), "VmRSS");
      const rollup = `/proc/${entry.name}/smaps_rollup`;
      const pssBytes = parseKb(Deno.readTextFileSync(rollup), "Pss");
      out.push({ ...stat, rssBytes, pssBytes });
    } catch { /* exited while we read */ }
  }
  return out;
}

/** `root` and every process below it. Pure. */
export function processTree(processes: readonly ProcessInfo[], root: number): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p]);
  const out = processes.filter((p) => p.pid === root);
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]!.pid) ?? []));
  return out;
}

/** Resident memory by command, largest first. Pure. */
export function memoryByCommand(
  processes: readonly ProcessInfo[],
): { command: string; count: number; rssBytes: number; pssBytes: number }[] {
  const by = new Map<
    string,
    { command: string; count: number; rssBytes: number; pssBytes: number }
  >();
  for (const p of processes) {
    const row = by.get(p.command) ?? { command: p.command, count: 0, rssBytes: 0, pssBytes: 0 };
    row.count++;
    row.rssBytes += p.rssBytes;
    row.pssBytes += p.pssBytes;
    by.set(p.command, row);
  }
  return [...by.values()].sort((a, b) => b.rssBytes - a.rssBytes);
}
