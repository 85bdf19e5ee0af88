/**
 * The caller's own notification contacts through inject() on the real app, with loopback
 * webhooks refused as in production: validation, the network check when an address is saved
 * (issue 11, item 8), what a contact shows of itself, ownership and the audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../../test-support/alert-server.ts';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { NOT_PUBLIC_TARGET } from '../../notify/webhook-target.ts';
import { addMembership, createUser } from '../../storage/repos/people.ts';

type Err = { error: { code: string; message: string } };
type ApiContact = { id: string; channel: string; address: string; label?: string; signed: boolean };

describe('notification contact routes', () => {
  let t: TestApp;
  let sink: WebhookReceiver;
  let nurse: string;

  beforeAll(async () => {
    sink = await new WebhookReceiver(null).start();
    t = await buildTestApp({ env: { VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'false' } });
    const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    const id = await createUser(t.sql, {
      email: 'nurse@station.test',
      displayName: 'Nurse Ito',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-1'),
    });
    await addMembership(t.sql, id, org, 'staff');
    nurse = await t.login('nurse@station.test', 'nurse-password-1');
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('validates contacts and never shows a push endpoint in full', async () => {
    expect((await t.api('POST', '/api/v1/me/contacts', { channel: 'email', address: 'not-an-address' })).status).toBe(
      400,
    );
    expect((await t.api('POST', '/api/v1/me/contacts', { channel: 'webhook', address: 'ftp://x' })).status).toBe(400);
    expect((await t.api('POST', '/api/v1/me/contacts', { channel: 'webpush' })).status).toBe(400);
    const ok = await t.api('POST', '/api/v1/me/contacts', {
      channel: 'webpush',
      subscription: { endpoint: 'https://push.example/send/secret-token', keys: { p256dh: 'BCx', auth: 'abc' } },
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ channel: 'webpush', address: 'push.example' });
  });

  it('refuses webhook and push addresses inside the network when they are saved', async () => {
    const internal = [
      sink.url, // http://127.0.0.1:port, the development setting off
      sink.url.replace('http://127.0.0.1', 'https://localhost'), // a name resolving to loopback (/etc/hosts)
      sink.url.replace('127.0.0.1', '[::1]'),
      'https://169.254.169.254/latest/meta-data/',
      'https://10.1.2.3/hook',
      'https://[::ffff:192.168.0.10]/hook',
    ];
    for (const address of [...internal, 'http://93.184.216.34/hook']) {
      const r = await t.api<Err>('POST', '/api/v1/me/contacts', { channel: 'webhook', address });
      expect([address, r.status]).toEqual([address, 400]);
      expect(r.body.error.message).toMatch(/^webhook address refused: /);
    }
    const viaName = await t.api<Err>('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: sink.url.replace('http://127.0.0.1', 'https://localhost'),
    });
    expect(viaName.body.error.message).toBe(`webhook address refused: ${NOT_PUBLIC_TARGET}`);
    const plain = await t.api<Err>('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: 'http://93.184.216.34/hook',
    });
    expect(plain.body.error.message).toBe('webhook address refused: use an https URL');
    const push = await t.api<Err>('POST', '/api/v1/me/contacts', {
      channel: 'webpush',
      subscription: { endpoint: 'https://169.254.169.254/push/abc', keys: { p256dh: 'BCx', auth: 'abc' } },
    });
    expect(push.status).toBe(400);
    const pub = await t.api<{ id: string }>('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: 'https://93.184.216.34/hook',
    });
    expect(pub.status).toBe(201);
    expect(sink.received).toEqual([]);
    // Removed again: no test reaches out to the internet.
    expect((await t.api('DELETE', `/api/v1/me/contacts/${pub.body.id}`)).status).toBe(204);
  });

  it('answers a contact with its label normalised and whether its calls are signed, never its secret', async () => {
    const r = await t.api<ApiContact>(
      'POST',
      '/api/v1/me/contacts',
      {
        channel: 'webhook',
        address: 'https://93.184.216.34/signed',
        secret: 'a-secret-of-some-length',
        label: '  On-call  phone ',
      },
      nurse,
    );
    expect(r).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        channel: 'webhook',
        address: 'https://93.184.216.34/signed',
        label: 'On-call phone',
        signed: true,
        createdAt: expect.any(String),
      },
    });
    const mail = await t.api<ApiContact>(
      'POST',
      '/api/v1/me/contacts',
      { channel: 'email', address: 'ito@station.test' },
      nurse,
    );
    expect(mail.body).toMatchObject({ channel: 'email', address: 'ito@station.test', signed: false });
    expect(mail.body).not.toHaveProperty('label');
    const listed = await t.api<ApiContact[]>('GET', '/api/v1/me/contacts', undefined, nurse);
    expect(listed.body.map((c) => c.id)).toEqual([r.body.id, mail.body.id]);
    expect(JSON.stringify(listed.body)).not.toContain('a-secret-of-some-length');
  });

  it("shows each person only their own contacts and lets no one remove another's", async () => {
    const mine = await t.api<ApiContact>(
      'POST',
      '/api/v1/me/contacts',
      { channel: 'email', address: 'ito2@station.test' },
      nurse,
    );
    const adminList = await t.api<ApiContact[]>('GET', '/api/v1/me/contacts');
    expect(adminList.body.map((c) => c.id)).not.toContain(mine.body.id);
    expect((await t.api('DELETE', `/api/v1/me/contacts/${mine.body.id}`)).status).toBe(404);
    expect((await t.api('DELETE', `/api/v1/me/contacts/${mine.body.id}`, undefined, nurse)).status).toBe(204);
    // Once removed it is gone for its owner too.
    expect((await t.api('DELETE', `/api/v1/me/contacts/${mine.body.id}`, undefined, nurse)).status).toBe(404);
    const listed = await t.api<ApiContact[]>('GET', '/api/v1/me/contacts', undefined, nurse);
    expect(listed.body.map((c) => c.id)).not.toContain(mine.body.id);
  });

  it.each([
    ['DELETE', '/api/v1/me/contacts/not-a-uuid', undefined, 404],
    ['POST', '/api/v1/me/contacts', { channel: 'sms', address: '+81 90 0000 0000' }, 400],
    ['POST', '/api/v1/me/contacts', { channel: 'email', address: 'a@b.test', priority: 'high' }, 400],
    ['POST', '/api/v1/me/contacts', { channel: 'webhook', address: 'https://93.184.216.34/x', secret: 'short' }, 400],
    ['POST', '/api/v1/me/contacts', { channel: 'email' }, 400],
    ['POST', '/api/v1/me/contacts', { channel: 'email', address: 'a@b.test', label: 'On\u202ecall' }, 400],
    ['GET', '/api/v1/me/contacts', undefined, 401],
  ] as const)('answers %s %s %j with %d and says why', async (method, path, body, status) => {
    const r = await t.api<Err>(method, path, body, status === 401 ? null : undefined);
    expect(r.status).toBe(status);
    expect(r.body.error.message.length).toBeGreaterThan(5);
  });

  it('writes an audit row when a contact is added and when it is removed', async () => {
    const c = await t.api<ApiContact>('POST', '/api/v1/me/contacts', {
      channel: 'email',
      address: 'audit@station.test',
    });
    await t.api('DELETE', `/api/v1/me/contacts/${c.body.id}`);
    const rows = await t.sql.query<{ action: string; detail: unknown }>(
      'SELECT action, detail FROM audit_log WHERE target = $1 ORDER BY id',
      [c.body.id],
    );
    expect(rows.rows).toEqual([
      { action: 'contact.add', detail: { channel: 'email' } },
      { action: 'contact.remove', detail: null },
    ]);
  });
});
