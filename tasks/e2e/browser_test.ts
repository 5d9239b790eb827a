/**
 * The Thanos Query UI of the local cluster, through its loopback forward, in Debian's headless
 * Chromium: the same query shows one row per replica without deduplication and one row, without
 * the replica label, with it. The screenshot of the deduplicated result goes where CI keeps
 * artifacts.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ARTIFACTS_DIR, OVERLAYS_DIR } from "../model/paths.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { startLocalCluster } from "../stack/local_cluster.ts";
import { stackFacts } from "../testqueries/stack_facts.ts";
import { Browser } from "./chromium.ts";
import { keepLogs, nodeExporterJob, seconds, thanosOf, waitFor } from "./helpers.ts";

export const SCREENSHOT = join(ARTIFACTS_DIR, "thanos-query.png");

/** What the UI's table panel shows: its "Result series" count and each row's text. */
interface TableView {
  series: number | undefined;
  rows: string[];
  dedupChecked: boolean | undefined;
}

const READ_TABLE = `(() => {
  const text = document.body.innerText;
  const m = /Result series: (\\d+)/.exec(text);
  const rows = [...document.querySelectorAll("table.data-table tbody tr")].map((r) => r.innerText);
  const dedup = [...document.querySelectorAll("input[type=checkbox]")]
    .find((i) => (i.labels?.[0]?.innerText ?? "").includes("Deduplication"));
  return { series: m ? Number(m[1]) : undefined, rows, dedupChecked: dedup?.checked };
})()`;

Deno.test("the Thanos Query UI shows the deduplicated result of both replicas", async () => {
  const t0 = performance.now();
  const objects = (await kustomizeBuild(join(OVERLAYS_DIR, "local"))).objects;
  const facts = stackFacts(objects);
  const replicas = facts.prometheus.replicaNames;
  const cluster = await startLocalCluster({ cluster: "local", objects, lifetimeMs: 600_000 });
  let ok = false;
  let browser: Browser | undefined;
  try {
    const R = facts.prometheus.replicaLabel;
    // node-exporter of the one node: one series per replica.
    const job = nodeExporterJob(objects);
    const expr = `up{job="${job}"}`;
    await waitFor("both replicas to have scraped node-exporter", 120_000, async () => {
      const r = await thanosOf(cluster).query(expr, { dedup: false });
      return r.result.length === replicas.length ? true : undefined;
    });
    browser = await Browser.launch();
    const page = browser;
    const open = async (dedup: boolean): Promise<TableView> => {
      const params = new URLSearchParams({
        "g0.expr": expr,
        "g0.tab": "1",
        "g0.deduplicate": dedup ? "1" : "0",
        "g0.partial_response": "0",
      });
      await page.goto(`${cluster.urls.thanosQuery}/graph?${params}`);
      return await waitFor(`the table of ${expr} (dedup=${dedup})`, 30_000, async () => {
        const view = await page.evaluate<TableView>(READ_TABLE);
        return view.series !== undefined && view.rows.length === view.series ? view : undefined;
      }, 250);
    };

    const raw = await open(false);
    assert.equal(raw.dedupChecked, false);
    assert.equal(raw.series, replicas.length);
    for (const replica of replicas) {
      assert.ok(raw.rows.some((r) => r.includes(`${R}="${replica}"`)), raw.rows.join("\n"));
    }

    const merged = await open(true);
    assert.equal(merged.dedupChecked, true);
    assert.equal(merged.series, 1);
    assert.equal(merged.rows.length, 1);
    assert.ok(!merged.rows[0]?.includes(R), merged.rows[0]);
    assert.ok(merged.rows[0]?.includes(`job="${job}"`));

    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    const png = await page.screenshot();
    writeFileSync(SCREENSHOT, png);
    assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    console.log(`screenshot: ${SCREENSHOT} (${png.length} bytes); rows: ${merged.rows[0]}`);
    ok = true;
  } finally {
    await browser?.close();
    if (!ok) console.log(`logs kept in ${keepLogs(cluster, "browser_test")}`);
    await cluster.close();
    console.log(`e2e browser_test.ts: ${seconds(performance.now() - t0)}`);
  }
});
