/** The test plan: the five checks, in order, run against one stack. */
import type { Check, CheckContext, CheckResult } from "./check.ts";
import { checkComponents } from "./check_components.ts";
import { checkScrapeJobs } from "./check_scrape_jobs.ts";
import { checkThanos } from "./check_thanos.ts";
import { checkAlerts } from "./check_alerts.ts";
import { checkExpressions } from "./check_expressions.ts";

export const CHECKS: readonly Check[] = [
  checkComponents,
  checkScrapeJobs,
  checkThanos,
  checkAlerts,
  checkExpressions,
];

/** Runs the checks (default every one), one after the other (each reports its own failure). */
export async function runChecks(
  ctx: CheckContext,
  checks: readonly Check[] = CHECKS,
): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  for (const check of checks) out.push(await check(ctx));
  return out;
}
