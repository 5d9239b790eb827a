/**
 * Durations and sizes, read and written in one place. One convention: a duration is a number of
 * milliseconds, a size a number of bytes; a text that is not one reads as NaN.
 *
 * - Prometheus durations (`1h30m`, `10d`, `0s`): units largest first, as Prometheus' own parser
 *   insists; in PromQL a plain number is a duration in seconds too (`[300]`).
 * - Prometheus sizes (`--storage.tsdb.retention.size`: `512MB`, `40GB`): base 2, as Prometheus
 *   reads them.
 * - Kubernetes quantities (`50Gi`, `500M`, `250m` of a CPU): binary and decimal suffixes.
 */
import { z } from "zod";

const DURATION_UNITS_MS = {
  y: 365 * 24 * 3600_000,
  w: 7 * 24 * 3600_000,
  d: 24 * 3600_000,
  h: 3600_000,
  m: 60_000,
  s: 1000,
  ms: 1,
} as const;
type DurationUnit = keyof typeof DURATION_UNITS_MS;

const DURATION_RE = /^(?=\d)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;

/** Milliseconds in a Prometheus duration (`1h30m` → 5400000, `0` → 0); NaN when it is not one. */
export function parseDuration(s: string): number {
  if (s === "0") return 0;
  if (!DURATION_RE.test(s)) return NaN;
  let ms = 0;
  for (const m of s.matchAll(/(\d+)(ms|y|w|d|h|m|s)/g)) {
    ms += Number(m[1]) * DURATION_UNITS_MS[m[2] as DurationUnit];
  }
  return ms;
}

/**
 * Milliseconds in a duration as PromQL reads it inside `[…]` or after `offset`: a Prometheus
 * duration or a number of seconds (`300`, `1.5`); NaN when it is neither.
 */
export function parsePromqlDuration(s: string): number {
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  return parseDuration(s);
}

/** A Prometheus duration of milliseconds, largest units first: `120000` → `2m`, `0` → `0s`. */
export function formatDuration(ms: number): string {
  let rest = Math.round(ms);
  let out = "";
  for (const unit of ["d", "h", "m", "s", "ms"] as const) {
    const size = DURATION_UNITS_MS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out || "0s";
}

/** Marks a refinement's message as the expected value, so errors say "expected …, found …". */
export function expected(description: string) {
  return { error: description, params: { expected: true } };
}

/** A Prometheus duration longer than 0 (`30s`, `10d`, `1h30m`). */
export const Duration = z
  .string()
  .regex(DURATION_RE, "a Prometheus duration such as 30s, 10d or 1h30m (units y w d h m s ms)")
  .refine(
    (s) => !DURATION_RE.test(s) || parseDuration(s) > 0,
    expected("a duration longer than 0"),
  );

/** A Prometheus duration, 0 allowed (an alert with `for: 0s` fires at once). */
export const DurationOrZero = z
  .string()
  .regex(DURATION_RE, "a Prometheus duration such as 0s, 5m or 1h30m");

const SIZE_UNITS = {
  B: 1,
  KB: 2 ** 10,
  MB: 2 ** 20,
  GB: 2 ** 30,
  TB: 2 ** 40,
  PB: 2 ** 50,
  EB: 2 ** 60,
} as const;
const SIZE_RE = /^(0|[1-9]\d*(B|KB|MB|GB|TB|PB|EB))$/;

/** Bytes in a Prometheus size (`40GB` → 40·2³⁰, `0` → 0); NaN when it is not one. */
export function parseSize(s: string): number {
  const m = SIZE_RE.exec(s);
  if (!m) return NaN;
  return m[2] === undefined ? 0 : parseInt(s, 10) * SIZE_UNITS[m[2] as keyof typeof SIZE_UNITS];
}

/** A Prometheus size: `0` (off) or a whole number of B, KB, MB, GB, TB, PB or EB. */
export const Size = z.string().regex(SIZE_RE, "0 (off) or a size such as 512MB or 40GB");

const QUANTITY_SUFFIXES = {
  "": 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
} as const;
const QUANTITY_RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

/**
 * The number in a Kubernetes quantity (`50Gi` → 50·2³⁰ bytes, `500m` → 0.5 cores, `1e3`); a
 * number is taken as it is; NaN when it is not one.
 */
export function parseQuantity(q: string | number): number {
  if (typeof q === "number") return q;
  const m = QUANTITY_RE.exec(q.trim());
  if (!m) return NaN;
  const suffix = m[2] ?? "";
  if (/^[eE]/.test(suffix)) return Number(`${m[1]}${suffix}`);
  return Number(m[1]) * QUANTITY_SUFFIXES[suffix as keyof typeof QUANTITY_SUFFIXES];
}

/** A volume's size: a Kubernetes quantity of whole bytes (no milli- and smaller suffixes). */
const VOLUME_SIZE_RE = /^(\d+(\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;
export const Quantity = z
  .string()
  .regex(VOLUME_SIZE_RE, "a Kubernetes quantity such as 50Gi or 500Mi")
  .refine((s) => !VOLUME_SIZE_RE.test(s) || parseQuantity(s) > 0, expected("a size larger than 0"));

/** Bytes for people, in the unit Prometheus and Kubernetes sizes share: `2.5 GiB`, `512 MiB`. */
export function formatBytes(n: number, unit: "GiB" | "MiB" = "GiB"): string {
  const size = unit === "GiB" ? 2 ** 30 : 2 ** 20;
  return `${(n / size).toFixed(2).replace(/\.?0+$/, "")} ${unit}`;
}
