/**
 * The versions prometheus-operator says it supports, read from its own source
 * (`pkg/operator/defaults.go` of the pinned module): the Prometheus releases of its compatibility
 * matrix and its default Thanos and Alertmanager releases.
 */
import { join } from "node:path";
import { goModDownload } from "../schemas/gomod.ts";

export interface OperatorCompatibility {
  /** Every Prometheus release the operator is tested with (`v3.13.1`, …). */
  prometheus: string[];
  /** The Thanos release it deploys by default: the newest it knows. */
  thanos: string;
  /** The Alertmanager release it deploys by default: the newest it knows. */
  alertmanager: string;
}

/** Parses defaults.go; throws naming what it did not find (the file's layout changed). */
export function parseOperatorDefaults(source: string): OperatorCompatibility {
  const matrix = /PrometheusCompatibilityMatrix\s*=\s*\[\]string\{([^}]*)\}/.exec(source)?.[1];
  const thanos = /DefaultThanosVersion\s*=\s*"(v[\d.]+)"/.exec(source)?.[1];
  const alertmanager = /DefaultAlertmanagerVersion\s*=\s*"(v[\d.]+)"/.exec(source)?.[1];
  if (!matrix || !thanos || !alertmanager) {
    throw new Error(
      "pkg/operator/defaults.go has no PrometheusCompatibilityMatrix, DefaultThanosVersion or " +
        "DefaultAlertmanagerVersion: read the operator's compatibility another way",
    );
  }
  // Only the quoted entries: the list carries comments about missing tags.
  const prometheus = [...matrix.matchAll(/^\s*"(v[\d.]+)"/gm)].map((m) => m[1] as string);
  return { prometheus, thanos, alertmanager };
}

/** -1, 0 or 1 comparing two release versions (`v0.42.2`, `0.42.4`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, "").split(".").map(Number);
  const pb = b.replace(/^v/, "").split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** Why the images are outside what the operator supports; empty when they are inside. */
export function compatibilityProblems(
  compat: OperatorCompatibility,
  images: { prometheus: string; thanos: string; alertmanager: string },
): string[] {
  const out: string[] = [];
  if (!compat.prometheus.includes(images.prometheus)) {
    out.push(
      `Prometheus ${images.prometheus} is not in the operator's compatibility matrix ` +
        `(${compat.prometheus.at(0)} … ${compat.prometheus.at(-1)})`,
    );
  }
  if (compareVersions(images.thanos, compat.thanos) > 0) {
    out.push(`Thanos ${images.thanos} is newer than the operator's ${compat.thanos}`);
  }
  if (compareVersions(images.alertmanager, compat.alertmanager) > 0) {
    out.push(
      `Alertmanager ${images.alertmanager} is newer than the operator's ${compat.alertmanager}`,
    );
  }
  return out;
}

/** The operator's compatibility, read from the pinned module's source. */
export async function loadOperatorCompatibility(
  module: string,
  version: string,
): Promise<OperatorCompatibility> {
  const { dir } = await goModDownload(module, version);
  return parseOperatorDefaults(
    await Deno.readTextFile(join(dir, "pkg", "operator", "defaults.go")),
  );
}
