/**
 * Probes as the kubelet runs them: HTTP GET (2xx and 3xx succeed), TCP connect, exec (exit 0),
 * against the pod's IP; a container port may be named. And the state machine around one probe:
 * initial delay, period, timeout, success and failure thresholds.
 */
import type { Probe } from "../render/objects.ts";

export interface ProbeTarget {
  podIP: string;
  /** Named container ports → numbers. */
  ports: ReadonlyMap<string, number>;
  /** Runs a command in the container; resolves to its exit code. */
  exec: (argv: string[], timeoutMs: number) => Promise<number>;
}

/** A port given by number or by the container port's name. */
export function probePort(port: number | string, ports: ReadonlyMap<string, number>): number {
  if (typeof port === "number") return port;
  if (/^\d+$/.test(port)) return Number(port);
  const n = ports.get(port);
  if (n === undefined) throw new Error(`no container port named ${port}`);
  return n;
}

/** One probe attempt: true on success. */
export async function probeOnce(probe: Probe, target: ProbeTarget): Promise<boolean> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet) {
      const h = probe.httpGet;
      const port = probePort(h.port, target.ports);
      // An HTTPS probe is checked as a TCP connect: the kubelet does not verify the certificate,
      // and Deno's fetch cannot skip verification.
      if (h.scheme === "HTTPS") return await tcpOpen(h.host ?? target.podIP, port, timeoutMs);
      const headers = Object.fromEntries((h.httpHeaders ?? []).map((x) => [x.name, x.value]));
      const res = await fetch(`http://${h.host ?? target.podIP}:${port}${h.path ?? "/"}`, {
        headers: { "user-agent": "kube-probe/1.34", ...headers },
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      return res.status >= 200 && res.status < 400;
    }
    if (probe.tcpSocket) {
      const port = probePort(probe.tcpSocket.port, target.ports);
      return await tcpOpen(probe.tcpSocket.host ?? target.podIP, port, timeoutMs);
    }
    if (probe.exec) return (await target.exec(probe.exec.command, timeoutMs)) === 0;
    if (probe.grpc) return await tcpOpen(target.podIP, probe.grpc.port, timeoutMs);
    return true;
  } catch {
    return false;
  }
}

async function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  const conn = Deno.connect({ hostname: host, port });
  const timer = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("timeout")), timeoutMs)
  );
  try {
    const c = await Promise.race([conn, timer]);
    c.close();
    return true;
  } catch {
    conn.then((c) => c.close()).catch(() => {});
    return false;
  }
}

/** Success/failure thresholds over successive results. Pure state. */
export class ProbeState {
  #successes = 0;
  #failures = 0;
  /** undefined until the thresholds decide. */
  result: boolean | undefined;
  /** The thresholds have said success at least once. */
  everSucceeded = false;

  constructor(readonly probe: Probe) {}

  get periodMs(): number {
    return (this.probe.periodSeconds ?? 10) * 1000;
  }

  get initialDelayMs(): number {
    return (this.probe.initialDelaySeconds ?? 0) * 1000;
  }

  /** Records one attempt; returns the (possibly changed) result. */
  record(ok: boolean): boolean | undefined {
    if (ok) {
      this.#successes++;
      this.#failures = 0;
      if (this.#successes >= (this.probe.successThreshold ?? 1)) {
        this.result = true;
        this.everSucceeded = true;
      }
    } else {
      this.#failures++;
      this.#successes = 0;
      if (this.#failures >= (this.probe.failureThreshold ?? 3)) this.result = false;
    }
    return this.result;
  }
}
