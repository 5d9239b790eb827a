/** IPv4 address arithmetic for the pod network: CIDR parsing, the gateway, address allocation. */

export interface Cidr {
  /** The network address as an unsigned 32-bit number. */
  network: number;
  prefixLength: number;
}

/** Parses dotted-quad IPv4; throws naming the text when it is not one. */
export function parseIpv4(text: string): number {
  const parts = text.split(".");
  const bytes = parts.map((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) ? Number(p) : NaN);
  if (bytes.length !== 4 || bytes.some((b) => !(b >= 0 && b <= 255))) {
    throw new Error(`not an IPv4 address: ${JSON.stringify(text)}`);
  }
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

export function formatIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Parses `a.b.c.d/len`; the address must be the network's own (no host bits set). */
export function parseCidr(text: string): Cidr {
  const m = /^([0-9.]+)\/([0-9]{1,2})$/.exec(text);
  const prefixLength = m ? Number(m[2]) : NaN;
  if (!m || !(prefixLength >= 0 && prefixLength <= 32)) {
    throw new Error(`not an IPv4 CIDR: ${JSON.stringify(text)}`);
  }
  const address = parseIpv4(m[1] as string);
  const network = (address & netmask(prefixLength)) >>> 0;
  if (network !== address) {
    throw new Error(
      `${text} has host bits set; the network is ${formatIpv4(network)}/${prefixLength}`,
    );
  }
  return { network, prefixLength };
}

function netmask(prefixLength: number): number {
  return prefixLength === 0 ? 0 : (0xffffffff << (32 - prefixLength)) >>> 0;
}

/** The number of addresses in the CIDR, network and broadcast included. */
export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

export function cidrContains(cidr: Cidr, address: number): boolean {
  return ((address & netmask(cidr.prefixLength)) >>> 0) === cidr.network;
}

/** The gateway of a pod CIDR: its first host address (198.18.0.1 for 198.18.0.0/16). */
export function gatewayOf(cidrText: string): string {
  const cidr = parseCidr(cidrText);
  if (cidr.prefixLength > 30) throw new Error(`${cidrText} is too small for a gateway and pods`);
  return formatIpv4(cidr.network + 1);
}

/**
 * The lowest free pod address of `cidrText`: neither the network address, the gateway (the first
 * host), the broadcast address, nor any of `inUse`. Throws when the CIDR is full.
 */
export function nextFreeIp(cidrText: string, inUse: Iterable<string>): string {
  const cidr = parseCidr(cidrText);
  const gateway = parseIpv4(gatewayOf(cidrText));
  const taken = new Set<number>();
  for (const ip of inUse) taken.add(parseIpv4(ip));
  const last = cidr.network + cidrSize(cidr) - 2;
  for (let n = gateway + 1; n <= last; n++) {
    if (!taken.has(n)) return formatIpv4(n);
  }
  throw new Error(`no free address left in ${cidrText} (${taken.size} in use)`);
}
