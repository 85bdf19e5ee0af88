/**
 * Organisations and their people (issue 13), through inject(): invitations with one-time tokens,
 * organisations as peers (an administrator manages only their own staff), disabling and resets.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { ADMIN } from '../../../test-support/harness.ts';

type Invited = { id: string; invitation: { token: string; expiresAt: string }; existingAccount: boolean };

describe('organisations and their people', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let adminB: string;

  const accept = (token: string, password: string) =>
    t.api<{ token?: string; error?: { code: string } }>(
      'POST',
      '/api/v1/auth/invitations/accept',
      { token, password },
      null,
    );

  /** Invites a person to an organisation and lets them set their password; their id and session. */
  async function joined(org: string, email: string, by = t.token, role: 'admin' | 'staff' = 'staff') {
    const inv = await t.api<Invited>(
      'POST',
      `/api/v1/organisations/${org}/users`,
      { email, displayName: `Name ${email}`, profession: 'nurse', role },
      by,
    );
    expect(inv.status).toBe(201);
    const a = await accept(inv.body.invitation.token, 'a fine long passphrase');
    expect(a.status).toBe(200);
    return { id: inv.body.id, token: a.body.token! };
  }

  beforeAll(async () => {
    t = await buildTestApp();
    orgA = (await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me')).body.organisations[0]!
      .organisationId;
    const b = await t.api<{ id: string }>('POST', '/api/v1/organisations', {
      name: '訪問看護ステーション',
      kind: 'nursing_station',
    });
    expect(b.status).toBe(201);
    orgB = b.body.id;
    // Org B gets its own administrator; the first administrator then leaves org B's administration.
    adminB = (await joined(orgB, 'admin@station.test', t.token, 'admin')).token;
  });
  afterAll(async () => t?.close());

  it('makes the creator the administrator of a new organisation, with its name on /me', async () => {
    const me = await t.api<{ organisations: { organisationId: string; name: string; role: string }[] }>(
      'GET',
      '/api/v1/me',
    );
    expect(me.body.organisations).toContainEqual({ organisationId: orgB, name: '訪問看護ステーション', role: 'admin' });
  });

  it('lets only administrators create organisations', async () => {
    const staff = await joined(orgA, 'staff-creator@clinic.test');
    const r = await t.api('POST', '/api/v1/organisations', { name: 'Mine', kind: 'clinic' }, staff.token);
    expect(r.status).toBe(403);
    expect((await t.api('POST', '/api/v1/organisations', { name: 'X', kind: 'castle' })).status).toBe(400);
  });

  it('invites by email with a one-time token that expires in 72 hours and of which only the hash is stored', async () => {
    const r = await t.api<Invited>('POST', `/api/v1/organisations/${orgA}/users`, {
      email: 'New.Nurse@clinic.test',
      displayName: '看護師 田中',
      profession: 'nurse',
    });
    expect(r.status).toBe(201);
    expect(r.body.existingAccount).toBe(false);
    const hours = (Date.parse(r.body.invitation.expiresAt) - Date.now()) / 3600_000;
    expect(hours).toBeGreaterThan(71.9);
    expect(hours).toBeLessThanOrEqual(72);
    const stored = await t.sql.query<{ token_hash: string }>('SELECT token_hash FROM invitations WHERE user_id = $1', [
      r.body.id,
    ]);
    expect(stored.rows[0]!.token_hash).not.toContain(r.body.invitation.token);
    // No password yet: nobody signs in to the account before the person accepts.
    expect(
      (await t.api('POST', '/api/v1/auth/login', { email: 'new.nurse@clinic.test', password: '!' }, null)).status,
    ).toBe(401);

    expect((await accept(r.body.invitation.token, 'short')).status).toBe(400);
    expect((await accept(r.body.invitation.token, 'new.nurse@clinic.test')).status).toBe(400);
    const ok = await accept(r.body.invitation.token, 'tea with lemon at three');
    expect(ok.status).toBe(200);
    expect((await t.api('GET', '/api/v1/me', undefined, ok.body.token)).status).toBe(200);
    const again = await accept(r.body.invitation.token, 'another long passphrase');
    expect(again).toMatchObject({ status: 410, body: { error: { code: 'gone' } } });
    expect((await t.login('new.nurse@clinic.test', 'tea with lemon at three')).length).toBeGreaterThan(10);
  });

  it('answers 410 to an expired invitation', async () => {
    const r = await t.api<Invited>('POST', `/api/v1/organisations/${orgA}/users`, {
      email: 'late@clinic.test',
      displayName: 'Late',
      profession: 'clerk',
    });
    await t.sql.query("UPDATE invitations SET expires_at = now() - interval '1 second' WHERE user_id = $1", [
      r.body.id,
    ]);
    expect((await accept(r.body.invitation.token, 'a fine long passphrase')).status).toBe(410);
    expect((await accept('not-a-token', 'a fine long passphrase')).status).toBe(410);
  });

  it('adds a person who has an account already as a member, who confirms with their own password (never sets it)', async () => {
    const r = await t.api<Invited>(
      'POST',
      `/api/v1/organisations/${orgB}/users`,
      { email: 'new.nurse@clinic.test', displayName: 'ignored', profession: 'nurse' },
      adminB,
    );
    expect(r.status).toBe(201);
    expect(r.body.existingAccount).toBe(true);
    expect((await accept(r.body.invitation.token, 'an attacker chosen one')).status).toBe(401);
    expect((await accept(r.body.invitation.token, 'tea with lemon at three')).status).toBe(200);
    const dup = await t.api(
      'POST',
      `/api/v1/organisations/${orgB}/users`,
      { email: 'new.nurse@clinic.test', displayName: 'x', profession: 'nurse' },
      adminB,
    );
    expect(dup.status).toBe(409);
  });

  it("refuses an administrator of one organisation every action on another's staff", async () => {
    const nurseA = await joined(orgA, 'peer-a@clinic.test');
    const paths: [string, string, unknown?][] = [
      ['GET', `/api/v1/organisations/${orgA}/users`],
      ['POST', `/api/v1/organisations/${orgA}/users`, { email: 'x@y.test', displayName: 'X', profession: 'nurse' }],
      ['PATCH', `/api/v1/organisations/${orgA}/users/${nurseA.id}`, { role: 'admin' }],
      ['POST', `/api/v1/organisations/${orgA}/users/${nurseA.id}/disable`],
      ['POST', `/api/v1/organisations/${orgA}/users/${nurseA.id}/reset-password`],
      ['PATCH', `/api/v1/organisations/${orgA}`, { requireMfa: true }],
    ];
    for (const [method, path, body] of paths) {
      const r = await t.api(method as 'GET', path, body, adminB);
      expect([path, r.status]).toEqual([path, 403]);
    }
    expect((await t.api('GET', '/api/v1/me', undefined, nurseA.token)).status).toBe(200);
    // A staff member is no administrator either.
    expect((await t.api('GET', `/api/v1/organisations/${orgA}/users`, undefined, nurseA.token)).status).toBe(403);
  });

  it('disables a member: their sessions end at once and they cannot sign in again', async () => {
    const n = await joined(orgA, 'leaving@clinic.test');
    const second = await t.login('leaving@clinic.test', 'a fine long passphrase');
    const r = await t.api('POST', `/api/v1/organisations/${orgA}/users/${n.id}/disable`);
    expect(r.status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', undefined, n.token)).status).toBe(401);
    expect((await t.api('GET', '/api/v1/me', undefined, second)).status).toBe(401);
    expect(
      (
        await t.api(
          'POST',
          '/api/v1/auth/login',
          { email: 'leaving@clinic.test', password: 'a fine long passphrase' },
          null,
        )
      ).status,
    ).toBe(401);
    const staff = await t.api<{ id: string; disabled: boolean }[]>('GET', `/api/v1/organisations/${orgA}/users`);
    expect(staff.body.find((s) => s.id === n.id)?.disabled).toBe(true);
  });

  it('does not let one organisation disable or reset a person who also works for another', async () => {
    const nurse = (await t.sql.query<{ id: string }>("SELECT id FROM users WHERE email = 'new.nurse@clinic.test'"))
      .rows[0]!.id;
    expect(
      (await t.api('POST', `/api/v1/organisations/${orgB}/users/${nurse}/disable`, undefined, adminB)).status,
    ).toBe(409);
    expect(
      (await t.api('POST', `/api/v1/organisations/${orgB}/users/${nurse}/reset-password`, undefined, adminB)).status,
    ).toBe(409);
  });

  it('resets a password: a new one-time token, the sessions end, the new password works', async () => {
    const n = await joined(orgA, 'forgot@clinic.test');
    const r = await t.api<{ token: string; expiresAt: string }>(
      'POST',
      `/api/v1/organisations/${orgA}/users/${n.id}/reset-password`,
    );
    expect(r.status).toBe(201);
    expect((await t.api('GET', '/api/v1/me', undefined, n.token)).status).toBe(401);
    expect((await accept(r.body.token, 'a second long passphrase')).status).toBe(200);
    expect((await accept(r.body.token, 'a third long passphrase')).status).toBe(410);
    await t.login('forgot@clinic.test', 'a second long passphrase');
  });

  it('changes roles, but never demotes the last administrator', async () => {
    const n = await joined(orgB, 'promote@station.test', adminB);
    const up = await t.api<{ role: string }>(
      'PATCH',
      `/api/v1/organisations/${orgB}/users/${n.id}`,
      { role: 'admin' },
      adminB,
    );
    expect(up).toMatchObject({ status: 200, body: { role: 'admin' } });
    const c = await t.api<{ id: string }>('POST', '/api/v1/organisations', { name: 'Solo pharmacy', kind: 'pharmacy' });
    const me = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    const down = await t.api<{ error: { message: string } }>(
      'PATCH',
      `/api/v1/organisations/${c.body.id}/users/${me}`,
      { role: 'staff' },
    );
    expect(down.status).toBe(409);
    expect(down.body.error.message).toMatch(/last administrator/);
  });

  it("finds people of every organisation by name, with emails only of the caller's colleagues", async () => {
    await joined(orgB, 'findme@station.test', adminB);
    const r = await t.api<{ displayName: string; email?: string; organisations: { name: string }[] }[]>(
      'GET',
      `/api/v1/people?q=${encodeURIComponent('findme')}`,
      undefined,
      (await joined(orgA, 'searcher@clinic.test')).token,
    );
    expect(r.status).toBe(200);
    // Found by name (the display name holds the email in this test) but the email is not shown.
    expect(r.body).toEqual([
      {
        id: expect.any(String),
        displayName: 'Name findme@station.test',
        profession: 'nurse',
        organisations: [{ organisationId: orgB, name: '訪問看護ステーション' }],
        kind: 'person',
      },
    ]);
    const colleague = await t.api<{ email?: string }[]>('GET', '/api/v1/people?q=searcher', undefined, adminB);
    expect(colleague.body[0]?.email).toBeUndefined();
    const own = await t.api<{ email?: string }[]>('GET', '/api/v1/people?q=searcher');
    expect(own.body[0]?.email).toBe('searcher@clinic.test');
    expect((await t.api('GET', '/api/v1/people', undefined, null)).status).toBe(401);
  });

  it('keeps the first administrator signing in (the test kit password passes the policy)', async () => {
    expect((await t.login(ADMIN.email, ADMIN.password)).length).toBeGreaterThan(10);
  });
});
