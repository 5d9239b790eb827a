import assert from "node:assert/strict";
import {
  Duration,
  DurationOrZero,
  formatBytes,
  formatDuration,
  parseDuration,
  parsePromqlDuration,
  parseQuantity,
  parseSize,
  Quantity,
} from "./units.ts";

Deno.test("parseDuration() reads every Prometheus unit, largest first, in milliseconds", () => {
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("10d"), 864_000_000);
  assert.equal(parseDuration("1y2w"), (365 + 14) * 86_400_000);
  assert.equal(parseDuration("1s500ms"), 1500);
  assert.equal(parseDuration("70m"), parseDuration("1h10m"));
  assert.equal(parseDuration("0s"), 0);
  assert.equal(parseDuration("0"), 0);
  for (const bad of ["30m1h", "10 days", "", "90", "1.5h", "5 m", "soon"]) {
    assert.ok(Number.isNaN(parseDuration(bad)), bad);
  }
});

Deno.test("parsePromqlDuration() also reads a number of seconds, as PromQL does", () => {
  assert.equal(parsePromqlDuration("90"), 90_000);
  assert.equal(parsePromqlDuration("1.5"), 1500);
  assert.equal(parsePromqlDuration("500ms"), 500);
  assert.equal(parsePromqlDuration("1h30m"), 5_400_000);
  assert.ok(Number.isNaN(parsePromqlDuration("$window")));
});

Deno.test("formatDuration() writes milliseconds back as parseDuration() reads them", () => {
  assert.equal(formatDuration(120_000), "2m");
  assert.equal(formatDuration(5_400_000), "1h30m");
  assert.equal(formatDuration(90_500), "1m30s500ms");
  assert.equal(formatDuration(0), "0s");
  for (const ms of [1, 59_999, 86_400_000 + 1000, 7 * 86_400_000]) {
    assert.equal(parseDuration(formatDuration(ms)), ms);
  }
});

Deno.test("Duration accepts only durations longer than 0; DurationOrZero also 0", () => {
  assert.equal(Duration.safeParse("30s").success, true);
  assert.deepEqual(Duration.safeParse("0s").error?.issues.map((i) => i.message), [
    "a duration longer than 0",
  ]);
  assert.deepEqual(Duration.safeParse("30 s").error?.issues.map((i) => i.message), [
    "a Prometheus duration such as 30s, 10d or 1h30m (units y w d h m s ms)",
  ]);
  assert.equal(DurationOrZero.safeParse("0s").success, true);
  assert.equal(Duration.safeParse("0").success, false);
  assert.equal(DurationOrZero.safeParse("").success, false);
});

Deno.test("parseSize() reads Prometheus sizes in base 2", () => {
  assert.equal(parseSize("0"), 0);
  assert.equal(parseSize("512MB"), 512 * 2 ** 20);
  assert.equal(parseSize("40GB"), 40 * 2 ** 30);
  assert.ok(Number.isNaN(parseSize("40Gi")));
  assert.ok(Number.isNaN(parseSize("40")));
  assert.ok(Number.isNaN(parseSize("040GB")));
});

Deno.test("parseQuantity() reads binary, decimal and milli Kubernetes suffixes", () => {
  assert.equal(parseQuantity("50Gi"), 50 * 2 ** 30);
  assert.equal(parseQuantity("500M"), 500e6);
  assert.equal(parseQuantity("1.5Ti"), 1.5 * 2 ** 40);
  assert.equal(parseQuantity("500m"), 0.5);
  assert.equal(parseQuantity("2"), 2);
  assert.equal(parseQuantity("1e3"), 1000);
  assert.equal(parseQuantity(4), 4);
  assert.ok(Number.isNaN(parseQuantity("50GB")));
  assert.ok(Number.isNaN(parseQuantity("x")));
});

Deno.test("Quantity accepts whole-byte volume sizes larger than 0", () => {
  assert.equal(Quantity.safeParse("50Gi").success, true);
  assert.equal(Quantity.safeParse("500m").success, false);
  assert.equal(Quantity.safeParse("0Gi").success, false);
});

Deno.test("formatBytes() writes GiB or MiB with at most two decimals", () => {
  assert.equal(formatBytes(40 * 2 ** 30), "40 GiB");
  assert.equal(formatBytes(2.5 * 2 ** 30), "2.5 GiB");
  assert.equal(formatBytes(3 * 2 ** 20, "MiB"), "3 MiB");
});
