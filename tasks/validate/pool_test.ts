import { deepEqual as assertEquals } from "node:assert/strict";
import { Pool } from "./pool.ts";

Deno.test("Pool.map() never runs more than its size at once and keeps the order", async () => {
  const pool = new Pool(2);
  let running = 0;
  let peak = 0;
  const out = await pool.map([5, 1, 4, 2, 3], async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, n));
    running--;
    return n * 10;
  });
  assertEquals(out, [50, 10, 40, 20, 30]);
  assertEquals(peak, 2);
});
