/** Container image references, compared with the pins of versions.json. */
import type { Versions } from "../model/versions.ts";

export interface ImageRef {
  /** Fully qualified name without tag: `docker.io/grafana/grafana`. */
  name: string;
  tag?: string;
  digest?: string;
}

/** Parses `grafana/grafana:12.3.0`, `quay.io/x/y@sha256:…`; short Docker Hub names are expanded. */
export function parseImage(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const parts = rest.split("/");
  const first = parts[0] ?? "";
  const hasRegistry = parts.length > 1 && (/[.:]/.test(first) || first === "localhost");
  if (!hasRegistry) {
    if (parts.length === 1) parts.unshift("library");
    parts.unshift("docker.io");
  }
  return {
    name: parts.join("/"),
    ...(tag !== undefined ? { tag } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/**
 * What is wrong with an image reference, or null: it must carry a tag, not `latest`, and equal
 * the pin of versions.json for that image.
 */
export function imageProblem(ref: string, versions: Versions): string | null {
  const img = parseImage(ref);
  const pin = Object.entries(versions.images).find(([, p]) =>
    parseImage(p.image).name === img.name
  );
  const expected = pin ? `${pin[1].image}:${pin[1].tag}` : undefined;
  if (img.tag === undefined && img.digest === undefined) {
    return `expected a pinned tag${
      expected ? ` (${expected})` : ""
    }, found the untagged image ${ref}`;
  }
  if (img.tag === "latest") {
    return `expected a pinned tag${expected ? ` (${expected})` : ""}, found ${ref}`;
  }
  if (!pin) {
    return `expected an image pinned in versions.json (images), found ${ref} which is not there`;
  }
  if (img.tag !== pin[1].tag) {
    return `expected ${expected} (versions.json images.${pin[0]}), found ${ref}`;
  }
  return null;
}
