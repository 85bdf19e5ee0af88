/**
 * The care team's dashboard (issue 16) in headless Chromium against one real server for all
 * cases: the ward board's order and its live change when an alert opens, acknowledging from the
 * inbox, the alert's deep link and story, both languages, and axe-core on every page (no serious
 * or critical violation). With VITALS_SCREENSHOTS=dir (`pnpm -s screenshots`) it also saves the
 * pages (ja) there.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchBrowser, shot } from './browser.ts';
import { ADMIN, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

const CARE_MANAGER = { email: 'cm@care.test', password: 'a care manager passphrase 7' };
/** A 1×1 PNG: the photo a nurse attaches to a post. */
const PHOTO = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

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

  it('shows the patient record at its stable link with open alerts, NEWS2 and the team, and passes axe-core', async () => {
    // `/p/{id}`, the link other systems keep: redirected to the record.
    await page.goto(`${server.base}/p/${ids.fever}`);
    await page.waitForURL(`**/#/patients/${ids.fever}`, { timeout: 15_000 });
    await page.locator('[data-testid="news2"] [data-band]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('[data-testid="record-team"]').textContent()).toContain('Administrator');
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
    await expect.poll(() => page.locator('#inbox-heading').textContent()).toBe('Alerts');
    await expect.poll(() => page.locator('.app-header nav').textContent()).toContain('Ward board');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.locator('button.language').click();
    await expect.poll(() => page.locator('#inbox-heading').textContent()).toBe('警報');
  });

  it('invites a nurse, who sets her password, and adds her to a patient’s care team', async () => {
    await page.goto(`${server.base}/#/admin/people`);
    const form = page.locator('[data-testid="invite-form"]');
    await form.waitFor({ timeout: 15_000 });
    await form.locator('#invite-name').fill('山本 看護師');
    await form.locator('#invite-email').fill('yamamoto.nurse@clinic.test');
    await form.locator('#invite-profession').selectOption('nurse');
    await form.locator('button[type="submit"]').click();
    const link = await page.locator('[data-testid="invitation-link"]').textContent({ timeout: 15_000 });
    expect(link).toMatch(/#\/invitation\//);
    // "Also by e-mail" is ticked, but this server has no mail server: the page says so.
    await page.locator('[data-testid="invitation-not-mailed"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('[data-testid="people-table"]').textContent()).toContain('山本 看護師');
    await shot(page, 'admin-people');
    expect(await accessibilityProblems(page)).toEqual([]);

    // The nurse opens the link in her own browser, chooses a password and is signed in, seeing nobody yet.
    const nurse = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await nurse.goto(link!);
    await nurse.locator('#invitation-password').fill('a long nurse passphrase 7');
    await nurse.locator('[data-testid="invitation-form"] button[type="submit"]').click();
    await nurse.locator('[data-testid="connection-state"]').waitFor({ timeout: 15_000 });
    await nurse.locator('.wall .empty').waitFor({ timeout: 15_000 });

    // The administrator puts her on 井上 健's care team.
    await page.goto(`${server.base}/#/admin/patients`);
    await page.locator('#team-patient').selectOption(ids.fever);
    const add = page.locator('[data-testid="add-member-form"]');
    await add.waitFor({ timeout: 15_000 });
    await expect
      .poll(() => add.locator('#member-person option').allTextContents())
      .toContainEqual(expect.stringContaining('山本 看護師'));
    await add.locator('#member-person').selectOption({ label: '山本 看護師 (看護師)' });
    await add.locator('button[type="submit"]').click();
    await expect.poll(() => page.locator('[data-testid="care-team"] ul').textContent()).toContain('山本 看護師');
    // The patient's own alert limit, with the reason kept in the settings history.
    const limits = page.locator('[data-testid="limits-form"]');
    await expect.poll(() => limits.locator('#limit-rule option').count()).toBeGreaterThan(1);
    await limits.locator('#limit-rule').selectOption('temperature_high');
    await limits.locator('#limit-medium').fill('37.8');
    await limits.locator('#limit-reason').fill('主治医指示: 37.8℃ から連絡');
    await limits.locator('button[type="submit"]').click();
    await limits.locator('[data-testid="settings-saved"]').waitFor({ timeout: 15_000 });
    await shot(page, 'admin-patients');
    expect(await accessibilityProblems(page)).toEqual([]);

    await nurse.reload();
    await nurse.locator(`[data-testid="patient-card"][data-patient-id="${ids.fever}"]`).waitFor({ timeout: 15_000 });
    expect(await nurse.locator('[data-testid="patient-card"]').count()).toBe(1);
    await nurse.context().close();
  });

  it('registers a gateway (credentials once, with a QR code) and binds a device to a patient', async () => {
    await page.goto(`${server.base}/#/admin/gateways`);
    const form = page.locator('[data-testid="register-gateway-form"]');
    await form.waitFor({ timeout: 15_000 });
    await form.locator('#gateway-id').fill('gw-inoue-home');
    await form.locator('#gateway-label').fill('井上さん宅');
    await form.locator('button[type="submit"]').click();
    const sheet = page.locator('[data-testid="setup-sheet"]');
    await sheet.waitFor({ timeout: 15_000 });
    expect((await sheet.locator('[data-testid="gateway-password"]').textContent())?.length).toBeGreaterThan(10);
    await sheet.locator('[data-testid="gateway-qr"]').waitFor();
    await shot(page, 'admin-gateways');
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.goto(`${server.base}/#/admin/devices`);
    const bind = page.locator('[data-testid="bind-form"]');
    await bind.waitFor({ timeout: 15_000 });
    await bind.locator('#bind-device').fill('ble:00:1c:05:aa:bb:07');
    await expect.poll(() => bind.locator('#bind-patient option').count()).toBeGreaterThan(1);
    await bind.locator('#bind-patient').selectOption(ids.fever);
    await expect.poll(() => bind.locator('#bind-gateway option').count()).toBeGreaterThan(1);
    await bind.locator('#bind-gateway').selectOption('gw-inoue-home');
    await bind.locator('button[type="submit"]').click();
    await page.locator('[data-testid="bind-done"]').waitFor({ timeout: 15_000 });
    await shot(page, 'admin-devices');
    expect(await accessibilityProblems(page)).toEqual([]);
    // The patient's record lists the device at home, not heard from yet.
    await page.goto(`${server.base}/#/patients/${ids.fever}`);
    const device = page.locator('[data-testid="record-device"][data-device-id="ble:00:1c:05:aa:bb:07"]');
    await device.waitFor({ timeout: 15_000 });
    expect(await device.textContent()).toContain('まだ受信なし');
    // The other administration pages and the account page, for axe-core.
    for (const [hash, testId, name] of [
      ['#/admin/audit', 'audit-table', 'admin-audit'],
      ['#/admin/network', 'network-org', 'admin-network'],
      ['#/account', 'sessions', 'account'],
    ] as const) {
      await page.goto(`${server.base}/${hash}`);
      await page.locator(`[data-testid="${testId}"]`).first().waitFor({ timeout: 15_000 });
      await shot(page, name);
      expect(await accessibilityProblems(page), hash).toEqual([]);
    }
    const fleet = await server.api<{ id: string; devices: { id: string }[] }[]>(
      'GET',
      '/api/v1/fleet',
      undefined,
      token,
    );
    expect(fleet.body.find((g) => g.id === 'gw-inoue-home')?.devices.map((d) => d.id)).toContain(
      'ble:00:1c:05:aa:bb:07',
    );
  });

  it('keeps a clinical patient’s data from a care manager on the team', async () => {
    const clinical = (await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎' }, token))
      .body.id;
    expect((await observe(clinical, 37.0)).status).toBe(201);
    expect(
      (await server.api('PATCH', `/api/v1/patients/${clinical}`, { vitalsSensitivity: 'clinical' }, token)).status,
    ).toBe(200);
    const me = await server.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me', undefined, token);
    const org = me.body.organisations[0]!.organisationId;
    const inv = await server.api<{ id: string; invitation: { token: string } }>(
      'POST',
      `/api/v1/organisations/${org}/users`,
      { email: CARE_MANAGER.email, displayName: 'ケアマネ 田中', profession: 'care_manager' },
      token,
    );
    const password = CARE_MANAGER.password;
    await server.api('POST', '/api/v1/auth/invitations/accept', { token: inv.body.invitation.token, password }, null);
    for (const patientId of [clinical, ids.fever])
      expect(
        (await server.api('POST', `/api/v1/patients/${patientId}/team`, { userId: inv.body.id }, token)).status,
      ).toBeLessThan(300);

    const cm = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await cm.goto(server.base);
    await cm.locator('#login-email').fill(CARE_MANAGER.email);
    await cm.locator('#login-password').fill(password);
    await cm.locator('[data-testid="login-form"] button[type="submit"]').click();
    await cm.locator(`[data-testid="patient-card"][data-patient-id="${ids.fever}"]`).waitFor({ timeout: 15_000 });
    expect(await cm.locator(`[data-testid="patient-card"][data-patient-id="${clinical}"]`).count()).toBe(0);
    await cm.goto(`${server.base}/#/patients/${clinical}`);
    await expect
      .poll(() => cm.locator('.patient [role="alert"]').textContent(), { timeout: 15_000 })
      .toContain('閲覧権限がありません');
    expect(await cm.locator('[data-testid="chart"]').count()).toBe(0);
    await cm.context().close();
  });

  it('shows a wall display (kiosk) its patients by initials, without a sign-in screen', async () => {
    const me = await server.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me', undefined, token);
    const org = me.body.organisations[0]!.organisationId;
    const display = await server.api<{ id: string; kioskPath: string }>(
      'POST',
      `/api/v1/organisations/${org}/displays`,
      { displayName: 'ナースステーション', initialsOnly: true },
      token,
    );
    expect(display.status).toBe(201);
    await server.api('POST', `/api/v1/patients/${ids.fever}/team`, { userId: display.body.id }, token);
    await server.api('PATCH', `/api/v1/patients/${ids.fever}`, { area: '北区 A地区' }, token);

    const kiosk = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await kiosk.goto(`${server.base}${display.body.kioskPath}`);
    const card = kiosk.locator(`[data-testid="patient-card"][data-patient-id="${ids.fever}"]`);
    await card.waitFor({ timeout: 15_000 });
    expect(await kiosk.locator('[data-testid="login-form"]').count()).toBe(0);
    await kiosk.locator('[data-testid="kiosk-header"]').waitFor();
    // Initials, and where the patient is to tell patients apart.
    expect(await card.locator('h2 a').textContent()).toBe('井・健');
    expect(await card.locator('[data-testid="patient-area"]').textContent()).toBe(' 北区 A地区');
    // The credential left the address bar.
    expect(kiosk.url()).not.toContain('kiosk');
    await shot(kiosk, 'kiosk');
    expect(await accessibilityProblems(kiosk)).toEqual([]);
    await kiosk.context().close();
  });

  it('posts to the timeline with a template and a photo, acknowledges an alert there, and hides a clinical post from the care manager', async () => {
    await page.goto(`${server.base}/#/patients/${ids.fever}`);
    const composer = page.locator('[data-testid="composer"]');
    await composer.waitFor({ timeout: 15_000 });
    await expect.poll(() => composer.locator('#post-template option').count()).toBeGreaterThan(1);
    await composer.locator('#post-template').selectOption('visit_result');
    // The template's fields, and its sensitivity (clinical) chosen for it.
    await composer.locator('[data-field="condition"]').fill('解熱傾向、食事半量');
    expect(await composer.locator('#post-sensitivity').inputValue()).toBe('clinical');
    await composer.locator('[data-tag="pressure_ulcer"]').check();
    await composer.locator('#post-photo').setInputFiles({ name: 'wound.png', mimeType: 'image/png', buffer: PHOTO });
    await composer.locator('button[type="submit"]').click();
    const visit = page.locator('[data-testid="timeline-item"][data-kind="post"]').filter({ hasText: '解熱傾向' });
    await visit.waitFor({ timeout: 15_000 });
    // The tag by its label in the reader's language, not its key.
    await expect.poll(() => visit.locator('.tag').textContent(), { timeout: 10_000 }).toBe('#褥瘡');
    const photo = visit.locator('[data-testid="timeline-photo"]');
    await photo.waitFor({ timeout: 15_000 });
    await expect
      .poll(() => photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
      .toBeGreaterThan(0);

    // Who has read the visit note: the author, who is reading the page; not yet the rest of the team.
    await expect
      .poll(
        async () => {
          await page.reload();
          const again = page.locator('[data-testid="timeline-item"][data-kind="post"]').filter({ hasText: '解熱傾向' });
          await again.waitFor({ timeout: 15_000 });
          return again.locator('[data-testid="read-receipts"]').textContent();
        },
        { timeout: 20_000 },
      )
      .toBe('既読 1');
    const noted = page.locator('[data-testid="timeline-item"][data-kind="post"]').filter({ hasText: '解熱傾向' });
    await noted.locator('[data-testid="read-receipts"]').click();
    const receipts = noted.locator('[data-testid="receipt-list"]');
    await receipts.waitFor({ timeout: 10_000 });
    expect(await receipts.textContent()).toMatch(/^確認済み: Administrator 未確認: .+/);

    await composer.locator('#post-body').fill('ご家族へ発熱時の連絡先を説明しました');
    await composer.locator('button[type="submit"]').click();
    await page.locator('[data-testid="timeline-item"]').filter({ hasText: 'ご家族へ' }).waitFor({ timeout: 15_000 });

    // The medium temperature alert, acknowledged from its timeline item with a comment.
    const ack = page.locator('[data-testid="timeline-ack"]').first();
    await ack.waitFor({ timeout: 15_000 });
    await ack.locator('input').fill('解熱剤使用、経過観察');
    await ack.locator('button[type="submit"]').click();
    await expect
      .poll(
        async () =>
          (
            await server.api<{ state: string }[]>('GET', `/api/v1/alerts?patientId=${ids.fever}`, undefined, token)
          ).body.map((a) => a.state),
        { timeout: 10_000 },
      )
      .toContain('acknowledged');
    await shot(page, 'patient-timeline');
    expect(await accessibilityProblems(page)).toEqual([]);
    // The same record in English (the screenshot for docs/dashboard.md), then back to Japanese.
    await page.locator('button.language').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
    await expect.poll(() => page.locator('#record-devices-heading').textContent()).toBe('Devices at home');
    await shot(page, 'patient-timeline-en');
    await page.locator('button.language').click();
    await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('ja');

    // The care manager on the team reads the team post, never the clinical one.
    const cm = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await cm.goto(`${server.base}/#/patients/${ids.fever}`);
    await cm.locator('#login-email').fill(CARE_MANAGER.email);
    await cm.locator('#login-password').fill(CARE_MANAGER.password);
    await cm.locator('[data-testid="login-form"] button[type="submit"]').click();
    await cm.locator('[data-testid="timeline-item"]').filter({ hasText: 'ご家族へ' }).waitFor({ timeout: 15_000 });
    expect(await cm.locator('[data-testid="timeline"]').textContent()).not.toContain('解熱傾向');
    await cm.context().close();
  });
});
