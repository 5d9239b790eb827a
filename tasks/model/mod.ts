/** The project's types, exported from one place. */
export * from "./finding.ts";
export * from "./paths.ts";
export * from "./versions.ts";
export type { K8sObject, Render } from "../render/kustomize.ts";
export * from "./cluster.ts";
export {
  clusterNames,
  formatPath,
  loadAllClusters,
  loadCluster,
  loadClusterFromSources,
  type LoadResult,
  locate,
} from "./load.ts";
