/**
 * Check 5: every alert, recording rule and dashboard expression of the cluster evaluates through
 * Thanos Query without error or partial response. An expression whose metrics all exist must
 * return data, unless it is an alert (an empty alert is one that does not fire) or
 * expected-empty.yaml says why it is empty; an expression with a missing metric must be
 * explained there too.
 */
import { metricNames } from "../validate/promql_metrics.ts";
import type { InstantSample } from "./client.ts";
import { type CheckContext, type CheckResult, runCheck } from "./check.ts";
import { explainEmpty } from "./expected_empty.ts";
import { type Expression, expressionId } from "./expressions.ts";

export const ID = "expressions";
const CONCURRENCY = 4;

export function checkExpressions(ctx: CheckContext): Promise<CheckResult> {
  return runCheck(ID, "every alert and dashboard expression evaluates", ctx, async (run) => {
    const exprs = ctx.target.expressions;
    const names = [...new Set(exprs.flatMap((e) => metricNames(e.expr)))].sort();
    const existing = new Set<string>();
    if (names.length > 0) {
      const regex = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|");
      const expr = `count by (__name__) ({__name__=~"${regex}"})`;
      const r = await ctx.thanos.query<InstantSample>(expr, { dedup: true });
      run.call(
        `count by (__name__) ({__name__=~"<the ${names.length} metric names>"}) (dedup=true)`,
      );
      run.partial(expr, r.warnings);
      for (const s of r.result) existing.add(s.metric.__name__ ?? "");
    }
    const counts = { data: 0, notFiring: 0, explained: 0 };
    const results: { e: Expression; line: string; fail: boolean }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < exprs.length) {
        const e = exprs[next++] as Expression;
        results.push(await evaluate(e));
      }
    };
    const evaluate = async (e: Expression) => {
      const id = expressionId(e);
      let r;
      try {
        r = await ctx.thanos.query<InstantSample>(e.expr, { dedup: true });
      } catch (err) {
        return { e, line: `${id}: ${(err as Error).message}`, fail: true };
      }
      if (r.warnings.length > 0) {
        return { e, line: `${id}: partial response: ${r.warnings.join("; ")}`, fail: true };
      }
      if (r.result.length > 0) {
        counts.data++;
        return { e, line: "", fail: false };
      }
      const missing = metricNames(e.expr).filter((m) => !existing.has(m));
      const why = explainEmpty(ctx.target.expectedEmpty, ctx.target.mode, e, missing);
      if (why) {
        counts.explained++;
        return { e, line: `${id}: empty as expected: ${why.reason}`, fail: false };
      }
      if (missing.length > 0) {
        return { e, line: `${id}: no data for ${missing.join(", ")}`, fail: true };
      }
      if (e.kind === "alert") {
        counts.notFiring++;
        return { e, line: "", fail: false };
      }
      return { e, line: `${id}: its metrics exist but it returns no data`, fail: true };
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    run.call(
      `${exprs.length} instant queries (dedup=true), one per expression, and the metric names query`,
    );
    results.sort((a, b) => exprs.indexOf(a.e) - exprs.indexOf(b.e));
    for (const r of results) {
      if (r.fail) run.fail(`${r.line}\n      ${r.e.expr.replace(/\s+/g, " ")}`);
    }
    for (const r of results) if (!r.fail && r.line) run.note(r.line);
    run.note(
      `${exprs.length} expressions: ${counts.data} return data, ${counts.notFiring} alerts not firing, ${counts.explained} empty as expected, ${
        results.filter((r) => r.fail).length
      } failed`,
    );
  });
}
