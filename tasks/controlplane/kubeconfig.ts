/** Kubeconfig files of the local cluster: one per user, certificates embedded. */
import { readFileSync } from "node:fs";
import { stringify } from "yaml";

export interface KubeconfigUser {
  /** PEM client certificate and key, or a bearer token. */
  cert?: string;
  key?: string;
  token?: string;
}

const b64 = (pem: string) => btoa(pem);

/** The text of a kubeconfig with one cluster, user and context. Pure. */
export function kubeconfigText(
  opts: { server: string; ca: string; user: string; context: string } & KubeconfigUser,
): string {
  const user: Record<string, string> = {};
  if (opts.cert && opts.key) {
    user["client-certificate-data"] = b64(opts.cert);
    user["client-key-data"] = b64(opts.key);
  }
  if (opts.token) user.token = opts.token;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{
      name: opts.context,
      cluster: { server: opts.server, "certificate-authority-data": b64(opts.ca) },
    }],
    users: [{ name: opts.user, user }],
    contexts: [{ name: opts.context, context: { cluster: opts.context, user: opts.user } }],
    "current-context": opts.context,
  });
}

/** A kubeconfig for a certificate pair on disk. */
export function certKubeconfig(
  server: string,
  context: string,
  user: string,
  files: { ca: string; cert: string; key: string },
): string {
  return kubeconfigText({
    server,
    context,
    user,
    ca: readFileSync(files.ca, "utf8"),
    cert: readFileSync(files.cert, "utf8"),
    key: readFileSync(files.key, "utf8"),
  });
}
