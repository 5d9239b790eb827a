import { deepEqual as assertEquals } from "node:assert/strict";
import { parseVersions } from "../model/versions.ts";
import { imageProblem, parseImage } from "./images.ts";

const versions = parseVersions(JSON.stringify({
  deno: "2.9.6",
  images: {
    grafana: { image: "docker.io/grafana/grafana", tag: "12.3.0" },
    prometheus: { image: "quay.io/prometheus/prometheus", tag: "v3.16.0" },
  },
  tools: {},
}));

Deno.test("parseImage() expands Docker Hub names and splits tag and digest", () => {
  assertEquals(parseImage("grafana/grafana:12.3.0"), {
    name: "docker.io/grafana/grafana",
    tag: "12.3.0",
  });
  assertEquals(parseImage("busybox"), { name: "docker.io/library/busybox" });
  assertEquals(parseImage("localhost:5000/x@sha256:ab"), {
    name: "localhost:5000/x",
    digest: "sha256:ab",
  });
});

Deno.test("imageProblem() accepts the pin and names it when the image differs", () => {
  assertEquals(imageProblem("quay.io/prometheus/prometheus:v3.16.0", versions), null);
  assertEquals(
    imageProblem("quay.io/prometheus/prometheus:v3.15.0", versions),
    "expected quay.io/prometheus/prometheus:v3.16.0 (versions.json images.prometheus), found " +
      "quay.io/prometheus/prometheus:v3.15.0",
  );
  assertEquals(
    imageProblem("grafana/grafana:latest", versions),
    "expected a pinned tag (docker.io/grafana/grafana:12.3.0), found grafana/grafana:latest",
  );
  assertEquals(
    imageProblem("quay.io/prometheus/prometheus", versions),
    "expected a pinned tag (quay.io/prometheus/prometheus:v3.16.0), found the untagged image " +
      "quay.io/prometheus/prometheus",
  );
  assertEquals(
    imageProblem("busybox:1.36", versions),
    "expected an image pinned in versions.json (images), found busybox:1.36 which is not there",
  );
});
