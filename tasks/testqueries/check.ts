/** What every check gets and gives back, and the bookkeeping they share. */
import {
  type AlertmanagerApi,
  describeQuery,
  type QueryResult,
  type SinkApi,
  type ThanosQuery,
} from "./client.ts";
import type { TestTarget } from "./target.ts";

export interface CheckContext {
  target: TestTarget;
  thanos: ThanosQuery;
  alertmanagers: AlertmanagerApi[];
  /** The local cluster's notification sink; absent on a deployed cluster. */
  sink: SinkApi | undefined;
}

export interface CheckResult {
  id: string;
  title: string;
  ok: boolean;
  /** Every query and API call the check made, as a person could repeat it. */
  queries: string[];
  /** What was found: failures say what was expected and what was found. */
  details: string[];
}

export type Check = (ctx: CheckContext) => Promise<CheckResult>;

/** Collects a check's queries and findings; any warning (a partial response) is a failure. */
export class CheckRun {
  readonly queries: string[] = [];
  readonly details: string[] = [];
  #failed = false;

  constructor(readonly id: string, readonly title: string, readonly thanos: ThanosQuery) {}

  fail(message: string): void {
    this.#failed = true;
    this.details.push(`FAIL ${message}`);
  }

  note(message: string): void {
    this.details.push(message);
  }

  get failed(): boolean {
    return this.#failed;
  }

  /** Records a non-PromQL call (`GET /api/v1/stores`). */
  call(description: string): void {
    this.queries.push(description);
  }

  async query<T>(expr: string, dedup: boolean, time?: number): Promise<QueryResult<T>> {
    const q = describeQuery(expr, dedup);
    this.queries.push(q);
    const r = await this.thanos.query<T>(expr, {
      dedup,
      ...(time !== undefined ? { time } : {}),
    });
    this.partial(q, r.warnings);
    return r;
  }

  /** A response with warnings came from only some stores: never a pass. */
  partial(query: string, warnings: readonly string[]): void {
    if (warnings.length > 0) {
      this.fail(`partial response for ${query}: ${warnings.join("; ")}`);
    }
  }

  result(): CheckResult {
    return {
      id: this.id,
      title: this.title,
      ok: !this.#failed,
      queries: this.queries,
      details: this.details,
    };
  }
}

/** Runs a check body; an API error (refused, HTTP 5xx, bad PromQL) fails the check with it. */
export async function runCheck(
  id: string,
  title: string,
  ctx: CheckContext,
  body: (run: CheckRun) => Promise<void>,
): Promise<CheckResult> {
  const run = new CheckRun(id, title, ctx.thanos);
  try {
    await body(run);
  } catch (e) {
    run.fail(e instanceof Error ? e.message : String(e));
  }
  return run.result();
}
