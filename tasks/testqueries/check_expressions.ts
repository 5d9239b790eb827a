/**
 * Check 5: every alert, recording rule and dashboard expression of the cluster evaluates through
 * Thanos Query without error or partial response, and returns data unless it has a reason not to.
 *
 * An empty expression is judged by its vector selectors, each asked on its own
 * (`count(<selector>)`): a selector without series is a misspelt metric or label, a component
 * that is not there, or a series that exists only on failure, and must be explained in
 * expected-empty.yaml. An alert whose selectors all have data is an alert that does not fire;
 * a recording rule or a panel whose selectors all have data must return data.
 */
import { vectorSelectors } from "../validate/promql_metrics.ts";
import type { InstantSample } from "./client.ts";
import { type CheckContext, type CheckResult, type CheckRun, runCheck } from "./check.ts";
import { explainEmpty } from "./expected_empty.ts";
import { type Expression, expressionId } from "./expressions.ts";

export const ID = "expressions";
const CONCURRENCY = 4;

/** What became of one expression. */
export type Verdict =
  | { kind: "data" }
  | { kind: "not firing" }
  | { kind: "explained"; reason: string }
  | { kind: "failed"; why: string };

/** Runs `fn` over `items`, at most `n` at a time, keeping the order of the results. */
async function pool<T, R>(items: readonly T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

/**
 * Judges an empty expression from the selectors that have no series (pure): explained by
 * expected-empty.yaml, an alert that is not firing, or a failure saying what is missing.
 */
export function judgeEmpty(
  ctx: Pick<CheckContext["target"], "expectedEmpty" | "mode">,
  e: Expression,
  missing: readonly { text: string; name: string | undefined }[],
): Verdict {
  const names = [...new Set(missing.flatMap((s) => s.name ?? []))];
  const why = explainEmpty(ctx.expectedEmpty, ctx.mode, e, names);
  if (why) return { kind: "explained", reason: why.reason };
  if (missing.length > 0) {
    return { kind: "failed", why: `no series for ${missing.map((s) => s.text).join(", ")}` };
  }
  if (e.kind === "alert") return { kind: "not firing" };
  return { kind: "failed", why: "its series exist but it returns no data" };
}

export function checkExpressions(ctx: CheckContext): Promise<CheckResult> {
  return runCheck(
    ID,
    "every alert, rule and dashboard expression has data",
    ctx,
    (run) => evaluate(ctx, run),
  );
}

async function evaluate(ctx: CheckContext, run: CheckRun): Promise<void> {
  const exprs = ctx.target.expressions;
  // 1. Every expression, with the deduplication its dashboard's datasource asks for.
  const answers = await pool(exprs, CONCURRENCY, async (e) => {
    try {
      const r = await ctx.thanos.query<InstantSample>(e.expr, { dedup: e.dedup ?? true });
      if (r.warnings.length > 0) return `partial response: ${r.warnings.join("; ")}`;
      return r.result.length > 0;
    } catch (err) {
      return (err as Error).message;
    }
  });
  run.call(`${exprs.length} instant queries, one per expression`);

  // 2. The selectors of the empty ones, each once.
  const empty = exprs.filter((_, i) => answers[i] === false);
  const selectors = [...new Set(empty.flatMap((e) => vectorSelectors(e.expr).map((s) => s.text)))];
  const present = await pool(selectors, CONCURRENCY, async (s) => {
    try {
      const r = await ctx.thanos.query<InstantSample>(`count(${s})`, { dedup: true });
      run.partial(`count(${s})`, r.warnings);
      return r.result.length > 0;
    } catch (err) {
      run.fail(`count(${s}): ${(err as Error).message}`);
      return true;
    }
  });
  const missing = new Set(selectors.filter((_, i) => !present[i]));
  run.call(`${selectors.length} count(<selector>) queries for the selectors of empty expressions`);

  // 3. A verdict for each expression.
  const verdicts: Verdict[] = exprs.map((e, i) => {
    const a = answers[i];
    if (a === true) return { kind: "data" };
    if (typeof a === "string") return { kind: "failed", why: a };
    return judgeEmpty(ctx.target, e, vectorSelectors(e.expr).filter((s) => missing.has(s.text)));
  });
  const notFiring: string[] = [];
  exprs.forEach((e, i) => {
    const v = verdicts[i] as Verdict;
    if (v.kind === "failed") run.fail(`${expressionId(e)}: ${v.why}\n      ${oneLine(e.expr)}`);
  });
  exprs.forEach((e, i) => {
    const v = verdicts[i] as Verdict;
    if (v.kind === "explained") run.note(`${expressionId(e)}: empty as expected: ${v.reason}`);
    if (v.kind === "not firing") notFiring.push(e.name);
  });
  if (notFiring.length > 0) {
    run.note(
      `${notFiring.length} alerts not firing, every series they read present: ` +
        [...new Set(notFiring)].join(", "),
    );
  }
  const count = (k: Verdict["kind"]) => verdicts.filter((v) => v.kind === k).length;
  run.note(
    `${exprs.length} expressions: ${count("data")} return data, ${count("not firing")} alerts ` +
      `not firing, ${count("explained")} empty as expected, ${count("failed")} failed ` +
      `(with data: ${count("data")}/${exprs.length})`,
  );
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}
