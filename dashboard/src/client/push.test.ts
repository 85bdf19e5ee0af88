import { describe, expect, it } from 'vitest';
import { base64UrlToBytes } from './push.ts';

describe('base64UrlToBytes', () => {
  it('decodes a VAPID public key without padding into its 65 raw bytes', () => {
    // An uncompressed P-256 point: 0x04 then 64 bytes.
    const raw = Uint8Array.from({ length: 65 }, (_, i) => (i === 0 ? 4 : (i * 37) % 256));
    const key = btoa(String.fromCharCode(...raw))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(key).not.toContain('=');
    expect(base64UrlToBytes(key)).toStrictEqual(raw);
  });

  it('turns - and _ back into + and /', () => {
    expect(Array.from(base64UrlToBytes('-_8'))).toEqual([0xfb, 0xff]);
  });
});
