/**
 * Prometheus' TSDB snapshot endpoint (`POST /api/v1/admin/tsdb/snapshot`, admin API only): it
 * hard-links every block and writes the head into a new one under `<data>/snapshots/<name>`.
 */

export const SNAPSHOT_PATH = "/api/v1/admin/tsdb/snapshot";

export class SnapshotError extends Error {}

/**
 * The snapshot's directory name from the endpoint's answer; a `SnapshotError` that says what to
 * do when the admin API is off or the answer is not a snapshot.
 */
export function parseSnapshotResponse(url: string, status: number, body: string): string {
  const where = `POST ${url}${SNAPSHOT_PATH}`;
  // Prometheus answers HTTP 500 {"errorType":"unavailable","error":"admin APIs disabled"}.
  if (status === 404 || /admin apis? disabled/i.test(body)) {
    throw new SnapshotError(
      `${where}: the admin API is off on this Prometheus (HTTP ${status}); it is on only with ` +
        "--web.enable-admin-api, i.e. spec.config.enable_admin_api: true in the cluster's " +
        "prometheus.yaml",
    );
  }
  let parsed: { status?: string; data?: { name?: unknown }; error?: string };
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new SnapshotError(`${where}: HTTP ${status}, not JSON: ${body.slice(0, 200)}`);
  }
  if (status !== 200 || parsed.status !== "success") {
    throw new SnapshotError(`${where}: HTTP ${status}: ${parsed.error ?? body.slice(0, 200)}`);
  }
  const name = parsed.data?.name;
  // The name becomes a path: refuse anything but the timestamp-hex name Prometheus makes.
  if (typeof name !== "string" || !/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new SnapshotError(`${where}: expected data.name, a directory name, found ${body}`);
  }
  return name;
}

/** Takes a snapshot of the head and every block; returns its directory name. */
export async function takeSnapshot(url: string, timeoutMs = 120_000): Promise<string> {
  let res: Response;
  try {
    res = await fetch(`${url}${SNAPSHOT_PATH}`, {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    throw new SnapshotError(
      `POST ${url}${SNAPSHOT_PATH}: ${e instanceof Error ? e.message : e}`,
    );
  }
  return parseSnapshotResponse(url, res.status, await res.text());
}
