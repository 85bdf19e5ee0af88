import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signAckToken, verifyAckToken, webhookSignature } from './ack-link.ts';

describe('acknowledgement link tokens', () => {
  const claim = { alertId: 'a1', userId: 'u1', expiresAt: 2_000, nonce: 'n1' };
  it('verifies a token it signed and returns the claim', () => {
    expect(verifyAckToken('k', signAckToken('k', claim), 1_000)).toEqual({ ok: true, claim });
  });
  it.each([
    ['another key', (t: string) => t, 'other', 1_000, 'bad_signature'],
    ['a changed body', (t: string) => `x${t}`, 'k', 1_000, 'bad_signature'],
    ['no signature', (t: string) => t.split('.')[0]!, 'k', 1_000, 'malformed'],
    ['past its expiry', (t: string) => t, 'k', 2_000, 'expired'],
  ])('refuses a token with %s', (_n, change, key, now, reason) => {
    expect(verifyAckToken(key, change(signAckToken('k', claim)), now)).toEqual({ ok: false, reason });
  });
});

it('signs webhook bodies as t=<seconds>,v1=<hex HMAC of "t.body">', () => {
  const want = createHmac('sha256', 's3cret').update('1700000000.{"a":1}').digest('hex');
  expect(webhookSignature('s3cret', '{"a":1}', 1_700_000_000)).toBe(`t=1700000000,v1=${want}`);
});
