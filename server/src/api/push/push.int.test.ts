/** Web Push's public key through inject() on the real app, with and without VAPID keys configured. */
import { afterAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';

// A key pair's shape is all the route sees; no push is sent here.
const VAPID = {
  VITALS_VAPID_PUBLIC_KEY: 'BPublicKeyOfTheTestServer',
  VITALS_VAPID_PRIVATE_KEY: 'private-key-of-the-test',
};

describe('the VAPID public key route', () => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const a of apps) await a.close();
  });

  it('answers the configured public key to a logged-in caller, and 401 without a login', async () => {
    const t = await buildTestApp({ env: VAPID });
    apps.push(t);
    expect(await t.api('GET', '/api/v1/push/vapid-public-key')).toEqual({
      status: 200,
      body: { publicKey: 'BPublicKeyOfTheTestServer' },
    });
    expect((await t.api('GET', '/api/v1/push/vapid-public-key', undefined, null)).status).toBe(401);
  });

  it('answers 404 saying Web Push is not configured when the server has no VAPID keys', async () => {
    const t = await buildTestApp();
    apps.push(t);
    expect(await t.api('GET', '/api/v1/push/vapid-public-key')).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'Web Push (no VAPID keys configured) not found' } },
    });
  });
});
