/**
 * The local cluster's certificates, made anew for each run with openssl: one CA, the serving
 * certificates of kube-apiserver and etcd, a client certificate per component (its user and
 * groups are what RBAC sees), and the service-account signing key. ECDSA P-256 keys, valid for
 * two days: the cluster lives for a run, never longer.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runOk } from "../proc/run.ts";

/** A certificate to issue, as a pure description. */
export interface CertSpec {
  /** File stem: `<name>.crt` and `<name>.key`. */
  name: string;
  /** Common name: the Kubernetes user of a client certificate. */
  cn: string;
  /** Organisations: the Kubernetes groups of a client certificate. */
  groups?: string[];
  usage: "server" | "client" | "both";
  dns?: string[];
  ips?: string[];
}

/** Where the local cluster's network lives; the ranges are from 198.18.0.0/15 (RFC 2544). */
export interface ClusterNetwork {
  /** The address the API server advertises (the host's address on the pod bridge). */
  advertiseAddress: string;
  /** The `kubernetes` Service's cluster IP: the first address of the Service range. */
  apiServiceIP: string;
  dnsDomain: string;
}

/** The certificates of a local cluster with one node. Pure. */
export function clusterCerts(net: ClusterNetwork, nodeName: string): CertSpec[] {
  return [
    {
      name: "apiserver",
      cn: "kube-apiserver",
      usage: "server",
      dns: [
        "localhost",
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        `kubernetes.default.svc.${net.dnsDomain}`,
      ],
      ips: ["127.0.0.1", net.advertiseAddress, net.apiServiceIP],
    },
    // Scraped by the stack at the host's pod-network address.
    {
      name: "etcd",
      cn: "etcd",
      usage: "both",
      dns: ["localhost"],
      ips: ["127.0.0.1", net.advertiseAddress],
    },
    // The stack's etcd monitor (Secret etcd-client-tls).
    { name: "etcd-metrics-client", cn: "monitoring-etcd-client", usage: "client" },
    { name: "apiserver-etcd-client", cn: "kube-apiserver-etcd-client", usage: "client" },
    { name: "admin", cn: "local-admin", groups: ["system:masters"], usage: "client" },
    // Both also serve their health and metrics endpoints with these, so a client trusting the CA
    // can check them.
    {
      name: "controller-manager",
      cn: "system:kube-controller-manager",
      usage: "both",
      dns: ["localhost"],
      ips: ["127.0.0.1"],
    },
    {
      name: "scheduler",
      cn: "system:kube-scheduler",
      usage: "both",
      dns: ["localhost"],
      ips: ["127.0.0.1"],
    },
    {
      name: "kube-proxy",
      cn: "system:kube-proxy",
      groups: ["system:node-proxier"],
      usage: "client",
    },
    { name: "node", cn: `system:node:${nodeName}`, groups: ["system:nodes"], usage: "client" },
  ];
}

/** The openssl configuration of one certificate: subject and extensions. Pure. */
export function opensslConfig(spec: CertSpec): string {
  const subject = [...(spec.groups ?? []).map((g) => `O=${g}`), `CN=${spec.cn}`];
  const eku = { server: "serverAuth", client: "clientAuth", both: "serverAuth,clientAuth" }[
    spec.usage
  ];
  const sans = [
    ...(spec.dns ?? []).map((d) => `DNS:${d}`),
    ...(spec.ips ?? []).map((ip) => `IP:${ip}`),
  ];
  return [
    "[req]",
    "prompt = no",
    "distinguished_name = dn",
    "[dn]",
    // Repeated keys in a section need a numbered prefix (openssl keeps only the last otherwise).
    ...subject.map((field, i) => `${i}.${field}`),
    "[ext]",
    "basicConstraints = critical, CA:FALSE",
    "keyUsage = critical, digitalSignature, keyEncipherment",
    `extendedKeyUsage = ${eku}`,
    ...(sans.length > 0 ? [`subjectAltName = ${sans.join(", ")}`] : []),
    "",
  ].join("\n");
}

const KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

/** Paths of the files of an issued PKI. */
export interface Pki {
  dir: string;
  ca: string;
  caKey: string;
  /** Service-account token signing key and its public half. */
  saKey: string;
  saPub: string;
  cert(name: string): { cert: string; key: string };
}

/** Issues the CA, every certificate and the service-account key into `dir` (made 0700). */
export async function issuePki(dir: string, specs: readonly CertSpec[]): Promise<Pki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = join(dir, "ca.crt"), caKey = join(dir, "ca.key");
  writeFileSync(
    join(dir, "ca.cnf"),
    [
      "[req]",
      "prompt = no",
      "distinguished_name = dn",
      "[dn]",
      "CN = ha-monitoring local cluster CA",
      "[ext]",
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign, digitalSignature",
      "subjectKeyIdentifier = hash",
      "",
    ].join("\n"),
  );
  await runOk("openssl", [
    "req",
    "-x509",
    "-config",
    join(dir, "ca.cnf"),
    "-extensions",
    "ext",
    ...KEY,
    "-keyout",
    caKey,
    "-out",
    ca,
    "-days",
    "2",
  ]);
  const pki: Pki = {
    dir,
    ca,
    caKey,
    saKey: join(dir, "sa.key"),
    saPub: join(dir, "sa.pub"),
    cert: (name) => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) }),
  };
  await Promise.all([
    ...specs.map(async (spec) => {
      const cnf = join(dir, `${spec.name}.cnf`);
      writeFileSync(cnf, opensslConfig(spec));
      const { cert, key } = pki.cert(spec.name);
      await runOk("openssl", [
        "req",
        "-x509",
        "-config",
        cnf,
        "-extensions",
        "ext",
        ...KEY,
        "-keyout",
        key,
        "-out",
        cert,
        "-days",
        "2",
        "-CA",
        ca,
        "-CAkey",
        caKey,
      ]);
    }),
    (async () => {
      await runOk("openssl", [
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-out",
        pki.saKey,
      ]);
      await runOk("openssl", ["pkey", "-in", pki.saKey, "-pubout", "-out", pki.saPub]);
    })(),
  ]);
  return pki;
}
