/**
 * The tunable parameters of the default alerts (`PrometheusConfig.spec.rules`), in MetalK8s's
 * vocabulary: `<group>.<alert>.<severity>.<parameter>`. The rule templates in `base/rules/` refer
 * to them as `${node_exporter.node_filesystem_space_filling_up.warning.threshold}`.
 *
 * This schema is the one source: defaults (`RuleParams.parse({})`), ranges, the editors' JSON
 * Schema and the reference table (`RULE_PARAM_INDEX`) all come from it.
 */
import { z } from "zod";

const percent = (d: number, what: string) =>
  z.number().min(0).max(100).default(d).describe(`${what} (percent, 0-100).`);
const ratio = (d: number, what: string) =>
  z.number().min(0).max(1).default(d).describe(`${what} (ratio, 0-1).`);
const hours = (d: number, what: string) =>
  z.int().min(1).max(24 * 30).default(d).describe(`${what} (hours, 1-720).`);
const minutes = (d: number, what: string) =>
  z.int().min(1).max(24 * 60).default(d).describe(`${what} (minutes, 1-1440).`);
const count = (d: number, max: number, what: string) =>
  z.int().min(0).max(max).default(d).describe(`${what} (0-${max}).`);

/** One level of the tree; `{}` (or a missing key) yields every default below it. */
const level = <S extends z.ZodRawShape>(shape: S) =>
  // Every leaf has a default, so `{}` is a valid input; zod cannot see that through the generic.
  z.strictObject(shape).prefault({} as z.input<z.ZodObject<S, z.core.$strict>>);

const fillingHours = (what: string) =>
  `Fire when the trend of the last 6 hours says the filesystem runs out of ${what} within this ` +
  "many hours";
const fillingThreshold = (what: string) => `...and less than this share of its ${what} is free`;

/** Compares levels only once each value is valid, so a bad value gets one message. */
const onlyValid = { when: (p: { issues: readonly unknown[] }) => p.issues.length === 0 };

/** Predicted to run out (space or inodes): warning far ahead, critical close. */
const fillingUp = (what: string) =>
  z.strictObject({
    warning: level({
      hours: hours(24, fillingHours(what)),
      threshold: percent(40, fillingThreshold(what)),
    }),
    critical: level({
      hours: hours(4, fillingHours(what)),
      threshold: percent(20, fillingThreshold(what)),
    }),
  }).superRefine((a, ctx) => {
    // A critical that looks further ahead than its warning would page before the warning.
    if (a.critical.hours > a.warning.hours) {
      ctx.addIssue({
        code: "custom",
        path: ["critical", "hours"],
        message: `critical.hours (${a.critical.hours}) must not exceed warning.hours ` +
          `(${a.warning.hours}): the critical alert is the one close to running out`,
      });
    }
  }, onlyValid).prefault({});

/** Almost out (space or inodes): critical below a smaller share than warning. */
const almostOut = (what: string) =>
  z.strictObject({
    warning: level({ available: percent(5, `Fire when less than this much ${what} is free`) }),
    critical: level({ available: percent(3, `Fire when less than this much ${what} is free`) }),
  }).superRefine((a, ctx) => {
    if (a.critical.available > a.warning.available) {
      ctx.addIssue({
        code: "custom",
        path: ["critical", "available"],
        message: `critical.available (${a.critical.available}) must not exceed ` +
          `warning.available (${a.warning.available}): critical means less is left`,
      });
    }
  }, onlyValid).prefault({});

export const RuleParams = z.strictObject({
  node_exporter: level({
    node_filesystem_space_filling_up: fillingUp("space"),
    node_filesystem_almost_out_of_space: almostOut("space"),
    node_filesystem_files_filling_up: fillingUp("inodes"),
    node_filesystem_almost_out_of_files: almostOut("inodes"),
    node_network_receive_errors: level({
      warning: level({
        error_rate: ratio(
          0.01,
          "Fire when more than this share of the packets received in 2 minutes were errors",
        ),
      }),
    }),
    node_network_transmit_errors: level({
      warning: level({
        error_rate: ratio(
          0.01,
          "Fire when more than this share of the packets sent in 2 minutes were errors",
        ),
      }),
    }),
    node_high_number_conntrack_entries_used: level({
      warning: level({
        threshold: ratio(0.75, "Fire above this share of the conntrack table in use"),
      }),
    }),
    node_clock_skew_detected: level({
      warning: level({
        threshold: z.strictObject({
          high: z.number().min(0).max(60).default(0.05).describe(
            "Fire when the clock is ahead by more than this and not converging (seconds, 0-60).",
          ),
          low: z.number().min(-60).max(0).default(-0.05).describe(
            "Fire when the clock is behind by more than this and not converging " +
              "(negative seconds, -60-0).",
          ),
        }).prefault({}),
      }),
    }),
    node_clock_not_synchronising: level({
      warning: level({
        threshold: count(
          0,
          1,
          "The value of node_timex_sync_status that means not synchronised; kept for MetalK8s " +
            "compatibility, leave it at 0",
        ),
      }),
    }),
    node_raid_degraded: level({
      critical: level({
        threshold: count(1, 64, "Fire when an array misses at least this many active disks"),
      }),
    }),
    node_raid_disk_failure: level({
      warning: level({
        threshold: count(1, 64, "Fire when an array has at least this many failed disks"),
      }),
    }),
    node_memory_high_utilization: level({
      warning: level({
        threshold: percent(90, "Fire when more than this much memory is in use"),
      }),
    }),
    node_cpu_high_usage: level({
      info: level({
        threshold: percent(90, "Fire when the CPUs are busier than this on average"),
      }),
    }),
  }),
  kube_apps: level({
    kube_pod_not_ready: level({
      warning: level({ minutes: minutes(15, "How long a pod may stay not ready") }),
    }),
    kube_pod_crash_looping: level({
      warning: level({ minutes: minutes(15, "How long a container may stay in CrashLoopBackOff") }),
    }),
    kube_deployment_replicas_mismatch: level({
      warning: level({
        minutes: minutes(15, "How long a Deployment may miss available replicas"),
      }),
    }),
    kube_statefulset_replicas_mismatch: level({
      warning: level({
        minutes: minutes(15, "How long a StatefulSet may miss ready replicas"),
      }),
    }),
    kube_daemonset_rollout_stuck: level({
      warning: level({
        minutes: minutes(15, "How long a DaemonSet rollout may make no progress"),
      }),
    }),
    kube_job_not_completed: level({
      warning: level({ hours: hours(24, "How long a Job may stay active") }),
    }),
  }),
});
export type RuleParams = z.infer<typeof RuleParams>;

/** Flattens the parameters into placeholder keys: `node_exporter.….warning.threshold` → 40. */
export function ruleParamValues(p: RuleParams): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  const walk = (prefix: string, v: unknown): void => {
    if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, child);
    } else if (typeof v === "number" || typeof v === "string") {
      out[prefix] = v;
    }
  };
  walk("", p);
  return out;
}

/** One tunable parameter, as the reference documentation lists it. */
export interface RuleParamInfo {
  /** The placeholder key: `node_exporter.node_filesystem_space_filling_up.warning.hours`. */
  key: string;
  group: string;
  alert: string;
  severity: string;
  /** The rest of the path: `hours`, or `threshold.high` for nested parameters. */
  parameter: string;
  type: "integer" | "number";
  default: number;
  min: number;
  max: number;
  description: string;
}

// zod keeps defaults and prefaults as wrappers around the schema they default.
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodPrefault) {
    s = s.def.innerType as z.ZodType;
  }
  return s;
}

function indexOf(schema: z.ZodType, path: string[], out: RuleParamInfo[]): void {
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) {
    for (const [k, child] of Object.entries(inner.shape)) {
      indexOf(child as z.ZodType, [...path, k], out);
    }
    return;
  }
  if (!(inner instanceof z.ZodNumber) || !(schema instanceof z.ZodDefault)) {
    throw new Error(`rule parameter ${path.join(".")} is not a number with a default`);
  }
  const [group = "", alert = "", severity = "", ...rest] = path;
  out.push({
    key: path.join("."),
    group,
    alert,
    severity,
    parameter: rest.join("."),
    type: inner.isInt ? "integer" : "number",
    default: schema.def.defaultValue as number,
    min: inner.minValue ?? -Infinity,
    max: inner.maxValue ?? Infinity,
    description: schema.description ?? "",
  });
}

/** Every parameter with its default, range and description, in schema order. */
export const RULE_PARAM_INDEX: readonly RuleParamInfo[] = (() => {
  const out: RuleParamInfo[] = [];
  indexOf(RuleParams, [], out);
  return out;
})();
