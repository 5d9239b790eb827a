/**
 * The local stack's notification sink: every receiver of the rendered Alertmanager configuration
 * is pointed at `POST /notify/<receiver>`, and every notification is kept, in order, for
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
  /** The receiver named in the URL path (the configuration's receiver name). */
  receiver: string;
  payload: WebhookPayload;
}

export interface Sink {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** The webhook URL for one receiver. */
  webhookUrl(receiver: string): string;
  notifications(): Notification[];
  close(): Promise<void>;
}

export const NOTIFY_PATH = "/notify/";
export const NOTIFICATIONS_PATH = "/notifications";

export function startSink(port = 0): Sink {
  const received: Notification[] = [];
  const server = Deno.serve({ hostname: LOOPBACK, port, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (req.method === "POST" && url.pathname.startsWith(NOTIFY_PATH)) {
      const receiver = decodeURIComponent(url.pathname.slice(NOTIFY_PATH.length));
      let payload: WebhookPayload;
      try {
        payload = await req.json() as WebhookPayload;
      } catch {
        return new Response("not a JSON body\n", { status: 400 });
      }
      received.push({ receivedAt: Date.now(), receiver, payload });
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
    webhookUrl: (receiver) => `${url}${NOTIFY_PATH}${encodeURIComponent(receiver)}`,
    notifications: () => [...received],
    close: () => server.shutdown(),
  };
}
