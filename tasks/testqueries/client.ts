/**
 * The HTTP APIs test-queries talks to: Thanos Query (the Prometheus query API plus its `dedup`,
 * `partial_response` and `/api/v1/stores`), Alertmanager's v2 API and the local cluster's sink.
 * Every check goes through the `Http` interface, so unit tests point it at a fake server.
 */

export interface HttpResponse {
  status: number;
  body: string;
}

export interface Http {
  get(url: string): Promise<HttpResponse>;
}

/** The real client: fetch() with a deadline per request. */
export function fetchHttp(timeoutMs = 30_000): Http {
  return {
    async get(url) {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
      return { status: res.status, body: await res.text() };
    },
  };
}

export class ApiError extends Error {}

async function getJson(http: Http, url: string): Promise<unknown> {
  let res: HttpResponse;
  try {
    res = await http.get(url);
  } catch (e) {
    throw new ApiError(`GET ${url}: ${e instanceof Error ? e.message : e}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    throw new ApiError(`GET ${url}: HTTP ${res.status}, not JSON: ${res.body.slice(0, 200)}`);
  }
  const b = body as { status?: string; error?: string; errorType?: string };
  if (res.status !== 200 || b.status === "error") {
    const why = b.error ? `${b.errorType ?? "error"}: ${b.error}` : res.body.slice(0, 200);
    throw new ApiError(`GET ${url}: HTTP ${res.status}: ${why}`);
  }
  return body;
}

export type Labels = Record<string, string>;

export interface InstantSample {
  metric: Labels;
  value: [number, string];
}

export interface RangeSeries {
  metric: Labels;
  values: [number, string][];
}

export interface QueryResult<T> {
  result: T[];
  /** A partial response: a store failed. test-queries counts it as a failure. */
  warnings: string[];
}

export interface QueryOptions {
  dedup: boolean;
  /** Seconds since the epoch; default now. */
  time?: number;
}

/**
 * The warnings that say a response is partial. PromQL's info annotations ("metric might not be a
 * counter" for a rate() over a counter without the _total suffix), which Thanos Query passes on
 * as warnings, say nothing about the stores and are left out.
 */
export function partialWarnings(warnings: readonly string[] | undefined): string[] {
  return (warnings ?? []).filter((w) => !w.startsWith("PromQL info:"));
}

/** PromQL as a person reads it in a report: `up (dedup=false)`. */
export function describeQuery(expr: string, dedup: boolean): string {
  return `${expr.replace(/\s+/g, " ").trim()} (dedup=${dedup})`;
}

export class ThanosQuery {
  constructor(readonly http: Http, readonly url: string) {}

  #url(path: string, params: Record<string, string>): string {
    return `${this.url}${path}?${new URLSearchParams(params)}`;
  }

  /** An instant query; a matrix result (a range selector) comes back as RangeSeries. */
  async query<T = InstantSample>(expr: string, opts: QueryOptions): Promise<QueryResult<T>> {
    const body = await getJson(
      this.http,
      this.#url("/api/v1/query", {
        query: expr,
        dedup: String(opts.dedup),
        // Ask for partial responses so that a failed store shows up as a warning we can name.
        partial_response: "true",
        ...(opts.time !== undefined ? { time: String(opts.time) } : {}),
      }),
    ) as { data?: { result?: T[] }; warnings?: string[] };
    return { result: body.data?.result ?? [], warnings: partialWarnings(body.warnings) };
  }

  async queryRange(
    expr: string,
    range: { start: number; end: number; stepSeconds: number },
    opts: { dedup: boolean },
  ): Promise<QueryResult<RangeSeries>> {
    const body = await getJson(
      this.http,
      this.#url("/api/v1/query_range", {
        query: expr,
        start: String(range.start),
        end: String(range.end),
        step: String(range.stepSeconds),
        dedup: String(opts.dedup),
        partial_response: "true",
      }),
    ) as { data?: { result?: RangeSeries[] }; warnings?: string[] };
    return { result: body.data?.result ?? [], warnings: partialWarnings(body.warnings) };
  }

  /** `/api/v1/stores`: store type → the stores Thanos Query knows, healthy or not. */
  async stores(): Promise<Record<string, StoreStatus[]>> {
    const body = await getJson(this.http, `${this.url}/api/v1/stores`) as {
      data?: Record<string, StoreStatus[]>;
    };
    return body.data ?? {};
  }
}

export interface StoreStatus {
  name: string;
  lastCheck?: string;
  lastError?: string | null;
  labelSets?: Labels[];
}

/** One alert of Alertmanager's `GET /api/v2/alerts`. */
export interface AmAlert {
  labels: Labels;
  status: { state: string };
  receivers: { name: string }[];
}

export class AlertmanagerApi {
  constructor(readonly http: Http, readonly url: string) {}

  /** Active alerts matching `filter` (Alertmanager matchers, e.g. `alertname="Watchdog"`). */
  async alerts(filter: string): Promise<AmAlert[]> {
    const url = `${this.url}/api/v2/alerts?${new URLSearchParams({ active: "true", filter })}`;
    return await getJson(this.http, url) as AmAlert[];
  }
}

export interface SinkNotification {
  receivedAt: number;
  receiver: string;
  payload: {
    status: string;
    groupKey: string;
    alerts: { status: string; labels: Labels }[];
  };
}

export class SinkApi {
  constructor(readonly http: Http, readonly url: string) {}

  async notifications(): Promise<SinkNotification[]> {
    return await getJson(this.http, `${this.url}/notifications`) as SinkNotification[];
  }
}
