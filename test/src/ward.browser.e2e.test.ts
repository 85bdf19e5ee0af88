/**
 * The care team's dashboard (issue 16) in headless Chromium against one real server for all
 * cases: the ward board's order and its live change when an alert opens, acknowledging from the
 * inbox, the alert's deep link and story, both languages, and axe-core on every page (no serious
 * or critical violation). With VITALS_SCREENSHOTS=dir (`pnpm -s screenshots`) it also saves the
 * pages (ja) there.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from './browser.ts';
import { ADMIN, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

const SHOTS = process.env.VITALS_SCREENSHOTS;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Serious and critical axe-core violations of the page as it is now: none expected. */
async function accessibilityProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe('the care team dashboard in Chromium', () => {
  const db = freshDatabaseEnv('pglite');
  let server: ServerProc;
  let browser: Browser;
  let page: Page;
  let token: string;
  const ids: Record<'calm' | 'fever' | 'later', string> = { calm: '', fever: '', later: '' };

  const observe = (patientId: string, temperature: number) =>
    server.api(
      'POST',
      `/api/v1/patients/${patientId}/observations`,
      { readings: [{ metric: 'body_temperature', value: temperature }] },
      token,
    );
  const order = () =>
    page
      .locator('[data-testid="patient-card"]')
      .evaluateAll((cards) => cards.map((c) => c.getAttribute('data-patient-id')));
  const stateOf = (id: string) =>
    page.locator(`[data-testid="patient-card"][data-patient-id="${id}"]`).getAttribute('data-ward-state');

  beforeAll(async () => {
    server = await startServerProcess(db.env);
    token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const names = { calm: '青木 静子', fever: '井上 健', later: '上田 花子' } as const;
    for (const key of Object.keys(names) as (keyof typeof names)[])
      ids[key] = (
        await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: names[key] }, token)
      ).body.id;
    expect((await observe(ids.calm, 36.6)).status).toBe(201);
    expect((await observe(ids.later, 36.8)).status).toBe(201);
    // 38.4 °C: the temperature rule's medium band (a spot measurement alarms at once).
    expect((await observe(ids.fever, 38.4)).status).toBe(201);
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.kill();
    await db.drop();
  });

  it('orders the ward board by what needs a person now, and moves a patient up live when an alert opens', async () => {
    await page.goto(server.base);
    await shot(page, 'sign-in');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.locator('[data-testid="login-form"] input[autocomplete="username"]').fill(ADMIN.email);
    await page.locator('[data-testid="login-form"] input[autocomplete="current-password"]').fill(ADMIN.password);
    await page.locator('[data-testid="login-form"] button[type="submit"]').click();
    await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 15_000 });
    await expect.poll(order, { timeout: 15_000 }).toHaveLength(3);
    // The medium alert first, then the two stable patients.
    expect((await order())[0]).toBe(ids.fever);
    expect(await stateOf(ids.fever)).toBe('medium');
    expect(await page.locator(`[data-patient-id="${ids.fever}"] [data-testid="ward-state"]`).textContent()).toContain(
      '注意',
    );
    // Keyboard focus stays on a card while the board updates around it.
    await page.locator(`[data-patient-id="${ids.calm}"] h2 a`).focus();

    // 39.6 °C: a high alert opens; the stream's alert event moves the patient to the top.
    expect((await observe(ids.later, 39.6)).status).toBe(201);
    await expect.poll(order, { timeout: 10_000 }).toEqual([ids.later, ids.fever, ids.calm]);
    expect(await stateOf(ids.later)).toBe('high');
    expect(await page.locator(`[data-patient-id="${ids.later}"] [data-testid="ward-state"]`).textContent()).toContain(
      '至急',
    );
    expect(await page.locator('[data-testid="patient-card"]:has(:focus)').getAttribute('data-patient-id')).toBe(
      ids.calm,
    );
    await shot(page, 'ward-board');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('acknowledges an alert from the inbox with a comment, and the board says who did', async () => {
    await page.goto(`${server.base}/#/alerts`);
    const row = page.locator('[data-testid="alert-row"]').filter({ hasText: '上田 花子' });
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-state')).toBe('firing');
    await shot(page, 'alerts-inbox');
    expect(await accessibilityProblems(page)).toEqual([]);
    await row.locator('[data-testid="ack-comment"]').fill('電話で状態を確認、訪問します');
    await row.locator('[data-testid="ack-button"]').click();
    await expect.poll(() => row.getAttribute('data-state'), { timeout: 10_000 }).toBe('acknowledged');
    const alertId = await row.getAttribute('data-alert-id');

    // The notification's deep link: the alert's story, opened and acknowledged with the comment.
    await page.goto(`${server.base}/#/alerts/${alertId}`);
    const story = page.locator('[data-testid="alert-story"]');
    await story.waitFor({ timeout: 15_000 });
    expect(await story.locator('[data-event="opened"]').count()).toBe(1);
    await expect.poll(() => story.locator('[data-event="acknowledged"]').textContent()).toContain('電話で状態を確認');
    await shot(page, 'alert');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto(`${server.base}/#/`);
    await expect.poll(() => stateOf(ids.later), { timeout: 10_000 }).toBe('acknowledged');
    const ward = page.locator(`[data-patient-id="${ids.later}"] [data-testid="ward-state"]`);
    await expect.poll(() => ward.textContent()).toContain('さんが確認');
    // Being handled now ranks below the medium alert nobody has acknowledged.
    expect((await order())[0]).toBe(ids.fever);
  });

  it('shows the patient record with its open alerts, and passes axe-core', async () => {
    await page.goto(`${server.base}/#/patients/${ids.fever}`);
    await page.locator('.record-alerts [data-testid="alert-row"]').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="chart"][data-metric="body_temperature"]').waitFor({ timeout: 15_000 });
    await shot(page, 'patient');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('switches to English and back, every label with it', async () => {
    await page.goto(`${server.base}/#/alerts`);
    await page.locator('[data-testid="alert-list"]').waitFor({ timeout: 15_000 });
    await page.locator('button.language').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('#inbox-heading').textContent()).toBe('Alerts');
    expect(await page.locator('.app-header nav').textContent()).toContain('Ward board');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.locator('button.language').click();
    await expect.poll(() => page.locator('#inbox-heading').textContent()).toBe('警報');
  });
});
