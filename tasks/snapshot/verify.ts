/**
 * Proves a copied snapshot is usable: `promtool tsdb list` reads its blocks, and a Prometheus
 * started on a hard-linked copy of it answers a query with what the replica answered when the
 * snapshot was taken. The copy keeps the snapshot itself untouched (Prometheus writes a WAL and a
 * lock file into its data directory, and block files are never rewritten in place).
 */
import {
  copyFileSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { toolPath } from "../model/paths.ts";
import { runOk } from "../proc/run.ts";
import { freePort, httpUrl } from "../stack/ports.ts";
import { httpReady, Supervisor } from "../stack/process.ts";
import { fetchHttp, ThanosQuery } from "../testqueries/client.ts";

/** One block of a TSDB, as `promtool tsdb list` prints it (times in ms since the epoch). */
export interface TsdbBlock {
  ulid: string;
  minTime: number;
  maxTime: number;
  samples: number;
  chunks: number;
  series: number;
  sizeBytes: number;
}

/** Parses `promtool tsdb list` (not `-r`): a header line, then one line per block. */
export function parseTsdbList(stdout: string): TsdbBlock[] {
  const lines = stdout.split("\n").filter((l) => l.trim() !== "");
  const header = lines.shift();
  if (!header?.startsWith("BLOCK ULID")) {
    throw new Error(
      `promtool tsdb list: expected a "BLOCK ULID" header, found ${header ?? "nothing"}`,
    );
  }
  return lines.map((line) => {
    const [ulid, minTime, maxTime, _duration, samples, chunks, series, size] = line.trim().split(
      /\s+/,
    );
    const n = (s: string | undefined) => {
      const v = Number(s);
      if (s === undefined || !Number.isFinite(v)) {
        throw new Error(`promtool tsdb list: cannot read the block line "${line}"`);
      }
      return v;
    };
    return {
      ulid: ulid ?? "",
      minTime: n(minTime),
      maxTime: n(maxTime),
      samples: n(samples),
      chunks: n(chunks),
      series: n(series),
      sizeBytes: n(size),
    };
  });
}

/** The blocks of a TSDB directory, read by the pinned promtool. */
export async function listBlocks(dir: string): Promise<TsdbBlock[]> {
  return parseTsdbList(await runOk(toolPath("promtool"), ["tsdb", "list", dir]));
}

/** Copies a tree by hard links (a plain copy across filesystems). */
export function linkTree(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true });
  for (const e of readdirSync(src, { withFileTypes: true })) {
    const from = join(src, e.name);
    const to = join(dst, e.name);
    if (e.isDirectory()) linkTree(from, to);
    else {
      try {
        linkSync(from, to);
      } catch (err) {
        if ((err as { code?: string }).code !== "EXDEV") throw err;
        copyFileSync(from, to);
      }
    }
  }
}

/** What the replica answered at snapshot time, which the copy must answer too. */
export interface Expectation {
  expr: string;
  /** Seconds since the epoch. */
  time: number;
  /** The result's series, each as its sorted label set: `{instance="…", job="…"}`. */
  series: string[];
}

export interface Verification {
  blocks: TsdbBlock[];
  /** The series the copy returned for the expectation's query. */
  series: string[];
}

/** `{a="1", b="2"}` with sorted names, `__name__` first: comparable across servers. */
export function seriesKey(metric: Record<string, string>): string {
  const names = Object.keys(metric).sort((a, b) =>
    a === "__name__" ? -1 : b === "__name__" ? 1 : a < b ? -1 : a > b ? 1 : 0
  );
  return `{${names.map((k) => `${k}=${JSON.stringify(metric[k])}`).join(", ")}}`;
}

/** The series of an instant query, as sorted label sets. */
export async function querySeries(url: string, expr: string, time: number): Promise<string[]> {
  const r = await new ThanosQuery(fetchHttp(), url).query(expr, { dedup: false, time });
  return r.result.map((s) => seriesKey(s.metric)).sort();
}

/**
 * Lists the blocks of `dir`, starts a Prometheus on a hard-linked copy of it (no scrape job, no
 * rule, no compaction, 127.0.0.1 only) and runs the expectation's query. Throws when the copy
 * has no block or does not return exactly the expected series.
 */
export async function verifySnapshot(
  dir: string,
  expect: Expectation,
  readyTimeoutMs = 60_000,
): Promise<Verification> {
  const tmp = mkdtempSync(join(tmpdir(), "snapshot-verify-"));
  const supervisor = new Supervisor({ logDir: tmp, lifetimeMs: readyTimeoutMs + 60_000 });
  try {
    const copy = join(tmp, "data");
    linkTree(dir, copy);
    const blocks = await listBlocks(copy);
    if (blocks.length === 0) throw new Error(`${dir}: the snapshot has no block`);
    const config = join(tmp, "prometheus.yaml");
    writeFileSync(config, "# verifies a snapshot: no scrape job, no rule\nglobal: {}\n");
    const port = freePort();
    await supervisor.start({
      name: "prometheus-verify",
      cmd: toolPath("prometheus"),
      args: [
        `--config.file=${config}`,
        `--storage.tsdb.path=${copy}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Keep every block, and never compact the copied ones together.
        "--storage.tsdb.retention.time=10y",
        "--storage.tsdb.min-block-duration=2h",
        "--storage.tsdb.max-block-duration=2h",
      ],
      ready: httpReady(`${httpUrl(port)}/-/ready`),
    });
    await supervisor.waitReady(readyTimeoutMs);
    const series = await querySeries(httpUrl(port), expect.expr, expect.time);
    const missing = expect.series.filter((s) => !series.includes(s));
    const extra = series.filter((s) => !expect.series.includes(s));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(
        `${dir}: a Prometheus on a copy of the snapshot answers ${expect.expr} at ${expect.time} ` +
          `with ${series.length} series, the replica answered ${expect.series.length}` +
          (missing.length > 0 ? `; missing ${missing.slice(0, 3).join(" ")}` : "") +
          (extra.length > 0 ? `; unexpected ${extra.slice(0, 3).join(" ")}` : ""),
      );
    }
    return { blocks, series };
  } finally {
    await supervisor.stopAll();
    rmSync(tmp, { recursive: true, force: true });
  }
}
