/**
 * FakeThanosQuery: a real HTTP server on 127.0.0.1 that answers like Thanos Query (and an
 * Alertmanager and the local sink) from canned data, for unit tests of the checks where a real
 * stack would need a Kubernetes cluster (kube-state-metrics) or a failure hard to produce.
 * An unknown query gets HTTP 400, so a test notices a check asking something unexpected.
 */
import type { AmAlert, InstantSample, SinkNotification, StoreStatus } from "./client.ts";

export interface FakeAnswer {
  result: InstantSample[];
  warnings?: string[];
}

export interface FakeData {
  /** Key: `<dedup>|<PromQL>`, e.g. `false|up`. */
  queries: Record<string, FakeAnswer>;
  stores?: Record<string, StoreStatus[]>;
  alerts?: AmAlert[];
  notifications?: SinkNotification[];
}

export function sample(metric: Record<string, string>, value: string): InstantSample {
  return { metric, value: [1_700_000_000, value] };
}

export class FakeThanosQuery {
  readonly requests: string[] = [];
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly url: string;

  constructor(readonly data: FakeData) {
    this.#server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
      const u = new URL(req.url);
      this.requests.push(`${u.pathname}${u.search}`);
      if (u.pathname === "/api/v1/query") {
        const key = `${u.searchParams.get("dedup")}|${u.searchParams.get("query")}`;
        const answer = this.data.queries[key];
        if (!answer) {
          return Response.json(
            { status: "error", errorType: "bad_data", error: `unexpected query ${key}` },
            { status: 400 },
          );
        }
        return Response.json({
          status: "success",
          data: { resultType: "vector", result: answer.result },
          ...(answer.warnings ? { warnings: answer.warnings } : {}),
        });
      }
      if (u.pathname === "/api/v1/stores") {
        return Response.json({ status: "success", data: this.data.stores ?? {} });
      }
      if (u.pathname === "/api/v2/alerts") return Response.json(this.data.alerts ?? []);
      if (u.pathname === "/notifications") return Response.json(this.data.notifications ?? []);
      return new Response("not found", { status: 404 });
    });
    this.url = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  close(): Promise<void> {
    return this.#server.shutdown();
  }
}
