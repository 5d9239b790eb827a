/**
 * The only Thanos Query paths the Ingress exposes: the read API and the UI's pages and
 * assets. Nothing that writes, deletes or changes state (no admin or write API) is reachable
 * from outside the cluster. base/ingress/ingress.yaml lists exactly these (its test checks
 * it), and the policy check compares every rendered Ingress with this list.
 *
 * Kubernetes matches `Prefix` paths element by element: `/api/v1/query` does not match
 * `/api/v1/query_range`, hence both are listed.
 */
export interface IngressPath {
  path: string;
  pathType: "Prefix" | "Exact";
}

export const THANOS_READ_PATHS: readonly IngressPath[] = [
  // PromQL read API.
  { path: "/api/v1/query", pathType: "Prefix" },
  { path: "/api/v1/query_range", pathType: "Prefix" },
  { path: "/api/v1/series", pathType: "Prefix" },
  { path: "/api/v1/labels", pathType: "Prefix" },
  { path: "/api/v1/label/", pathType: "Prefix" },
  { path: "/api/v1/metadata", pathType: "Prefix" },
  // What the UI reads besides the query API.
  { path: "/api/v1/stores", pathType: "Prefix" },
  { path: "/api/v1/status/buildinfo", pathType: "Prefix" },
  // The UI: its pages and static assets.
  { path: "/", pathType: "Exact" },
  { path: "/graph", pathType: "Prefix" },
  { path: "/stores", pathType: "Prefix" },
  { path: "/static/", pathType: "Prefix" },
  { path: "/favicon.ico", pathType: "Exact" },
  { path: "/manifest.json", pathType: "Exact" },
];
