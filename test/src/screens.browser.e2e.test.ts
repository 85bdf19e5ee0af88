/**
 * Issue 16, the screens that came last, in headless Chromium against one real server: the team
 * timeline live between two people's open pages (a post, a reply, an edit, a withdrawal appear on
 * the other's page without a reload, while the composer keeps its text and focus), and the
 * administration of rotas, escalation policies and measurement schedules. axe-core on every new
 * screen; with VITALS_SCREENSHOTS=dir (`pnpm -s screenshots`) the pages (ja) are saved there.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityProblems, launchBrowser, shot } from './browser.ts';
import { ADMIN, freshDatabaseEnv, type ServerProc, startServerProcess } from './processes.ts';

const NURSE = { email: 'kato.nurse@station.test', password: 'a visiting nurse passphrase 9', name: '加藤 看護師' };

/** The element that has the keyboard focus (the test is compiled without the DOM's types). */
function focused(page: Page): Promise<{ id: string; tag: string }> {
  return page.evaluate(() => {
    const el = (globalThis as unknown as { document: { activeElement: { id: string; tagName: string } | null } })
      .document.activeElement;
    return { id: el?.id ?? '', tag: el?.tagName ?? '' };
  });
}

async function signIn(page: Page, base: string, who: { email: string; password: string }): Promise<void> {
  await page.goto(base);
  await page.locator('#login-email').fill(who.email);
  await page.locator('#login-password').fill(who.password);
  await page.locator('[data-testid="login-form"] button[type="submit"]').click();
  await page.locator('[data-testid="connection-state"][data-state="live"]').waitFor({ timeout: 20_000 });
}

describe('the timeline live between two people, and the on-call screens, in Chromium', () => {
  const db = freshDatabaseEnv('pglite');
  let server: ServerProc;
  let browser: Browser;
  let admin: Page;
  let nurse: Page;
  let token: string;
  let orgId: string;
  let nurseId: string;
  let patientId: string;

  beforeAll(async () => {
    server = await startServerProcess(db.env);
    token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const me = await server.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me', undefined, token);
    orgId = me.body.organisations[0]!.organisationId;
    patientId = (await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '森 春子' }, token)).body
      .id;
    const inv = await server.api<{ id: string; invitation: { token: string } }>(
      'POST',
      `/api/v1/organisations/${orgId}/users`,
      { email: NURSE.email, displayName: NURSE.name, profession: 'nurse' },
      token,
    );
    nurseId = inv.body.id;
    const accepted = await server.api(
      'POST',
      '/api/v1/auth/invitations/accept',
      { token: inv.body.invitation.token, password: NURSE.password },
      null,
    );
    expect(accepted.status).toBe(200);
    expect((await server.api('POST', `/api/v1/patients/${patientId}/team`, { userId: nurseId }, token)).status).toBe(
      201,
    );
    browser = await launchBrowser();
    admin = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    nurse = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(admin, server.base, ADMIN);
    await signIn(nurse, server.base, NURSE);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.kill();
    await db.drop();
  });

  it('shows a post by one person on the other’s open timeline without a reload, keeping the composer’s text and focus', async () => {
    for (const page of [admin, nurse]) {
      await page.goto(`${server.base}/#/patients/${patientId}`);
      await page.locator('[data-testid="composer"]').waitFor({ timeout: 15_000 });
    }
    // The administrator is half-way through writing something.
    const draft = admin.locator('#post-body');
    await draft.fill('夕方に訪問予定');
    await draft.focus();

    await nurse.locator('#post-body').fill('本日訪問。褥瘡は改善傾向です。');
    await nurse.locator('[data-testid="composer"] button[type="submit"]').click();

    const post = admin.locator('[data-testid="timeline-item"]').filter({ hasText: '褥瘡は改善傾向' });
    await post.waitFor({ timeout: 15_000 });
    expect(await draft.inputValue()).toBe('夕方に訪問予定');
    expect(await focused(admin).then((f) => f.id)).toBe('post-body');
    // The administrator's page marks it read: the nurse's read count goes up live too.
    const mine = nurse.locator('[data-testid="timeline-item"]').filter({ hasText: '褥瘡は改善傾向' });
    await expect
      .poll(() => mine.locator('[data-testid="read-receipts"]').textContent(), { timeout: 15_000 })
      .toBe('既読 2');
  });

  it('replies to a post (one level), and the reply appears under it on the other page', async () => {
    const post = admin.locator('[data-testid="timeline-item"]').filter({ hasText: '褥瘡は改善傾向' }).first();
    // Escape closes a post's form from the keyboard.
    await post.locator('[data-testid="post-reply"]').first().click();
    await post.locator('[data-testid="reply-form"] textarea').waitFor();
    await admin.keyboard.press('Escape');
    await expect.poll(() => post.locator('[data-testid="reply-form"]').count()).toBe(0);
    await post.locator('[data-testid="post-reply"]').first().click();
    const form = post.locator('[data-testid="reply-form"]');
    await form.waitFor();
    // The form opens with the keyboard in its field.
    await expect.poll(() => focused(admin).then((f) => f.tag)).toBe('TEXTAREA');
    await form.locator('textarea').fill('ありがとうございます。写真も次回お願いします。');
    await form.locator('button[type="submit"]').click();

    const onNurse = nurse.locator('[data-testid="timeline-item"]').filter({ hasText: '褥瘡は改善傾向' }).first();
    await expect
      .poll(() => onNurse.locator('.timeline-replies').textContent(), { timeout: 15_000 })
      .toContain('写真も次回お願いします');
    // A reply takes no reply (one level).
    expect(await onNurse.locator('.timeline-replies [data-testid="post-reply"]').count()).toBe(0);
  });

  it('lets the author edit her post, keeping the earlier version, and shows it edited on the other page', async () => {
    const mine = nurse.locator('[data-testid="timeline-item"]').filter({ hasText: '褥瘡は改善傾向' }).first();
    await mine.locator('[data-testid="post-edit"]').first().click();
    const form = mine.locator('[data-testid="edit-form"]');
    await form.locator('textarea').fill('本日訪問。仙骨部の褥瘡は改善傾向です。');
    await form.locator('button[type="submit"]').click();
    // The administrator is not its author: no edit button for them.
    const theirs = admin.locator('[data-testid="timeline-item"]').filter({ hasText: '仙骨部の褥瘡' }).first();
    await theirs.waitFor({ timeout: 15_000 });
    expect(await theirs.locator(':scope > .timeline-actions [data-testid="post-edit"]').count()).toBe(0);
    await theirs.locator('[data-testid="post-edited"]').first().click();
    await expect
      .poll(() => theirs.locator('[data-testid="revisions"]').textContent(), { timeout: 15_000 })
      .toContain('本日訪問。褥瘡は改善傾向です。');
    await shot(admin, 'timeline-actions');
    expect(await accessibilityProblems(admin)).toEqual([]);
  });

  it('lets the team lead withdraw a post with a reason; it stays as withdrawn by them on both pages', async () => {
    const theirs = admin.locator('[data-testid="timeline-item"]').filter({ hasText: '仙骨部の褥瘡' }).first();
    await theirs.locator('[data-testid="post-withdraw"]').first().click();
    const form = theirs.locator('[data-testid="withdraw-form"]');
    // The reason is required: the browser refuses an empty one before the server is asked.
    await form.locator('textarea').fill('別の患者の記録でした');
    await form.locator('button[type="submit"]').click();
    const withdrawn = nurse.locator('[data-testid="post-withdrawn"]');
    await expect.poll(() => withdrawn.textContent(), { timeout: 15_000 }).toContain('別の患者の記録でした');
    expect(await withdrawn.textContent()).toMatch(/さんが取り下げ/);
    expect(await nurse.locator('[data-testid="timeline"]').textContent()).not.toContain('仙骨部の褥瘡');
  });

  it('creates an on-call rota (the server’s refusal beside its field), and shows its week with who is on call now', async () => {
    await admin.goto(`${server.base}/#/admin/rotas`);
    const form = admin.locator('[data-testid="rota-form"]').last();
    await form.waitFor({ timeout: 15_000 });
    await form.locator('#rota-new-name').fill('訪問看護 24時間電話');
    await form.locator('#rota-new-timezone').fill('Asia/Nowhere');
    await form.locator('#rota-new-handover').fill('09:00');
    // The administrator and the nurse, in that order (the first person offered each time).
    for (let i = 0; i < 2; i++) {
      await form.locator('#rota-add-member').selectOption({ index: 1 });
      await form.locator('[data-testid="rota-add-member"]').click();
    }
    const members = form.locator('[data-testid="rota-members"] li > span');
    expect(await members.count()).toBe(2);
    // The shift order changes from the keyboard: the first person's "later" button, then Enter.
    const [first, second] = await members.allTextContents();
    await form.locator('[data-testid="rota-members"] li').first().locator('button').nth(1).focus();
    await admin.keyboard.press('Enter');
    expect(await members.allTextContents()).toEqual([second, first]);
    await form.locator('[data-testid="rota-members"] li').first().locator('button').nth(1).focus();
    await admin.keyboard.press('Enter');
    expect(await members.allTextContents()).toEqual([first, second]);
    await form.locator('button[type="submit"]').click();
    // The unknown zone is named next to the zone field, and the field says it is invalid.
    await expect
      .poll(() => form.locator('#rota-new-timezone-problems').textContent(), { timeout: 15_000 })
      .toContain('Asia/Nowhere');
    expect(await form.locator('#rota-new-timezone').getAttribute('aria-invalid')).toBe('true');
    await form.locator('#rota-new-timezone').fill('Asia/Tokyo');
    await form.locator('button[type="submit"]').click();

    const row = admin.locator('[data-testid="rota-table"] tbody tr').filter({ hasText: '訪問看護 24時間電話' });
    await row.waitFor({ timeout: 15_000 });
    const week = admin.locator('[data-testid="rota-week"]');
    await week.waitFor({ timeout: 15_000 });
    expect(await week.locator('tbody tr').count()).toBe(2);
    expect(await week.locator('thead th').count()).toBe(8);
    const now = week.locator('[data-testid="on-call-now-cell"]');
    // A name, not the placeholder shown while the server is asked.
    await expect.poll(() => now.textContent(), { timeout: 15_000 }).toMatch(/^[^…]+（現在）$/);
    expect(await row.locator('[data-testid="on-call-now"]').textContent()).not.toBe('なし');
    await shot(admin, 'admin-rotas');
    expect(await accessibilityProblems(admin)).toEqual([]);
  });

  it('sets a patient’s escalation policy, showing in its step why a person who left the care team is refused', async () => {
    await admin.goto(`${server.base}/#/admin/patients`);
    await admin.locator('#team-patient').selectOption(patientId, { timeout: 5000 });
    const policy = admin.locator('[data-testid="policy-form"]');
    await policy.waitFor({ timeout: 15_000 });
    await expect.poll(() => policy.locator('[data-testid="policy-step"]').count(), { timeout: 15_000 }).toBe(1);
    await policy.locator('[data-testid="policy-add-step"]').click();
    const second = policy.locator('[data-testid="policy-step"]').nth(1);
    await second.locator('#policy-step-1-target-0-type').selectOption('user', { timeout: 5000 });
    await second.locator('#policy-step-1-target-0-value').selectOption({ label: NURSE.name }, { timeout: 5000 });
    await second.locator('#policy-step-1-delay').fill('20');
    await policy.locator('#policy-reason').fill('夜間は訪問看護の当番へ');
    // Meanwhile the nurse leaves the patient's care team: the server refuses to page her.
    expect((await server.api('DELETE', `/api/v1/patients/${patientId}/team/${nurseId}`, undefined, token)).status).toBe(
      204,
    );
    await policy.locator('button[type="submit"]').click();
    await expect
      .poll(() => second.locator('[data-testid="field-problems"]').textContent(), { timeout: 15_000 })
      .toContain("is not on this patient's care team");
    expect(
      await policy.locator('[data-testid="policy-step"]').first().locator('[data-testid="field-problems"]').count(),
    ).toBe(0);

    // The nurse station's rota instead (its organisation is on the team).
    await second.locator('#policy-step-1-target-0-type').selectOption('rota', { timeout: 5000 });
    await second
      .locator('#policy-step-1-target-0-value')
      .selectOption({ label: '訪問看護 24時間電話' }, { timeout: 5000 });
    // A medium alert may move on twice; a high one always pages (its box cannot be cleared).
    await policy.locator('#policy-priority-medium-escalations').fill('2');
    expect(await policy.locator('#policy-priority-high-page').isDisabled()).toBe(true);
    await policy.locator('button[type="submit"]').click();
    await policy.locator('[data-testid="policy-saved"]').waitFor({ timeout: 15_000 });
    const stored = await server.api<{
      default: boolean;
      steps: { targets: { type: string }[]; delayMinutes: number }[];
      priorities: Record<string, { page: boolean; escalations: number | null }>;
    }>('GET', `/api/v1/patients/${patientId}/escalation-policy`, undefined, token);
    expect(stored.body.default).toBe(false);
    expect(stored.body.steps.map((s) => [s.targets[0]?.type, s.delayMinutes])).toEqual([
      ['team_role', 15],
      ['rota', 20],
    ]);
    expect(stored.body.priorities.medium).toEqual({ page: true, escalations: 2 });
    expect(stored.body.priorities.high).toEqual({ page: true, escalations: null });
  });

  it('schedules a patient’s morning blood pressure, refuses a window that ends before it starts, and removes one', async () => {
    const schedules = admin.locator('[data-testid="schedules"]');
    await schedules.waitFor({ timeout: 15_000 });
    const form = schedules.locator('[data-testid="schedule-form"]');
    await form.locator('#schedule-metric').selectOption('bp_systolic');
    await form.locator('#schedule-from').fill('06:00');
    await form.locator('#schedule-due').fill('10:00');
    await form.locator('#schedule-label').fill('朝の血圧');
    await form.locator('button[type="submit"]').click();
    const rows = schedules.locator('[data-testid="schedule-table"] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
    expect(await rows.first().textContent()).toContain('06:00〜10:00、毎日');

    await form.locator('#schedule-metric').selectOption('body_weight');
    await form.locator('#schedule-from').fill('11:00');
    await form.locator('#schedule-due').fill('07:00');
    await form.locator('button[type="submit"]').click();
    await expect
      .poll(() => form.locator('#schedule-times-problems').textContent(), { timeout: 15_000 })
      .toContain('windowStart must be before dueTime');
    expect(await rows.count()).toBe(1);
    await shot(admin, 'admin-patient-oncall');
    expect(await accessibilityProblems(admin)).toEqual([]);

    await form.locator('#schedule-from').fill('06:00');
    await form.locator('button[type="submit"]').click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(2);
    await rows.filter({ hasText: '体重' }).locator('button').click();
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(1);
  });

  it('shows the new screens in English with every label, heading and button translated, and back', async () => {
    /** Labels, headings, captions, legends and buttons still in Japanese, names of people and rotas aside. */
    const untranslated = (page: Page) =>
      page
        .locator('main label, main h1, main h2, main h3, main h4, main th, main legend, main caption, main button')
        .evaluateAll(
          (els, names) => {
            const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/;
            return els
              .map((e) => (e.textContent ?? '').trim())
              .filter((text) => japanese.test(names.reduce((t, n) => t.split(n).join(''), text)));
          },
          ['訪問看護 24時間電話', NURSE.name, '森 春子', '薬局 夜間当番'],
        );
    await admin.goto(`${server.base}/#/admin/rotas`);
    await admin.locator('[data-testid="rota-table"]').waitFor({ timeout: 15_000 });
    // The check sees Japanese where there is some: the same page in Japanese fails it.
    expect((await untranslated(admin)).length).toBeGreaterThan(5);
    await admin.locator('button.language').click();
    await expect.poll(() => admin.locator('#rotas-heading').textContent()).toBe('On-call rotas');
    await admin.locator('[data-testid="rota-open"]').first().click();
    await admin.locator('[data-testid="rota-week"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => admin.locator('[data-testid="on-call-now-cell"]').textContent()).toContain('(now)');
    expect(await untranslated(admin)).toEqual([]);
    expect(await accessibilityProblems(admin)).toEqual([]);

    await admin.goto(`${server.base}/#/admin/patients`);
    await admin.locator('#team-patient').selectOption(patientId, { timeout: 5000 });
    await admin.locator('[data-testid="policy-step"]').first().waitFor({ timeout: 15_000 });
    await admin.locator('[data-testid="schedule-table"] tbody tr').first().waitFor({ timeout: 15_000 });
    expect(await admin.locator('#schedules-heading').textContent()).toBe('Measurement schedules');
    expect(await untranslated(admin)).toEqual([]);
    expect(await accessibilityProblems(admin)).toEqual([]);

    await admin.goto(`${server.base}/#/patients/${patientId}`);
    await admin.locator('[data-testid="timeline-item"]').first().waitFor({ timeout: 15_000 });
    expect(await untranslated(admin)).toEqual([]);
    await admin.locator('button.language').click();
    await expect.poll(() => admin.locator('#timeline-heading').textContent()).toBe('チームタイムライン');
  });

  it('offers the schedules and, to the team lead, the escalation policy on the patient record itself', async () => {
    await admin.goto(`${server.base}/#/patients/${patientId}`);
    const settings = admin.locator('[data-testid="record-settings"]');
    await settings.waitFor({ timeout: 15_000 });
    expect(await settings.getAttribute('open')).toBeNull();
    await settings.locator('summary').focus();
    await admin.keyboard.press('Enter');
    await expect
      .poll(() => settings.locator('[data-testid="schedule-table"] tbody').textContent(), { timeout: 15_000 })
      .toContain('朝の血圧');
    await expect.poll(() => settings.locator('[data-testid="policy-step"]').count(), { timeout: 15_000 }).toBe(2);
    expect(await accessibilityProblems(admin)).toEqual([]);
  });
});
