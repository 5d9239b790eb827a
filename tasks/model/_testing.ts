/** Helpers shared by the model's tests. */
import { CLUSTER_API_VERSION, ClusterFile } from "./cluster.ts";

/** A parsed cluster.yaml of a cluster named staging, with `spec` and its defaults. */
export const clusterFile = (spec: unknown = {}): ClusterFile =>
  ClusterFile.parse({
    apiVersion: CLUSTER_API_VERSION,
    kind: "Cluster",
    metadata: { name: "staging" },
    spec,
  });
