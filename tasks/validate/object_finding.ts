/** Findings on rendered objects, and how they are pointed back at the source files. */
import type { Finding, Severity } from "../model/finding.ts";
import { resourceId } from "../render/kustomize.ts";
import type { K8sObject } from "../render/objects.ts";
import { type ClusterValues, valueAt } from "./cluster_values.ts";
import type { SourceIndex } from "./source_index.ts";
import { parsePath } from "../model/field_path.ts";

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
 * A field whose value generate takes from the cluster's folder (`values`) is reported there, at
 * the line a person edits, naming the rendered field and the generated file it went into.
 */
export function locateObjectFindings(
  findings: readonly ObjectFinding[],
  index: SourceIndex,
  fallbackFile: string,
  values?: ClusterValues,
): Finding[] {
  return findings.map((f) => {
    const loc = index.locate(f.object.kind, f.object.metadata.name, f.field, f.needle);
    const id = resourceId(f.object as K8sObject);
    const generated = { file: loc?.file ?? fallbackFile, line: loc?.line ?? 1 };
    const segments = parsePath(f.field);
    const spot = f.field
      ? values?.ofObject(
        f.object.kind,
        f.object.metadata.name,
        segments,
        { value: valueAt(f.object, segments), object: f.object },
      )
      : null;
    if (spot) {
      const into = generated.file.startsWith("overlays/")
        ? `, generated into ${generated.file}:${generated.line}`
        : "";
      const how = spot.written
        ? `rendered as ${id} ${f.field}${into}`
        : `not set here, so the default applies; rendered as ${id} ${f.field}${into}`;
      return {
        severity: f.severity,
        file: spot.file,
        line: spot.line,
        column: spot.column,
        field: spot.field,
        message: `${f.message} (${spot.field} ${how})`,
        check: f.check,
      };
    }
    return {
      severity: f.severity,
      file: generated.file,
      line: generated.line,
      column: loc?.column ?? 1,
      field: f.field ? `${id} ${f.field}` : id,
      message: f.message,
      check: f.check,
    };
  });
}
