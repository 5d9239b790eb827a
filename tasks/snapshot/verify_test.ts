import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { linkTree, parseTsdbList, seriesKey } from "./verify.ts";

Deno.test("parseTsdbList() reads each block line of promtool tsdb list", () => {
  const out =
    "BLOCK ULID                  MIN TIME       MAX TIME       DURATION     NUM SAMPLES  NUM CHUNKS   NUM SERIES   SIZE\n" +
    "01M88FEPKDHZTBC7WNX19CSVGG  1795580975620  1795580975621  1ms          638          638          638          91609\n" +
    "01M88FF00000000000000000AA  1795580975622  1795580985622  10s          1276         640          640          120000\n";
  assert.deepEqual(parseTsdbList(out), [
    {
      ulid: "01M88FEPKDHZTBC7WNX19CSVGG",
      minTime: 1795580975620,
      maxTime: 1795580975621,
      samples: 638,
      chunks: 638,
      series: 638,
      sizeBytes: 91609,
    },
    {
      ulid: "01M88FF00000000000000000AA",
      minTime: 1795580975622,
      maxTime: 1795580985622,
      samples: 1276,
      chunks: 640,
      series: 640,
      sizeBytes: 120000,
    },
  ]);
});

Deno.test("parseTsdbList() refuses output that is not a block list", () => {
  assert.throws(
    () => parseTsdbList("error: no such directory\n"),
    new Error('promtool tsdb list: expected a "BLOCK ULID" header, found error: no such directory'),
  );
  assert.throws(
    () => parseTsdbList("BLOCK ULID  MIN TIME\nX 1 2 1ms a b c d\n"),
    new Error('promtool tsdb list: cannot read the block line "X 1 2 1ms a b c d"'),
  );
});

Deno.test("seriesKey() sorts labels with __name__ first", () => {
  assert.equal(
    seriesKey({ job: "a", __name__: "up", instance: "x:1" }),
    '{__name__="up", instance="x:1", job="a"}',
  );
});

Deno.test("linkTree() hard-links every file of a tree", () => {
  const tmp = mkdtempSync(join(tmpdir(), "linktree-"));
  try {
    mkdirSync(join(tmp, "src", "block", "chunks"), { recursive: true });
    writeFileSync(join(tmp, "src", "block", "meta.json"), "{}");
    writeFileSync(join(tmp, "src", "block", "chunks", "000001"), "data");
    linkTree(join(tmp, "src"), join(tmp, "dst"));
    assert.equal(readFileSync(join(tmp, "dst", "block", "chunks", "000001"), "utf8"), "data");
    assert.equal(statSync(join(tmp, "src", "block", "meta.json")).nlink, 2);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
