import assert from "node:assert/strict";
import { parseSnapshotResponse, SnapshotError } from "./admin_api.ts";

const URL = "http://127.0.0.1:9090";

Deno.test("parseSnapshotResponse() returns the snapshot's name", () => {
  assert.equal(
    parseSnapshotResponse(
      URL,
      200,
      '{"status":"success","data":{"name":"20261125T042935Z-72efc5866005e3e0"}}',
    ),
    "20261125T042935Z-72efc5866005e3e0",
  );
});

Deno.test("parseSnapshotResponse() says how to turn the admin API on when it is off", () => {
  assert.throws(
    () =>
      parseSnapshotResponse(
        URL,
        500,
        '{"status":"error","errorType":"unavailable","error":"admin APIs disabled"}',
      ),
    new SnapshotError(
      "POST http://127.0.0.1:9090/api/v1/admin/tsdb/snapshot: the admin API is off on this " +
        "Prometheus (HTTP 500); it is on only with --web.enable-admin-api, i.e. " +
        "spec.config.enable_admin_api: true in the cluster's prometheus.yaml",
    ),
  );
});

Deno.test("parseSnapshotResponse() reports an error answer and refuses a name that is a path", () => {
  assert.throws(
    () => parseSnapshotResponse(URL, 500, '{"status":"error","error":"no space left"}'),
    new SnapshotError(
      "POST http://127.0.0.1:9090/api/v1/admin/tsdb/snapshot: HTTP 500: no space left",
    ),
  );
  assert.throws(
    () => parseSnapshotResponse(URL, 200, '{"status":"success","data":{"name":"../etc"}}'),
    new SnapshotError(
      "POST http://127.0.0.1:9090/api/v1/admin/tsdb/snapshot: expected data.name, a directory " +
        'name, found {"status":"success","data":{"name":"../etc"}}',
    ),
  );
  assert.throws(
    () => parseSnapshotResponse(URL, 502, "<html>bad gateway</html>"),
    new SnapshotError(
      "POST http://127.0.0.1:9090/api/v1/admin/tsdb/snapshot: HTTP 502, not JSON: " +
        "<html>bad gateway</html>",
    ),
  );
});
