import { deepEqual as assertEquals } from "node:assert/strict";
import { objectsOf } from "../render/objects.ts";
import { parseRenderYaml, renderFailureAt } from "./render_cache.ts";

const files = new Map([
  [
    "base/grafana/kustomization.yaml",
    "resources:\n  - service.yaml\n  - service.yaml\n  - servise.yaml\n",
  ],
  ["base/grafana/service.yaml", "kind: Service\n"],
  ["overlays/a/kustomization.yaml", "resources:\n  - ../../base\n  - missing.yaml\n"],
]);

Deno.test("renderFailureAt() points at the kustomization entry of a missing file", () => {
  assertEquals(
    renderFailureAt(
      "accumulating resources: accumulation err='accumulating resources from 'missing.yaml': " +
        "open overlays/a/missing.yaml: no such file or directory'",
      "a",
      files,
    ),
    { file: "overlays/a/kustomization.yaml", line: 3, column: 3 },
  );
  assertEquals(
    renderFailureAt(
      "recursed accumulation of path 'base/grafana': accumulating resources from 'servise.yaml': " +
        "evalsymlink failure",
      "a",
      files,
    ),
    { file: "base/grafana/kustomization.yaml", line: 4, column: 3 },
  );
});

Deno.test("renderFailureAt() points at a malformed file's line and a duplicate's second entry", () => {
  assertEquals(
    renderFailureAt(
      "recursed accumulation of path 'base/grafana': accumulating resources from 'service.yaml': " +
        "MalformedYAMLError: yaml: line 3: mapping values are not allowed in File: service.yaml",
      "a",
      files,
    ),
    { file: "base/grafana/service.yaml", line: 3, column: 1 },
  );
  assertEquals(
    renderFailureAt(
      "recursed accumulation of path 'base/grafana': merging resources from 'service.yaml': " +
        "may not add resource with an already registered id",
      "a",
      files,
    ),
    { file: "base/grafana/kustomization.yaml", line: 3, column: 3 },
  );
  assertEquals(renderFailureAt("something else", "a", files), {
    file: "overlays/a/kustomization.yaml",
    line: 1,
    column: 1,
  });
});

Deno.test("parseRenderYaml() parses every document and returns fresh objects each time", () => {
  const yaml = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n---\napiVersion: v1\n" +
    "kind: ConfigMap\nmetadata:\n  name: b\ndata:\n  x: |\n    ---\n    y\n";
  const first = parseRenderYaml(yaml);
  assertEquals(first.map((o) => `${o.kind}/${o.metadata.name}`), ["Service/a", "ConfigMap/b"]);
  assertEquals(objectsOf(first, "ConfigMap")[0]?.data, { x: "---\ny\n" });
  const second = parseRenderYaml(yaml);
  assertEquals(second, first);
  assertEquals(second[0] === first[0], false);
});
