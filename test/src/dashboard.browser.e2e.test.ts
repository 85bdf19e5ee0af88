import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading } from '@vitals/contract';
import { TOTP_PERIOD, totpCode } from '@vitals/server/auth/totp.ts';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.ts';
import { RawGateway } from './gateway-client.ts';
import { ADMIN, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

const DEVICE = 'ble:00:1c:05:aa:bb:01';
const SHOTS = join(tmpdir(), 'vitals-screenshots');

function spo2(i: number, t: number, value: number): Reading {
  return {
    id: `gw-browser-01:e2e:${String(i).padStart(12, '0')}`,
    device: { id: DEVICE, transport: 'ble', model: '3230' },
    time: new Date(t).toISOString(),
    timeSource: 'gateway',
    metric: 'spo2',
    value,
    unit: '%',
  };
}

describe('dashboard in headless Chromium against the real server', () => {
  const db = freshDatabaseEnv('pglite');
  let server: ServerProc;
  let browser: Browser;
  let gw: RawGateway;
  let patientId: string;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startServerProcess(db.env);
    const token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    patientId = (await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '鈴木 和子' }, token)).body
      .id;
    const g = await server.api<{ mqtt: { password: string } }>(
      'POST',
      '/api/v1/gateways',
      { id: 'gw-browser-01' },
      token,
    );
    await server.api(
      'POST',
      '/api/v1/bindings',
      { deviceId: DEVICE, patientId, from: '2026-01-01T00:00:00Z', gatewayId: 'gw-browser-01' },
      token,
    );
    gw = await RawGateway.connect(server.mqttUrl, 'gw-browser-01', g.body.mqtt.password);
    // The last hour of a 1-per-minute SpO2 with a dip in the middle.
    const now = Date.now();
    const history = Array.from({ length: 60 }, (_, i) => spo2(i, now - (60 - i) * 60_000, i >= 25 && i < 30 ? 88 : 96));
    const ack = await gw.send('gw-browser-01:b-history', history);
    expect(ack.accepted).toBe(60);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await gw?.close();
    await server?.kill();
    await db.drop();
  });

  it('logs in, shows the patient with the latest SpO2, draws the chart, and updates live', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // The content security policy (no inline script or style) must not break the dashboard.
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
    });
    const first = await page.goto(server.base);
    expect(first?.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    await page.locator('[data-testid="login-form"] input[type="email"]').fill(ADMIN.email);
    await page.locator('[data-testid="login-form"] input[type="password"]').fill(ADMIN.password);
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();

    const card = page.locator(`[data-testid="patient-card"][data-patient-id="${patientId}"]`);
    await card.waitFor({ timeout: 15_000 });
    await expect.poll(() => card.textContent()).toContain('鈴木 和子');
    const value = card.locator('[data-testid="metric-value"][data-metric="spo2"]');
    await expect.poll(() => value.textContent()).toBe('96');
    await page.screenshot({ path: join(SHOTS, 'wall.png') });

    // A new reading arrives over MQTT: the wall updates without a reload (server-sent events).
    await page.locator('[data-testid="connection-state"]').waitFor();
    const ack = await gw.send('gw-browser-01:b-live', [spo2(1000, Date.now(), 91)]);
    expect(ack.accepted).toBe(1);
    await expect.poll(() => value.textContent(), { timeout: 15_000 }).toBe('91');

    await card.locator('a').first().click();
    const chart = page.locator('[data-testid="chart"][data-metric="spo2"]');
    await chart.waitFor({ timeout: 15_000 });
    // The chart has really drawn something: count coloured pixels on uPlot's canvas.
    const painted = await chart
      .locator('canvas')
      .first()
      .evaluate((el) => {
        const c = el as unknown as {
          width: number;
          height: number;
          getContext(k: '2d'): {
            getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
          };
        };
        const ctx = c.getContext('2d');
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) n++;
        return n;
      });
    expect(painted).toBeGreaterThan(500);
    await page.screenshot({ path: join(SHOTS, 'patient.png') });
    expect(refused).toEqual([]);
  });

  it('signs in with the one-time code of a second factor (autocomplete one-time-code)', async () => {
    // A nurse invited by the administrator, who set a password and enrolled TOTP.
    const admin = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const me = await server.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me', undefined, admin);
    const org = me.body.organisations[0]!.organisationId;
    const inv = await server.api<{ invitation: { token: string } }>(
      'POST',
      `/api/v1/organisations/${org}/users`,
      { email: 'nurse.totp@clinic.test', displayName: '看護師 佐藤', profession: 'nurse' },
      admin,
    );
    const password = 'a nurse passphrase 7';
    const nurse = (
      await server.api<{ token: string }>(
        'POST',
        '/api/v1/auth/invitations/accept',
        { token: inv.body.invitation.token, password },
        null,
      )
    ).body.token;
    const enrol = await server.api<{ secret: string }>('POST', '/api/v1/auth/totp/enrol', undefined, nurse);
    const secret = enrol.body.secret;
    expect(
      (await server.api('POST', '/api/v1/auth/totp/confirm', { code: await totpCode(secret) }, nurse)).status,
    ).toBe(200);

    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(server.base);
    await page.locator('[data-testid="login-form"] input[autocomplete="username"]').fill('nurse.totp@clinic.test');
    await page.locator('[data-testid="login-form"] input[autocomplete="current-password"]').fill(password);
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    const code = page.locator('[data-testid="login-form"] input[autocomplete="one-time-code"]');
    await code.waitFor({ timeout: 15_000 });
    // The next step's code: later than the one used at enrolment (a code is accepted once).
    await code.fill(await totpCode(secret, Math.floor(Date.now() / 1000) + TOTP_PERIOD));
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    // Signed in: the shell with its connection state replaces the form.
    await page.locator('[data-testid="connection-state"]').waitFor({ timeout: 15_000 });
    expect(await page.locator('[data-testid="login-form"]').count()).toBe(0);
  });
});
