/** Free TCP ports on the loopback interface: the local cluster binds nothing else. */

export const LOOPBACK = "127.0.0.1";

/**
 * `count` distinct free ports, chosen by the kernel. Every listener stays open until all are
 * chosen, so the ports differ; a port can still be taken by someone else before it is used, which
 * the supervisor reports as a process that exits early.
 */
export function freePorts(count: number): number[] {
  const listeners: Deno.TcpListener[] = [];
  try {
    for (let i = 0; i < count; i++) {
      listeners.push(Deno.listen({ hostname: LOOPBACK, port: 0 }));
    }
    return listeners.map((l) => l.addr.port);
  } finally {
    for (const l of listeners) l.close();
  }
}

export function freePort(): number {
  return freePorts(1)[0] as number;
}

/** `127.0.0.1:9090`. */
export function hostPort(port: number): string {
  return `${LOOPBACK}:${port}`;
}

/** `http://127.0.0.1:9090`. */
export function httpUrl(port: number): string {
  return `http://${hostPort(port)}`;
}
