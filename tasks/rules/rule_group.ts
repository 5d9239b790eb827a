/**
 * A Prometheus rule file (`groups:`), as zod schemas: what the default rule templates render to
 * and what a cluster's extra rules must be.
 */
import { z } from "zod";
import { DurationOrZero as RuleDuration } from "../model/units.ts";

const LabelName = z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "a label name such as severity");
const Labels = z.record(LabelName, z.string());

export const RuleSchema = z.strictObject({
  alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "an alert name such as DiskFull").optional(),
  record: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, "a metric name such as job:up:sum")
    .optional(),
  expr: z.string().min(1, "a PromQL expression"),
  for: RuleDuration.optional(),
  keep_firing_for: RuleDuration.optional(),
  labels: Labels.optional(),
  annotations: z.record(z.string(), z.string()).optional(),
}).superRefine((r, ctx) => {
  if ((r.alert === undefined) === (r.record === undefined)) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: "a rule has exactly one of alert or record",
    });
  }
  if (r.record !== undefined) {
    for (const key of ["for", "keep_firing_for", "annotations"] as const) {
      if (r[key] !== undefined) {
        ctx.addIssue({ code: "custom", path: [key], message: `a recording rule has no ${key}` });
      }
    }
  }
});
export type Rule = z.infer<typeof RuleSchema>;

export const RuleGroupSchema = z.strictObject({
  name: z.string().min(1),
  interval: RuleDuration.optional(),
  query_offset: RuleDuration.optional(),
  limit: z.int().min(0).optional(),
  labels: Labels.optional(),
  rules: z.array(RuleSchema).min(1),
});
export type RuleGroup = z.infer<typeof RuleGroupSchema>;

/** A whole rule file; group names are unique in it, as Prometheus requires. */
export const RuleFileSchema = z.strictObject({
  groups: z.array(RuleGroupSchema).superRefine((groups, ctx) => {
    const seen = new Set<string>();
    groups.forEach((g, i) => {
      if (seen.has(g.name)) {
        ctx.addIssue({
          code: "custom",
          path: [i, "name"],
          message: `group name "${g.name}" is used twice`,
        });
      }
      seen.add(g.name);
    });
  }),
});
