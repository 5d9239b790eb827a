import assert from "node:assert/strict";
import { loadVersions } from "../model/versions.ts";
import { containerArgv, imageRepository, runnableImage } from "./images.ts";

const versions = loadVersions();

Deno.test("imageRepository() drops the tag or digest, keeping a registry port", () => {
  assert.equal(imageRepository("quay.io/thanos/thanos:v0.42.2"), "quay.io/thanos/thanos");
  assert.equal(imageRepository("localhost:5000/x@sha256:ab"), "localhost:5000/x");
  assert.equal(imageRepository("localhost:5000/x"), "localhost:5000/x");
});

Deno.test("runnableImage() maps pinned images to their binary, and not Grafana", () => {
  const prometheus = versions.images.prometheus!;
  assert.equal(
    runnableImage(versions, `${prometheus.image}:${prometheus.tag}`)?.run.binary,
    "prometheus",
  );
  const grafana = versions.images.grafana!;
  assert.equal(runnableImage(versions, `${grafana.image}:${grafana.tag}`), undefined);
});

Deno.test("containerArgv() follows Kubernetes' command and args rules over the image's", () => {
  const run = { tool: "t", binary: "b", entrypoint: ["/bin/p"], cmd: ["--a"], workingDir: "/" };
  assert.deepEqual(containerArgv(run, undefined, undefined), ["/bin/p", "--a"]);
  assert.deepEqual(containerArgv(run, undefined, ["--b"]), ["/bin/p", "--b"]);
  assert.deepEqual(containerArgv(run, ["/bin/q"], undefined), ["/bin/q"]);
  assert.deepEqual(containerArgv(run, ["/bin/q"], ["--c"]), ["/bin/q", "--c"]);
});
