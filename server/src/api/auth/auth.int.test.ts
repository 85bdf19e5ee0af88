/** Login, logout and the caller's account, through inject() on the real app. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { ADMIN } from '../../../test-support/harness.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { addMembership, createUser } from '../../storage/repos/people.ts';

describe('auth routes', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp();
    const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    const nurse = await createUser(t.sql, {
      email: 'nurse@station.test',
      displayName: '看護師 山田',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-1'),
    });
    await addMembership(t.sql, nurse, org, 'staff');
  });
  afterAll(async () => t?.close());

  it('answers a wrong password with 401 and the error shape of the contract', async () => {
    const r = await t.api('POST', '/api/v1/auth/login', { email: ADMIN.email, password: 'nope' }, null);
    expect(r).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'email or password is wrong' } },
    });
  });

  it('answers an unknown email exactly like a wrong password', async () => {
    const r = await t.api('POST', '/api/v1/auth/login', { email: 'nobody@clinic.test', password: 'nope' }, null);
    expect(r).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'email or password is wrong' } },
    });
  });

  it('refuses a login body with a field it does not know', async () => {
    const r = await t.api(
      'POST',
      '/api/v1/auth/login',
      { email: ADMIN.email, password: ADMIN.password, role: 'x' },
      null,
    );
    expect(r.status).toBe(400);
  });

  it('logs in with the token in the body and the session cookie, and the cookie alone works', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: ADMIN });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ token: string; user: { email: string; locale: string } }>();
    expect(body.user).toMatchObject({ email: ADMIN.email, locale: 'ja' });
    expect(String(r.headers['set-cookie'])).toMatch(
      /^vitals_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/,
    );
    const me = await t.app.inject({ url: '/api/v1/me', headers: { cookie: `vitals_session=${body.token}` } });
    expect(me.statusCode).toBe(200);
  });

  it('tells the caller who they are and their organisations', async () => {
    const r = await t.api<{ email: string; organisations: { role: string }[] }>('GET', '/api/v1/me');
    expect(r.status).toBe(200);
    expect(r.body.email).toBe(ADMIN.email);
    expect(r.body.organisations).toEqual([
      { organisationId: expect.any(String), name: 'Home-care clinic', role: 'admin' },
    ]);
    expect((await t.api('GET', '/api/v1/me', undefined, null)).status).toBe(401);
  });

  it('ends a session at logout, answering 204 without a body and clearing the cookie', async () => {
    const tok = await t.login('nurse@station.test', 'nurse-password-1');
    expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(200);
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { authorization: `Bearer ${tok}` },
    });
    expect([out.statusCode, out.body]).toEqual([204, '']);
    expect(String(out.headers['set-cookie'])).toMatch(/^vitals_session=; .*Max-Age=0$/);
    expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(401);
  });
});
