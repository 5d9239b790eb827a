/**
 * kubeconform's errors as findings on files: an error on a known object is pointed at the line of
 * base/, the overlay or the cluster folder that writes the field (an unknown field at itself, not
 * at its parent); one kubeconform could not tie to an object stays on the overlay.
 */
import type { Finding } from "../model/finding.ts";
import type { ClusterValues } from "./cluster_values.ts";
import type { KubeconformError } from "./kubeconform.ts";
import { locateObjectFindings, type ObjectFinding } from "./object_finding.ts";
import type { SourceIndex } from "./source_index.ts";

const CHECK = "kubeconform";

/** The findings of one render's kubeconform errors; `fallback` is the overlay's kustomization. */
export function kubeconformFindings(
  errors: readonly KubeconformError[],
  index: SourceIndex,
  fallback: string,
  values?: ClusterValues,
): Finding[] {
  const located: ObjectFinding[] = [];
  const loose: Finding[] = [];
  for (const e of errors) {
    if (e.object) {
      const extra = /additional ?properties '([^']+)' not allowed/i.exec(e.message)?.[1];
      located.push({
        severity: "error",
        object: e.object,
        field: extra ? (e.field ? `${e.field}.${extra}` : extra) : e.field,
        message: e.message,
        check: CHECK,
      });
    } else {
      loose.push({
        severity: "error",
        file: fallback,
        line: 1,
        column: 1,
        field: e.resource,
        message: e.field ? `${e.field}: ${e.message}` : e.message,
        check: CHECK,
      });
    }
  }
  return [...locateObjectFindings(located, index, fallback, values), ...loose];
}
