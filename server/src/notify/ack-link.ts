/**
 * Signed one-time acknowledgement links (issue 7: "works without logging in again, and
 * only once"). The token names the alert, the recipient and an expiry, signed with HMAC;
 * its nonce is recorded when used, so a second use is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface AckClaim {
  alertId: string;
  userId: string;
  expiresAt: number;
  nonce: string;
}

export function signAckToken(secret: string, c: Omit<AckClaim, 'nonce'> & { nonce?: string }): string {
  const body = Buffer.from(
    JSON.stringify({ a: c.alertId, u: c.userId, x: c.expiresAt, n: c.nonce ?? randomBytes(12).toString('base64url') }),
  ).toString('base64url');
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export type AckTokenCheck =
  | { ok: true; claim: AckClaim }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export function verifyAckToken(secret: string, token: string, now: number): AckTokenCheck {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined) return { ok: false, reason: 'malformed' };
  const want = createHmac('sha256', secret).update(body).digest();
  const got = Buffer.from(sig, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return { ok: false, reason: 'bad_signature' };
  let x: { a?: unknown; u?: unknown; x?: unknown; n?: unknown };
  try {
    x = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof x.a !== 'string' || typeof x.u !== 'string' || typeof x.x !== 'number' || typeof x.n !== 'string')
    return { ok: false, reason: 'malformed' };
  if (now >= x.x) return { ok: false, reason: 'expired' };
  return { ok: true, claim: { alertId: x.a, userId: x.u, expiresAt: x.x, nonce: x.n } };
}

/** Signature header of webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">` (Stripe's scheme). */
export function webhookSignature(secret: string, body: string, unixSeconds: number): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}
