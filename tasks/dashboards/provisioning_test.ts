/**
 * The folders the documentation names are the folders Grafana shows: each folder of the catalog
 * has a provider reading a directory, the Grafana Deployment mounts that folder's ConfigMap
 * there, and the ConfigMap holds that folder's dashboards. Checked on the real render of base/.
 */
import { REPLICA_LABEL } from "../model/cluster.ts";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { BASE_DIR, ROOT } from "../model/paths.ts";
import { kustomizeBuild } from "../render/kustomize.ts";
import { objectsOf } from "../render/objects.ts";
import { dashboardFile, folderConfigMap, folderPath, FOLDERS } from "./catalog.ts";
import { DATASOURCES } from "./grafana.ts";
import { renderDashboards } from "./generated_files.ts";

/** A panel of a rendered dashboard, the fields these tests read. */
interface Panel {
  datasource?: { uid: string };
  targets?: { expr: string; datasource: { uid: string } }[];
}

/** A dashboard provider of Grafana's provisioning file, the fields this test reads. */
interface Provider {
  name: string;
  folder: string;
  options: { path: string };
}

const { objects } = await kustomizeBuild(BASE_DIR);
const configMap = (prefix: string) =>
  objectsOf(objects, "ConfigMap").find((o) => o.metadata.name.startsWith(prefix));
const grafana = objectsOf(objects, "Deployment").find((o) => o.metadata.name === "grafana");

/** Folder title → the dashboard files Grafana lists in it, as provisioned. */
function provisionedFolders(): Map<string, string[]> {
  const providers: Provider[] =
    parse(configMap("grafana-dashboard-provider-")?.data?.["dashboards.yaml"] ?? "").providers;
  const pod = grafana?.spec.template.spec;
  assert.ok(pod, "the render has the grafana Deployment");
  const container = pod.containers.find((c) => c.name === "grafana");
  const out = new Map<string, string[]>();
  for (const p of providers) {
    const mount = container?.volumeMounts?.find((m) => m.mountPath === p.options.path);
    assert.ok(mount, `nothing is mounted at ${p.options.path}, where provider ${p.name} reads`);
    const volume = pod.volumes?.find((v) => v.name === mount.name);
    const cm = objectsOf(objects, "ConfigMap").find((o) =>
      o.metadata.name === volume?.configMap?.name
    );
    assert.ok(cm, `volume ${mount.name} mounts no ConfigMap of the render`);
    out.set(p.folder, Object.keys(cm.data ?? {}).sort());
  }
  return out;
}

Deno.test("Grafana lists each folder of the catalog with its dashboards, as provisioned", () => {
  const expected = new Map(FOLDERS.map((f) => [f.title, f.dashboards.map(dashboardFile).sort()]));
  assert.deepEqual(provisionedFolders(), expected);
  for (const f of FOLDERS) {
    assert.equal(folderPath(f), `/etc/grafana/dashboards/${f.slug}`);
    assert.ok(configMap(folderConfigMap(f)), folderConfigMap(f));
  }
});

Deno.test("docs/dashboards.md names the provisioned folders and each one's dashboards", () => {
  const doc = readFileSync(join(ROOT, "docs", "dashboards.md"), "utf8");
  const headings = [...doc.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
  assert.deepEqual(headings, [...provisionedFolders().keys()]);
  for (const f of FOLDERS) {
    for (const d of f.dashboards) assert.ok(doc.includes(`| \`${d.uid}\` |`), d.uid);
  }
});

Deno.test("the hand-written docs name only folders Grafana has", () => {
  const titles = new Set(FOLDERS.map((f) => f.title));
  const named: string[] = [];
  for (const name of readdirSync(join(ROOT, "docs"))) {
    if (!name.endsWith(".md")) continue;
    const text = readFileSync(join(ROOT, "docs", name), "utf8").replace(/\s+/g, " ");
    // "the *Monitoring* folder", "the folders *Kubernetes*, *X* and *Y*".
    for (const m of text.matchAll(/folders? ((?:\*[^*]+\*(?:, | and )?)+)/g)) {
      for (const t of (m[1] ?? "").matchAll(/\*([^*]+)\*/g)) named.push(t[1] as string);
    }
    for (const m of text.matchAll(/\*([^*]+)\* folder/g)) named.push(m[1] as string);
  }
  assert.ok(named.length > 0, "no doc names a dashboard folder");
  assert.deepEqual(named.filter((n) => !titles.has(n)), []);
});

Deno.test("only the HA replicas dashboard reads the undeduplicated datasource", () => {
  for (const f of FOLDERS) {
    for (const d of f.dashboards) {
      const json = JSON.parse(renderDashboards().get(`base/dashboards/${dashboardFile(d)}`)!);
      const uids = new Set<string>(
        json.panels.flatMap((p: Panel) => [
          ...(p.datasource ? [p.datasource.uid] : []),
          ...(p.targets ?? []).map((t) => t.datasource.uid),
        ]),
      );
      const want = d.uid === "ha-replicas" ? DATASOURCES.replicas : DATASOURCES.deduplicated;
      assert.deepEqual([...uids], [want], d.uid);
    }
  }
});

Deno.test("the HA replicas dashboard keeps the replicas apart in every query", () => {
  const json = JSON.parse(renderDashboards().get("base/dashboards/ha-replicas.json")!);
  const exprs: string[] = json.panels.flatMap((p: Panel) => (p.targets ?? []).map((t) => t.expr));
  assert.ok(exprs.length >= 6);
  for (const e of exprs) assert.ok(e.includes(`by (${REPLICA_LABEL})`), e);
});

Deno.test("the committed dashboards, folders and docs are what the builders write", () => {
  for (const [path, text] of renderDashboards()) {
    assert.equal(
      readFileSync(join(ROOT, path), "utf8"),
      text,
      `${path} is stale: run deno task docs`,
    );
  }
  const committed = readdirSync(join(BASE_DIR, "dashboards")).filter((n) => n.endsWith(".json"));
  assert.deepEqual(
    committed.sort(),
    FOLDERS.flatMap((f) => f.dashboards.map(dashboardFile)).sort(),
  );
});
