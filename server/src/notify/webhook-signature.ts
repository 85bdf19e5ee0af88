/**
 * Verifying a webhook as its receiver does (issue 17; docs/interop.md shows the same in a few
 * lines): the `X-Vitals-Signature` header is `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "t.body">` (notify/ack-link.ts signs). A receiver refuses a signature that does not match, a
 * timestamp outside the replay window (default 5 minutes either way), and a delivery id it has
 * already accepted within that window (a replay of a captured request).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const REPLAY_WINDOW_SECONDS = 300;

export type Verdict = { ok: true } | { ok: false; reason: 'malformed' | 'bad_signature' | 'stale' | 'replayed' };

export function verifyWebhookSignature(o: {
  secret: string;
  header: string | undefined;
  body: string;
  /** The receiver's clock, unix seconds. */
  now: number;
  windowSeconds?: number;
  /** X-Vitals-Delivery of the request, and the ids accepted within the window (updated on success). */
  deliveryId?: string;
  seen?: Set<string>;
}): Verdict {
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(o.header ?? '');
  if (!m) return { ok: false, reason: 'malformed' };
  const t = Number(m[1]);
  const want = createHmac('sha256', o.secret).update(`${t}.${o.body}`).digest();
  const got = Buffer.from(m[2]!, 'hex');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(o.now - t) > (o.windowSeconds ?? REPLAY_WINDOW_SECONDS)) return { ok: false, reason: 'stale' };
  if (o.deliveryId !== undefined && o.seen) {
    if (o.seen.has(o.deliveryId)) return { ok: false, reason: 'replayed' };
    o.seen.add(o.deliveryId);
  }
  return { ok: true };
}
