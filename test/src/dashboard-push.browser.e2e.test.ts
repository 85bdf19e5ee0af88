/**
 * Web Push in the dashboard, in headless Chromium against the real server: the opt-in button
 * appears when the server has VAPID keys, the service worker registers, and a page pushed to it
 * (delivered through the DevTools protocol, as there is no push service here) becomes a
 * notification with the acknowledgement action.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.ts';
import { ADMIN, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

/** The browser's service-worker API, typed here because this project compiles without the DOM library. */
type BrowserNavigator = {
  serviceWorker: {
    register(url: string, options: { scope: string }): Promise<unknown>;
    ready: Promise<{ getNotifications(): Promise<{ title: string; body: string; tag: string }[]> }>;
  };
};

function vapidKeys() {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pub = publicKey.export({ format: 'jwk' });
  const priv = privateKey.export({ format: 'jwk' });
  const raw = Buffer.concat([Buffer.from([4]), Buffer.from(pub.x!, 'base64url'), Buffer.from(pub.y!, 'base64url')]);
  return { publicKey: raw.toString('base64url'), privateKey: priv.d! };
}

describe('Web Push in the dashboard', () => {
  const db = freshDatabaseEnv('pglite');
  const keys = vapidKeys();
  let server: ServerProc;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServerProcess({
      ...db.env,
      VITALS_VAPID_PUBLIC_KEY: keys.publicKey,
      VITALS_VAPID_PRIVATE_KEY: keys.privateKey,
      VITALS_VAPID_SUBJECT: 'mailto:oncall@clinic.test',
    });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.kill();
    await db.drop();
  });

  it('offers the opt-in and shows a pushed alert page as a notification', async () => {
    const context = await browser.newContext();
    await context.grantPermissions(['notifications'], { origin: server.base });
    const page = await context.newPage();
    await page.goto(server.base);
    await page.locator('#login-email').fill(ADMIN.email);
    await page.locator('#login-password').fill(ADMIN.password);
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    const button = page.locator('button.push');
    await expect.poll(() => button.isVisible(), { timeout: 15_000 }).toBe(true);

    await page.evaluate(async () => {
      const nav = (globalThis as unknown as { navigator: BrowserNavigator }).navigator;
      await nav.serviceWorker.register('/sw.js', { scope: '/' });
      await nav.serviceWorker.ready;
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('ServiceWorker.enable');
    const registrationId = await new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (e: { registrations: { registrationId: string }[] }) => {
        if (e.registrations[0]) resolve(e.registrations[0].registrationId);
      });
    });
    const payload = {
      idempotencyKey: 'page-1',
      text: { subject: '【高】佐藤 一郎 SpO2 87 %', body: 'SpO2 below 90 % for 2 minutes' },
      alert: { priority: 'high' },
      ackUrl: `${server.base}/api/v1/alerts/ack-link?t=x`,
      alertUrl: `${server.base}/#/`,
    };
    const shown = () =>
      page.evaluate(async () => {
        const reg = await (globalThis as unknown as { navigator: BrowserNavigator }).navigator.serviceWorker.ready;
        return (await reg.getNotifications()).map((n) => ({ title: n.title, body: n.body, tag: n.tag }));
      });
    // A push delivered while the worker is still starting can be dropped by the browser: deliver
    // until it shows (the notification's tag makes repeats replace, not stack).
    const deadline = Date.now() + 20_000;
    let notifications: Awaited<ReturnType<typeof shown>> = [];
    while (notifications.length === 0 && Date.now() < deadline) {
      await cdp.send('ServiceWorker.deliverPushMessage', {
        origin: server.base,
        registrationId,
        data: JSON.stringify(payload),
      });
      await new Promise((r) => setTimeout(r, 500));
      notifications = await shown();
    }
    expect(notifications).toEqual([
      { title: '【高】佐藤 一郎 SpO2 87 %', body: 'SpO2 below 90 % for 2 minutes', tag: 'page-1' },
    ]);
    await context.close();
  });
});
