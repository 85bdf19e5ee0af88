/**
 * One HTTP(S) POST to an address resolved and checked beforehand (webhook-target.ts): the
 * socket goes to exactly that address whatever DNS says by now (no rebinding between check
 * and connect), TLS still verifies the certificate for the URL's host name, and redirects are
 * never followed (a 3xx is an answer like any other).
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { ResolvedAddress } from './webhook-target.ts';

/** A `lookup` that answers every host name with the pinned address. */
export function pinnedLookup(pin: ResolvedAddress): LookupFunction {
  return (_host, opts, cb) => {
    // Node 20 asks for every address when it may race IPv4 against IPv6 (autoSelectFamily).
    if ((opts as { all?: boolean }).all)
      (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [pin]);
    else cb(null, pin.address, pin.family);
  };
}

/** Resolves with the answer's status (its body read and dropped); rejects on network failure. */
export function postPinned(
  url: URL,
  pin: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinnedLookup(pin),
        signal: AbortSignal.timeout(timeoutMs),
        agent: false,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
        // Aborted mid-body (the timeout): settle rather than wait for an 'end' that never comes.
        res.on('close', () => {
          if (!res.complete) reject(new Error('the answer was cut off'));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
