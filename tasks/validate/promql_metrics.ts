/** The test plan's import of the selectors of an expression; they are read in promql_syntax.ts. */
export { metricNames, vectorSelectors } from "./promql_syntax.ts";
