/**
 * The local cluster's notification sink: the webhook receivers of clusters/local/alertmanager.yaml
 * post to `POST /notify` (the URL pods read from the Secret alertmanager-receivers), and every
 * notification is kept, in order, with the receiver Alertmanager names in it, for
 * `GET /notifications` (and test-queries) to read.
 */
import { LOOPBACK } from "./ports.ts";

/** One alert of an Alertmanager webhook payload. */
export interface WebhookAlert {
  status: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  fingerprint: string;
}

/** The Alertmanager webhook payload (version 4), the fields we read. */
export interface WebhookPayload {
  receiver: string;
  status: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  alerts: WebhookAlert[];
}

export interface Notification {
  /** Milliseconds since the epoch, when the sink received it. */
  receivedAt: number;
  /** The receiver of the Alertmanager configuration that sent it (the payload's). */
  receiver: string;
  payload: WebhookPayload;
}

export interface Sink {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  notifications(): Notification[];
  close(): Promise<void>;
}

export const NOTIFY_PATH = "/notify";
export const NOTIFICATIONS_PATH = "/notifications";

export function startSink(port = 0): Sink {
  const received: Notification[] = [];
  const server = Deno.serve({ hostname: LOOPBACK, port, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "POST" && url.pathname === NOTIFY_PATH) {
      let payload: WebhookPayload;
      try {
        payload = await req.json() as WebhookPayload;
      } catch {
        return new Response("not a JSON body\n", { status: 400 });
      }
      if (typeof payload?.receiver !== "string") {
        return new Response("not an Alertmanager webhook: no receiver\n", { status: 400 });
      }
      received.push({ receivedAt: Date.now(), receiver: payload.receiver, payload });
      return new Response("ok\n");
    }
    if (req.method === "GET" && url.pathname === NOTIFICATIONS_PATH) {
      return Response.json(received);
    }
    if (req.method === "GET" && url.pathname === "/-/ready") return new Response("ok\n");
    await req.body?.cancel();
    return new Response("not found\n", { status: 404 });
  });
  const url = `http://${LOOPBACK}:${server.addr.port}`;
  return {
    url,
    notifications: () => [...received],
    close: () => server.shutdown(),
  };
}
