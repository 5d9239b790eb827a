import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASE_DIR, CLUSTERS_DIR, ROOT } from "../model/paths.ts";
import { run } from "../proc/run.ts";
import { generate, type GenerateOptions } from "./main.ts";
import { readTree } from "./write.ts";

/** A scratch repository with the real base/ and copies of some clusters. */
async function withRepo(
  clusters: readonly string[],
  fn: (root: string) => Promise<void>,
): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), "generate-main-"));
  try {
    await symlink(BASE_DIR, join(root, "base"));
    for (const c of clusters) {
      await cp(join(CLUSTERS_DIR, c), join(root, "clusters", c), { recursive: true });
    }
    await fn(root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function generateIn(root: string, opts: GenerateOptions = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await generate({
    root,
    ...opts,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, out, err };
}

Deno.test("generate() writes each overlay and the schema; --check then finds them fresh", async () => {
  await withRepo(["staging", "edge"], async (root) => {
    const written = await generateIn(root);
    assert.deepEqual(written, {
      code: 0,
      out: [
        "wrote overlays/edge/ (29 files)",
        "wrote overlays/staging/ (30 files)",
        "wrote schemas/cluster.schema.json",
      ],
      err: [],
    });
    const first = await readTree(join(root, "overlays"));
    assert.equal((await generateIn(root)).code, 0);
    assert.deepEqual(await readTree(join(root, "overlays")), first, "a second run is identical");
    assert.deepEqual(await generateIn(root, { check: true }), {
      code: 0,
      out: ["generate --check: 2 overlay(s) and schemas/cluster.schema.json are up to date"],
      err: [],
    });
  });
});

Deno.test("generate --check lists every stale overlay file and exits 1", async () => {
  await withRepo(["staging", "edge"], async (root) => {
    await generateIn(root);
    const overlays = join(root, "overlays");
    await writeFile(join(overlays, "staging", "kustomization.yaml"), "# edited by hand\n");
    await unlink(join(overlays, "edge", "patches", "grafana.yaml"));
    await writeFile(join(overlays, "edge", "notes.txt"), "mine\n");
    assert.deepEqual(await generateIn(root, { check: true }), {
      code: 1,
      out: [],
      err: [
        "overlays/edge/notes.txt is not generated any more; run deno task generate",
        "overlays/edge/patches/grafana.yaml is missing; run deno task generate edge",
        "overlays/staging/kustomization.yaml is stale; run deno task generate staging",
      ],
    });
    // A check of one cluster looks at that overlay only.
    assert.deepEqual((await generateIn(root, { check: true, names: ["staging"] })).err, [
      "overlays/staging/kustomization.yaml is stale; run deno task generate staging",
    ]);
  });
});

Deno.test("generate() on bad input prints file:line:col lines, exits 1 and writes nothing", async () => {
  await withRepo(["staging", "edge"], async (root) => {
    await generateIn(root);
    const before = await readTree(join(root, "overlays"));
    const file = join(root, "clusters", "staging", "prometheus.yaml");
    const text = await readFile(file, "utf8");
    await writeFile(file, text.replace("retention_time: 7d", "retension_time: 14d"));
    await writeFile(join(root, "schemas", "cluster.schema.json"), "{}\n");
    assert.deepEqual(await generateIn(root), {
      code: 1,
      out: [],
      err: [
        "clusters/staging/prometheus.yaml:6:5: error: spec.config.retension_time: unknown key " +
        "`retension_time`; did you mean `retention_time`? (expected one of: enable_admin_api, " +
        "retention_size, retention_time) [schema]",
        "generate: nothing written; fix the 1 error(s) above",
      ],
    });
    assert.deepEqual(await readTree(join(root, "overlays")), before);
    assert.equal(await readFile(join(root, "schemas", "cluster.schema.json"), "utf8"), "{}\n");
  });
});

Deno.test("generate() refuses what the cluster model judges wrong, at the source, writing nothing", async () => {
  await withRepo(["staging", "edge"], async (root) => {
    await generateIn(root);
    const before = await readTree(join(root, "overlays"));
    const edit = async (file: string, from: string, to: string) => {
      const path = join(root, "clusters", file);
      const text = await readFile(path, "utf8");
      assert.ok(text.includes(from), `${file} has no ${from}`);
      await writeFile(path, text.replace(from, to));
    };
    // An inline webhook URL, one Alertmanager, two Grafanas on SQLite, a size beyond the volume.
    await edit(
      "staging/alertmanager.yaml",
      "- api_url_file: /etc/alertmanager/secrets/alertmanager-receivers/slack-api-url",
      "- api_url: https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXXXXXXXXXX",
    );
    await edit("edge/alertmanager.yaml", "replicas: 2", "replicas: 1");
    await writeFile(
      join(root, "clusters", "staging", "grafana.yaml"),
      "apiVersion: addons.metalk8s.scality.com/v1alpha1\nkind: GrafanaConfig\nspec:\n" +
        "  deployment:\n    replicas: 2\n  config:\n    grafana.ini:\n      security:\n" +
        "        admin_password: hunter2\n",
    );
    await edit("edge/prometheus.yaml", "retention_size: 8GB", "retention_size: 12GB");
    const { code, out, err } = await generateIn(root);
    assert.equal(code, 1);
    assert.deepEqual(out, []);
    assert.deepEqual(err.map((l) => l.replace(/: error: .*\[(\S+)\]$/, " [$1]")), [
      "clusters/edge/alertmanager.yaml:6:15 [schema]",
      "clusters/edge/prometheus.yaml:12:21 [schema]",
      "clusters/staging/alertmanager.yaml:14:15 [credentials]",
      "clusters/staging/grafana.yaml:5:15 [schema]",
      "clusters/staging/grafana.yaml:9:9 [credentials]",
      "generate: nothing written; fix the 5 error(s) above",
    ]);
    assert.match(err[0]!, /with one Alertmanager replica there is no cluster/);
    assert.match(err[2]!, /expected no inline credential \(use api_url_file /);
    assert.doesNotMatch(err.join("\n"), /hunter2|XXXXXXXX/);
    assert.deepEqual(await readTree(join(root, "overlays")), before);
  });
});

Deno.test("generate() refuses a cluster name without a folder", async () => {
  await withRepo(["staging"], async (root) => {
    await assert.rejects(() => generateIn(root, { names: ["stagign"] }), {
      name: "UsageError",
      message: "clusters/stagign/cluster.yaml does not exist; clusters are: staging",
    });
  });
});

Deno.test("deno task generate --check passes on the committed overlays", async () => {
  const r = await run(Deno.execPath(), ["run", "-A", "tasks/generate/main.ts", "--check"], {
    cwd: ROOT,
  });
  assert.equal(r.stderr, "");
  assert.equal(
    r.stdout,
    "generate --check: 4 overlay(s) and schemas/cluster.schema.json are up to date\n",
  );
  assert.equal(r.code, 0);
});

Deno.test("deno task generate prints its usage and exits 2 on an unknown flag", async () => {
  const r = await run(Deno.execPath(), ["run", "-A", "tasks/generate/main.ts", "--force"], {
    cwd: ROOT,
  });
  assert.deepEqual([r.code, r.stderr], [
    2,
    "deno task generate: Unknown option '--force'\nusage: deno task generate [options] " +
    "[cluster…]\n(--help says more)\n",
  ]);
});
