/**
 * Invitations by e-mail (issue 13): the mail carries its own one-time link, made when the mail
 * goes out, so the outbox never holds a usable token; the administrator's link and the mail's
 * both work until one of them is used.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmtpSink } from '../../../test-support/alert-server.ts';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { invitationAsSent } from '../../notify/invitation-mail.ts';

type Invited = { id: string; invitation: { token: string }; emailQueued?: boolean };

describe('invitations by e-mail', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let orgId: string;

  beforeAll(async () => {
    smtp = await SmtpSink.start();
    t = await buildTestApp({ env: { VITALS_SMTP_URL: smtp.url, VITALS_PUBLIC_URL: 'https://vitals.clinic.test/' } });
    orgId = (await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me')).body.organisations[0]!
      .organisationId;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  const accept = (token: string, password: string) =>
    t.api<{ token?: string }>('POST', '/api/v1/auth/invitations/accept', { token, password }, null);

  it('mails the person a link of their own that works once, and ends the administrator’s link with it', async () => {
    const r = await t.api<Invited>('POST', `/api/v1/organisations/${orgId}/users`, {
      email: 'Mail.Nurse@station.test',
      displayName: '看護師 山本',
      profession: 'nurse',
      sendEmail: true,
    });
    expect(r.status).toBe(201);
    expect(r.body.emailQueued).toBe(true);
    await smtp.waitFor((m) => m.some((x) => x.to.includes('mail.nurse@station.test')));
    const mail = smtp.mails.find((x) => x.to.includes('mail.nurse@station.test'))!;
    expect(mail.subject).toMatch(/^\[vitals\] .* への招待$/);
    expect(mail.text).toContain('ご自分のパスワードを設定してください');
    const link = /https:\/\/vitals\.clinic\.test\/#\/invitation\/([A-Za-z0-9_-]{43})/.exec(mail.text);
    expect(link).not.toBeNull();
    const mailed = link![1]!;
    expect(mailed).not.toBe(r.body.invitation.token);

    // The database holds neither token in clear: not in the outbox, not in the invitations.
    const leaks = await t.sql.query(
      `SELECT 1 FROM notification_deliveries WHERE payload::text LIKE '%' || $1 || '%'
       UNION ALL SELECT 1 FROM invitations WHERE token_hash LIKE '%' || $1 || '%'`,
      [mailed],
    );
    expect(leaks.rows).toEqual([]);

    const ok = await accept(mailed, 'a quiet morning walk by the river');
    expect(ok.status).toBe(200);
    expect((await accept(r.body.invitation.token, 'another long passphrase here')).status).toBe(410);
    expect((await accept(mailed, 'another long passphrase here')).status).toBe(410);
  });

  it('does not send a mail whose invitation was used before it went out', async () => {
    const r = await t.api<Invited>('POST', `/api/v1/organisations/${orgId}/users`, {
      email: 'quick@station.test',
      displayName: 'Quick Person',
      profession: 'care_manager',
    });
    expect(r.body.emailQueued).toBeUndefined();
    const payload = {
      invitation: { userId: r.body.id, organisationId: orgId },
      organisationName: 'x',
      inviterName: 'y',
    };
    expect(await invitationAsSent(t.sql, payload, undefined)).toMatchObject({ text: { subject: expect.any(String) } });
    expect((await accept(r.body.invitation.token, 'the kettle sings at seven')).status).toBe(200);
    expect(await invitationAsSent(t.sql, payload, undefined)).toBeUndefined();
  });
});

describe('invitations by e-mail without a mail server', () => {
  it('queues nothing and says so, the link still handed over', async () => {
    const t = await buildTestApp();
    try {
      const orgId = (await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me')).body
        .organisations[0]!.organisationId;
      const r = await t.api<Invited>('POST', `/api/v1/organisations/${orgId}/users`, {
        email: 'nomail@station.test',
        displayName: 'No Mail',
        profession: 'nurse',
        sendEmail: true,
      });
      expect(r.status).toBe(201);
      expect(r.body.emailQueued).toBe(false);
      expect(r.body.invitation.token.length).toBeGreaterThan(20);
      const queued = await t.sql.query(`SELECT 1 FROM notification_deliveries WHERE event = 'invitation'`);
      expect(queued.rows).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
