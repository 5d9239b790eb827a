/**
 * A small Kubernetes API client over fetch: TLS with the cluster's CA, a client certificate or a
 * bearer token, discovery of each kind's resource name, server-side apply (optionally as a dry
 * run), get, list, delete, status updates and watches. Every task that talks to an API server
 * (validate's dry-run, the apply of `up`, the node agent) goes through it.
 */
import { readFileSync } from "node:fs";
import type { K8sObject, KindOf } from "../render/objects.ts";

/** How to reach and authenticate to an API server. */
export interface KubeCredentials {
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  ca: string;
  /** PEM client certificate and key, or a bearer token. */
  cert?: string;
  key?: string;
  token?: string;
}

/** A kind's REST resource, as discovery gives it. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name (`statefulsets`). */
  resource: string;
  namespaced: boolean;
}

/** What a request may carry besides its method and path. */
interface RequestOptions {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string>;
  signal?: AbortSignal;
}

/** An API error: the HTTP status and the server's Status message. */
export class KubeError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
    /** The Status object's `details.causes`, each naming a field. */
    readonly causes: { field?: string; message?: string; reason?: string }[] = [],
  ) {
    super(message);
  }
}

/** `apps/v1` → ["apps", "v1"]; `v1` → ["", "v1"]. */
export function splitApiVersion(apiVersion: string): [string, string] {
  const i = apiVersion.indexOf("/");
  return i < 0 ? ["", apiVersion] : [apiVersion.slice(0, i), apiVersion.slice(i + 1)];
}

/** The collection path of a resource, in a namespace when it is namespaced. Pure. */
export function collectionPath(info: ResourceInfo, namespace?: string): string {
  const prefix = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
  const ns = info.namespaced ? `/namespaces/${encodeURIComponent(namespace ?? "default")}` : "";
  return `${prefix}${ns}/${info.resource}`;
}

/** The path of one object. Pure. */
export function objectPath(info: ResourceInfo, namespace: string | undefined, name: string) {
  return `${collectionPath(info, namespace)}/${encodeURIComponent(name)}`;
}

export interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: K8sObject;
}

export class KubeClient {
  readonly #http: Deno.HttpClient;
  readonly #headers: Record<string, string>;
  readonly #resources = new Map<string, ResourceInfo>();
  readonly server: string;

  constructor(readonly credentials: KubeCredentials) {
    this.server = credentials.server.replace(/\/$/, "");
    this.#http = Deno.createHttpClient({
      caCerts: [credentials.ca],
      ...(credentials.cert && credentials.key
        ? { cert: credentials.cert, key: credentials.key }
        : {}),
    });
    this.#headers = credentials.token ? { authorization: `Bearer ${credentials.token}` } : {};
  }

  /** A client from PEM files (the local cluster's PKI). */
  static fromFiles(server: string, ca: string, cert: string, key: string): KubeClient {
    return new KubeClient({
      server,
      ca: readFileSync(ca, "utf8"),
      cert: readFileSync(cert, "utf8"),
      key: readFileSync(key, "utf8"),
    });
  }

  close(): void {
    this.#http.close();
  }

  /** One request; JSON in and out. Throws KubeError on a status of 400 or more. */
  async request<T = unknown>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.#fetch(method, path, opts);
    const text = await res.text();
    const body = text ? JSON.parse(text) : undefined;
    if (res.status >= 400) throw toKubeError(res.status, body, `${method} ${path}`);
    return body as T;
  }

  /** A GET whose answer is text (`/readyz`, `/metrics`): its status and body, never throwing on
   * a status. */
  async getText(path: string, signal?: AbortSignal): Promise<{ status: number; body: string }> {
    const res = await this.#fetch("GET", path, signal ? { signal } : {});
    return { status: res.status, body: await res.text() };
  }

  async #fetch(method: string, path: string, opts: RequestOptions): Promise<Response> {
    const query = opts.query ? `?${new URLSearchParams(opts.query)}` : "";
    return await fetch(`${this.server}${path}${query}`, {
      method,
      client: this.#http,
      headers: {
        ...this.#headers,
        accept: "application/json",
        ...(opts.body !== undefined
          ? { "content-type": opts.contentType ?? "application/json" }
          : {}),
      },
      ...(opts.body !== undefined
        ? { body: typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body) }
        : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  }

  /** The resource of a kind, through discovery (cached; refreshed once on a miss, for CRDs). */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const key = `${apiVersion}/${kind}`;
    const hit = this.#resources.get(key);
    if (hit) return hit;
    await this.#discover(apiVersion);
    const info = this.#resources.get(key);
    if (!info) {
      throw new KubeError(
        404,
        "NotFound",
        `the API server serves no kind ${kind} in ${apiVersion}`,
      );
    }
    return info;
  }

  async #discover(apiVersion: string): Promise<void> {
    const [group, version] = splitApiVersion(apiVersion);
    const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
    let list: { resources?: { name: string; kind: string; namespaced: boolean }[] };
    try {
      list = await this.request("GET", path);
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return;
      throw e;
    }
    for (const r of list.resources ?? []) {
      if (r.name.includes("/")) continue; // subresources
      this.#resources.set(`${apiVersion}/${r.kind}`, {
        group,
        version,
        kind: r.kind,
        resource: r.name,
        namespaced: r.namespaced,
      });
    }
  }

  /** Forgets discovered kinds (after CRDs were added). */
  forgetDiscovery(): void {
    this.#resources.clear();
  }

  /**
   * Server-side apply of one object, as a reconciler does: the object is the whole intent of
   * `fieldManager`, conflicts with other managers are forced. `dryRun` asks the server to run
   * every admission and validation step without persisting.
   */
  async apply(
    obj: K8sObject,
    opts: { fieldManager: string; dryRun?: boolean; namespace?: string },
  ): Promise<K8sObject> {
    const info = await this.resourceFor(obj.apiVersion, obj.kind);
    const ns = obj.metadata.namespace ?? opts.namespace;
    return await this.request<K8sObject>(
      "PATCH",
      objectPath(info, ns, obj.metadata.name),
      {
        body: info.namespaced && ns
          ? { ...obj, metadata: { ...obj.metadata, namespace: ns } }
          : obj,
        contentType: "application/apply-patch+yaml",
        query: {
          fieldManager: opts.fieldManager,
          force: "true",
          ...(opts.dryRun ? { dryRun: "All" } : {}),
        },
      },
    );
  }

  /** The object, or undefined when it does not exist. */
  async get<K extends string>(
    apiVersion: string,
    kind: K,
    namespace: string | undefined,
    name: string,
  ): Promise<KindOf<K> | undefined> {
    const info = await this.resourceFor(apiVersion, kind);
    try {
      return await this.request<KindOf<K>>("GET", objectPath(info, namespace, name));
    } catch (e) {
      if (e instanceof KubeError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** Every object of a kind (in a namespace, or all namespaces), optionally by selector. */
  async list<K extends string>(
    apiVersion: string,
    kind: K,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
  ): Promise<{ items: KindOf<K>[]; resourceVersion: string }> {
    const info = await this.resourceFor(apiVersion, kind);
    const path = info.namespaced && opts.namespace
      ? collectionPath(info, opts.namespace)
      : collectionPath({ ...info, namespaced: false });
    const query: Record<string, string> = {};
    if (opts.labelSelector) query.labelSelector = opts.labelSelector;
    if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
    const list = await this.request<{ items: KindOf<K>[]; metadata: { resourceVersion: string } }>(
      "GET",
      path,
      { query },
    );
    return {
      items: list.items.map((o) => ({ ...o, apiVersion, kind })),
      resourceVersion: list.metadata.resourceVersion,
    };
  }

  /** Deletes an object; absent already is fine. */
  async delete(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
    opts: { gracePeriodSeconds?: number } = {},
  ): Promise<void> {
    const info = await this.resourceFor(apiVersion, kind);
    try {
      await this.request("DELETE", objectPath(info, namespace, name), {
        ...(opts.gracePeriodSeconds !== undefined
          ? { query: { gracePeriodSeconds: String(opts.gracePeriodSeconds) } }
          : {}),
      });
    } catch (e) {
      if (!(e instanceof KubeError && e.status === 404)) throw e;
    }
  }

  /** Creates an object (POST); returns what the server stored. */
  async create(obj: K8sObject, subresource?: string): Promise<K8sObject> {
    const info = await this.resourceFor(obj.apiVersion, obj.kind);
    const base = collectionPath(info, obj.metadata.namespace);
    const path = subresource
      ? `${objectPath(info, obj.metadata.namespace, obj.metadata.name)}/${subresource}`
      : base;
    return await this.request<K8sObject>("POST", path, { body: obj });
  }

  /** A JSON merge patch of an object or one of its subresources (`status`). */
  async mergePatch<K extends string>(
    apiVersion: string,
    kind: K,
    namespace: string | undefined,
    name: string,
    patch: unknown,
    subresource?: string,
  ): Promise<KindOf<K>> {
    const info = await this.resourceFor(apiVersion, kind);
    const path = objectPath(info, namespace, name) + (subresource ? `/${subresource}` : "");
    return await this.request<KindOf<K>>("PATCH", path, {
      body: patch,
      contentType: "application/merge-patch+json",
    });
  }

  /**
   * Watches a kind from a resource version, calling `onEvent` per event until `signal` aborts or
   * the server ends the stream (the caller lists and watches again then).
   */
  async watch(
    apiVersion: string,
    kind: string,
    opts: {
      namespace?: string;
      fieldSelector?: string;
      labelSelector?: string;
      resourceVersion: string;
      signal: AbortSignal;
    },
    onEvent: (e: WatchEvent) => void | Promise<void>,
  ): Promise<void> {
    const info = await this.resourceFor(apiVersion, kind);
    const path = info.namespaced && opts.namespace
      ? collectionPath(info, opts.namespace)
      : collectionPath({ ...info, namespaced: false });
    const query: Record<string, string> = {
      watch: "true",
      resourceVersion: opts.resourceVersion,
      allowWatchBookmarks: "true",
      timeoutSeconds: "300",
    };
    if (opts.fieldSelector) query.fieldSelector = opts.fieldSelector;
    if (opts.labelSelector) query.labelSelector = opts.labelSelector;
    const res = await this.#fetch("GET", path, { query, signal: opts.signal });
    if (res.status >= 400) {
      const text = await res.text();
      throw toKubeError(res.status, text ? JSON.parse(text) : undefined, `watch ${path}`);
    }
    if (!res.body) return;
    const dec = new TextDecoder();
    let buffer = "";
    try {
      for await (const chunk of res.body) {
        buffer += dec.decode(chunk, { stream: true });
        let nl;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line) continue;
          const event = JSON.parse(line) as WatchEvent;
          if (event.type !== "ERROR" && event.type !== "BOOKMARK") {
            event.object = { ...event.object, apiVersion, kind };
          }
          await onEvent(event);
        }
      }
    } catch (e) {
      if (!opts.signal.aborted) throw e;
    }
  }
}

function toKubeError(status: number, body: unknown, what: string): KubeError {
  const s = body as {
    message?: string;
    reason?: string;
    details?: { causes?: { field?: string; message?: string; reason?: string }[] };
  } | undefined;
  return new KubeError(
    status,
    s?.reason ?? String(status),
    s?.message ?? `${what}: HTTP ${status}`,
    s?.details?.causes ?? [],
  );
}
