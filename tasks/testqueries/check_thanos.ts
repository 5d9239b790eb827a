/**
 * Check 3: Thanos Query lists a healthy store for every Prometheus replica's sidecar, and
 * deduplication works: one query returns one series per replica with deduplication off and
 * one series, without the replica label, with it on.
 */
import type { InstantSample } from "./client.ts";
import { type CheckContext, type CheckResult, runCheck } from "./check.ts";

export const ID = "thanos-query";

export function checkThanos(ctx: CheckContext): Promise<CheckResult> {
  return runCheck(ID, "Thanos Query lists every sidecar and deduplicates", ctx, async (run) => {
    const { replicaLabel, replicas } = ctx.target;
    run.call("GET /api/v1/stores");
    const stores = await ctx.thanos.stores();
    const sidecars = stores.sidecar ?? [];
    const healthyReplicas = new Set<string>();
    for (const s of sidecars) {
      const labels = (s.labelSets ?? []).map((ls) => ls[replicaLabel]).filter(Boolean);
      if (s.lastError) {
        run.fail(`store ${s.name} (${labels.join(", ")}) is unhealthy: ${s.lastError}`);
      } else labels.forEach((l) => healthyReplicas.add(l as string));
    }
    for (const r of replicas) {
      if (!healthyReplicas.has(r)) run.fail(`no healthy sidecar store for ${replicaLabel}="${r}"`);
    }
    run.note(`${sidecars.length} sidecar stores: ${sidecars.map((s) => s.name).join(", ")}`);

    const expr = `count by (${replicaLabel}) (up)`;
    const raw = await run.query<InstantSample>(expr, false);
    const seen = raw.result.map((s) => s.metric[replicaLabel] ?? "(none)").sort();
    if (JSON.stringify(seen) !== JSON.stringify([...replicas].sort())) {
      run.fail(
        `dedup=false: series for ${seen.join(", ")}, expected one per replica: ${
          replicas.join(", ")
        }`,
      );
    } else run.note(`dedup=false: ${seen.length} series, one per replica`);
    const dedup = await run.query<InstantSample>(expr, true);
    if (dedup.result.length !== 1 || replicaLabel in (dedup.result[0]?.metric ?? {})) {
      run.fail(
        `dedup=true: ${dedup.result.length} series (${
          dedup.result.map((s) => JSON.stringify(s.metric)).join(", ")
        }), expected one without ${replicaLabel}`,
      );
    } else run.note("dedup=true: 1 series, without the replica label");
  });
}
