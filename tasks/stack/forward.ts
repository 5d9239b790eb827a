/**
 * Forwards a port on 127.0.0.1 to an address on the pod network, so a browser or a test on this
 * machine reaches a pod at a stable loopback URL, as `kubectl port-forward` would. Bytes are
 * copied both ways per connection; closing the forward closes its connections.
 */
import { LOOPBACK } from "./ports.ts";

export interface Forward {
  /** The local port. */
  port: number;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Where connections go: `198.18.0.7:9090`. */
  target: string;
  close(): void;
}

async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  try {
    await from.readable.pipeTo(to.writable, { preventClose: false });
  } catch { /* either side closed */ }
}

/** Listens on 127.0.0.1 (on `port`, or one the kernel picks) and relays to `host:targetPort`. */
export function forward(host: string, targetPort: number, port = 0): Forward {
  const listener = Deno.listen({ hostname: LOOPBACK, port });
  const open = new Set<Deno.Conn>();
  (async () => {
    for await (const conn of listener) {
      open.add(conn);
      Deno.connect({ hostname: host, port: targetPort }).then((upstream) => {
        open.add(upstream);
        Promise.all([pipe(conn, upstream), pipe(upstream, conn)]).finally(() => {
          for (const c of [conn, upstream]) {
            open.delete(c);
            try {
              c.close();
            } catch { /* closed */ }
          }
        });
      }).catch(() => {
        open.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});
  const local = listener.addr.port;
  return {
    port: local,
    url: `http://${LOOPBACK}:${local}`,
    target: `${host}:${targetPort}`,
    close: () => {
      try {
        listener.close();
      } catch { /* closed */ }
      for (const c of open) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      open.clear();
    },
  };
}
