/** Findings on rendered objects, and how they are pointed back at the source files. */
import type { Finding, Severity } from "../model/finding.ts";
import { type K8sObject, resourceId } from "../render/kustomize.ts";
import type { SourceIndex } from "./source_index.ts";

export interface ObjectFinding {
  severity: Severity;
  object: Pick<K8sObject, "kind" | "metadata">;
  /** Field path inside the object (`spec.replicas`), "" for the whole object. */
  field: string;
  message: string;
  check: string;
  /** Text to find in the file a generated ConfigMap's data comes from (the offending value). */
  needle?: string;
}

export function objectFinding(
  severity: Severity,
  object: Pick<K8sObject, "kind" | "metadata">,
  field: string,
  message: string,
  check: string,
): ObjectFinding {
  return { severity, object, field, message, check };
}

/**
 * Turns object findings into findings on files: the overlay or base document that writes the
 * field, else the one that defines the object, else `fallbackFile` (the overlay's kustomization).
 */
export function locateObjectFindings(
  findings: readonly ObjectFinding[],
  index: SourceIndex,
  fallbackFile: string,
): Finding[] {
  return findings.map((f) => {
    const loc = index.locate(f.object.kind, f.object.metadata.name, f.field, f.needle);
    const id = resourceId(f.object as K8sObject);
    return {
      severity: f.severity,
      file: loc?.file ?? fallbackFile,
      line: loc?.line ?? 1,
      column: loc?.column ?? 1,
      field: f.field ? `${id} ${f.field}` : id,
      message: f.message,
      check: f.check,
    };
  });
}
