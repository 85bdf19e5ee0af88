/**
 * Where the server may send a webhook or push message (issue 11, item 8: no SSRF). A target
 * URL is https, carries no credentials, and its host resolves only to public unicast
 * addresses; loopback (and http on loopback) only with VITALS_ALLOW_LOOPBACK_WEBHOOKS, for
 * development. Delivery resolves once, checks, and connects to exactly that address.
 */
import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

export interface TargetPolicy {
  /** Development only: loopback targets allowed, over http too. */
  allowLoopback: boolean;
}

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Every address a host name resolves to. Tests pass their own to stand in for DNS. */
export type Resolver = (host: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((a) => ({
    address: a.address,
    family: a.family === 6 ? 6 : 4,
  }));

export type AddressClass = 'public' | 'loopback' | 'forbidden';

/**
 * Public means ipaddr.js's `unicast` range: everything it names (private, link-local with
 * the 169.254.169.254 metadata service, CGNAT, unique-local, multicast, reserved, 6to4,
 * NAT64, ...) is refused. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
 */
export function classifyAddress(ip: string): AddressClass {
  if (!ipaddr.isValid(ip)) return 'forbidden';
  let a = ipaddr.parse(ip);
  if (a.kind() === 'ipv6' && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  const range = a.range();
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'forbidden';
}

/** URL.hostname keeps the brackets of an IPv6 literal. */
const bare = (hostname: string) => hostname.replace(/^\[(.*)\]$/, '$1');

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** What can be told without DNS: scheme, credentials, and an address written as the host. */
export function checkTargetUrl(raw: string, policy: TargetPolicy): UrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'not a URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, reason: 'use an https URL' };
  if (url.username || url.password)
    return { ok: false, reason: 'put no user name or password in the URL; use the signing secret instead' };
  const host = bare(url.hostname);
  if (!host) return { ok: false, reason: 'the URL names no host' };
  if (ipaddr.isValid(host)) {
    const verdict = addressVerdict(classifyAddress(host), url, policy);
    if (verdict) return { ok: false, reason: verdict };
  } else if (url.protocol === 'http:' && !policy.allowLoopback) return { ok: false, reason: 'use an https URL' };
  return { ok: true, url };
}

/** The one answer for a host that is internal or does not resolve: no probing of the network. */
export const NOT_PUBLIC_TARGET =
  'the host is not a public internet address (private, loopback, link-local and similar addresses are refused)';

function addressVerdict(c: AddressClass, url: URL, policy: TargetPolicy): string | null {
  if (c === 'forbidden' || (c === 'loopback' && !policy.allowLoopback)) return NOT_PUBLIC_TARGET;
  if (c === 'public' && url.protocol !== 'https:') return 'use an https URL';
  return null;
}

export type TargetCheck =
  | { ok: true; url: URL; pin: ResolvedAddress }
  | {
      ok: false;
      /** The policy forbids the target; false: the name did not resolve (may be transient). */
      refused: boolean;
      /** Safe to show whoever entered the URL: says nothing of what the name resolves to. */
      reason: string;
      /** What happened, for the server log only. */
      detail: string;
    };

/** Resolves the host once and checks every address; the first is the one to connect to. */
export async function resolveTarget(raw: string, policy: TargetPolicy, resolve: Resolver): Promise<TargetCheck> {
  const checked = checkTargetUrl(raw, policy);
  if (!checked.ok) return { ok: false, refused: true, reason: checked.reason, detail: checked.reason };
  const { url } = checked;
  const host = bare(url.hostname);
  let addresses: ResolvedAddress[];
  if (ipaddr.isValid(host)) addresses = [{ address: host, family: host.includes(':') ? 6 : 4 }];
  else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      return {
        ok: false,
        refused: false,
        reason: NOT_PUBLIC_TARGET,
        detail: `cannot resolve ${host}: ${(e as Error).message}`,
      };
    }
    if (addresses.length === 0)
      return { ok: false, refused: false, reason: NOT_PUBLIC_TARGET, detail: `cannot resolve ${host}: no address` };
  }
  for (const a of addresses) {
    const verdict = addressVerdict(classifyAddress(a.address), url, policy);
    if (verdict)
      return { ok: false, refused: true, reason: verdict, detail: `${host} resolves to ${a.address}: ${verdict}` };
  }
  return { ok: true, url, pin: addresses[0]! };
}
