/**
 * The fleet's remote settings in headless Chromium (issue 18) against a real server process and a
 * real gateway connected to it: the gateway older than the server's minimum version is flagged; an
 * out-of-range value is refused in the user's language before anything is sent; the
 * organisation's default and one gateway's own settings are saved with the keyboard, and the row
 * turns from pending to applied once the gateway applied them; axe-core finds no serious problem.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchBrowser } from './browser.ts';
import { type InProcessGateway, startInProcessGateway, until } from './in-process-gateway.ts';
import { ADMIN, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

const GATEWAY = 'gw-fleet-browser-01';

describe('remote gateway settings in the admin screen', () => {
  const db = freshDatabaseEnv('pglite');
  let server: ServerProc;
  let browser: Browser;
  let page: Page;
  let gateway: InProcessGateway;

  beforeAll(async () => {
    // The gateway reports 0.1.0: older than this minimum, so the fleet view flags it.
    server = await startServerProcess({ ...db.env, VITALS_MIN_GATEWAY_VERSION: '0.2.0' });
    const token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const g = await server.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: GATEWAY }, token);
    gateway = await startInProcessGateway({ server, gatewayId: GATEWAY, password: g.body.mqtt.password });
    await until('the gateway connected', async () => gateway.gw.status().connected, gateway.log);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await gateway?.stop();
    await server?.kill();
    await db.drop();
  });

  it('flags the outdated gateway, refuses out-of-range values, and shows the settings applied by the gateway', async () => {
    await page.goto(server.base);
    await page.locator('[data-testid="login-form"] input[autocomplete="username"]').fill(ADMIN.email);
    await page.locator('[data-testid="login-form"] input[autocomplete="current-password"]').fill(ADMIN.password);
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    await page.locator('[data-testid="connection-state"]').waitFor({ timeout: 15_000 });
    await page.goto(`${server.base}/#/admin/gateways`);
    const row = page.locator(`[data-testid="fleet-table"] tr[data-gateway-id="${GATEWAY}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('[data-testid="outdated"]').textContent()).toContain('最低バージョンより古い');
    expect(await row.locator('[data-settings-state]').getAttribute('data-settings-state')).toBe('none');

    // The organisation's default: an out-of-range value is refused here, in Japanese, nothing sent.
    const orgForm = page.locator('[data-testid="org-gateway-settings"]');
    await orgForm.locator('input[name="maxReadingsPerSecond"]').fill('5');
    await orgForm.locator('button[type="submit"]').click();
    const problem = orgForm.locator('.field-problem');
    await problem.waitFor();
    expect(await problem.textContent()).toBe('送信の上限（件/秒）：10〜100000 の整数を入力してください。');
    expect(await orgForm.locator('input[name="maxReadingsPerSecond"]').getAttribute('aria-invalid')).toBe('true');
    await orgForm.locator('input[name="maxReadingsPerSecond"]').fill('500');
    await orgForm.locator('select[name="logLevel"]').selectOption('debug');
    await orgForm.locator('button[type="submit"]').click();
    expect(await orgForm.locator('[data-testid="settings-sent"]').textContent()).toBe(
      '保存し、1 台のゲートウェイに送信しました。',
    );

    // One gateway's own setting, with the keyboard only: open, type, Enter.
    await row.locator('button').focus();
    await page.keyboard.press('Enter');
    const gwForm = page.locator('[data-testid="gateway-settings"]');
    await gwForm.waitFor();
    expect(await gwForm.locator('h3').evaluate((h) => h.matches(':focus'))).toBe(true);
    // The organisation's default shows as the placeholder once it has loaded.
    await expect
      .poll(() => gwForm.locator('input[name="maxReadingsPerSecond"]').getAttribute('placeholder'))
      .toBe('500');
    await gwForm.locator('input[name="statusIntervalSeconds"]').focus();
    await page.keyboard.type('30');
    await page.keyboard.press('Enter');
    await gwForm.locator('[data-testid="settings-sent"]').waitFor();

    // The gateway applies both and reports the revision; the row (refreshed while pending) says so.
    // (The row may still show the organisation default's revision as applied for a moment: wait
    // for the gateway to apply this change, then for the row to show that revision applied.)
    await expect.poll(() => gateway.gw.status().settings?.applied?.statusIntervalSeconds, { timeout: 30_000 }).toBe(30);
    const revision = gateway.gw.status().settings!.revision;
    await expect
      .poll(() => row.locator('[data-settings-state]').textContent(), { timeout: 30_000 })
      .toMatch(new RegExp(`^適用済み（版 ${revision}）`));
    expect(await row.locator('[data-settings-state]').getAttribute('data-settings-state')).toBe('applied');
    expect(gateway.gw.status().settings.applied).toMatchObject({
      logLevel: 'debug',
      maxReadingsPerSecond: 500,
      statusIntervalSeconds: 30,
    });
    expect(await accessibilityProblems(page)).toEqual([]);
  }, 120_000);
});
