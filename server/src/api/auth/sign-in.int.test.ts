/**
 * Sign-in as issue 13 asks (MHLW guideline v6.0, OWASP ASVS L2), through inject() on the real app:
 * the second factor, lock-out, session expiry, security headers and no-store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { ADMIN } from '../../../test-support/harness.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { TOTP_PERIOD, totpCode } from '../../auth/totp.ts';
import { addMembership, createUser } from '../../storage/repos/people.ts';

type Login = { token?: string; mfaRequired?: boolean; mfaToken?: string; mfaEnrolmentRequired?: boolean };

async function person(t: TestApp, email: string, password = 'a-long-enough-password') {
  const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations ORDER BY created_at LIMIT 1')).rows[0]!
    .id;
  const id = await createUser(t.sql, {
    email,
    displayName: email,
    profession: 'nurse',
    passwordHash: await hashPassword(password),
  });
  await addMembership(t.sql, id, org, 'staff');
  return { id, email, password };
}

const login = (t: TestApp, email: string, password: string, remoteAddress = '127.0.0.1') =>
  t.app
    .inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, remoteAddress })
    .then((r) => ({ status: r.statusCode, body: r.json<Login>(), headers: r.headers }));

/** Enrols TOTP for a signed-in person; the secret and recovery codes. */
async function enrol(t: TestApp, token: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const e = await t.api<{ secret: string; otpauthUri: string }>('POST', '/api/v1/auth/totp/enrol', undefined, token);
  expect(e.status).toBe(200);
  expect(e.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Vitals:.*secret=/);
  const code = await totpCode(e.body.secret);
  const c = await t.api<{ recoveryCodes: string[] }>('POST', '/api/v1/auth/totp/confirm', { code }, token);
  expect(c.status).toBe(200);
  return { secret: e.body.secret, recoveryCodes: c.body.recoveryCodes };
}

/**
 * The code of the next time step: accepted (one step of tolerance), and later than the step used
 * at enrolment, which a single-use code must be. On a busy machine the current step may have
 * passed by the time the server checks.
 */
const nextCode = (secret: string) => totpCode(secret, Math.floor(Date.now() / 1000) + TOTP_PERIOD);

async function actions(t: TestApp, since: number): Promise<string[]> {
  const r = await t.sql.query<{ action: string }>('SELECT action FROM audit_log WHERE id > $1 ORDER BY id', [since]);
  return r.rows.map((x) => x.action);
}
async function lastAuditId(t: TestApp): Promise<number> {
  const r = await t.sql.query<{ id: string | null }>('SELECT max(id) AS id FROM audit_log');
  return Number(r.rows[0]!.id ?? 0);
}

describe('sign-in', () => {
  // One app for these cases (building one is slow on a busy machine): the per-address limit is
  // out of the way here (tested below), and the loopback address is the trusted TLS proxy.
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { VITALS_LOGIN_ATTEMPTS_PER_MINUTE: '100000', VITALS_TRUST_PROXY: '127.0.0.1' } });
  });
  afterAll(async () => t?.close());

  describe('with a second factor', () => {
    it('enrols TOTP, then asks for a code at login, and gives a session for the right code', async () => {
      const p = await person(t, 'totp@station.test');
      const first = await login(t, p.email, p.password);
      const { secret, recoveryCodes } = await enrol(t, first.body.token!);
      expect(recoveryCodes).toHaveLength(10);
      expect(new Set(recoveryCodes).size).toBe(10);

      const step1 = await login(t, p.email, p.password);
      expect(step1.status).toBe(200);
      expect(step1.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
      expect(step1.body.token).toBeUndefined();
      const step2 = await t.api<Login>(
        'POST',
        '/api/v1/auth/login/mfa',
        { mfaToken: step1.body.mfaToken, code: await nextCode(secret) },
        null,
      );
      expect(step2.status).toBe(200);
      expect((await t.api('GET', '/api/v1/me', undefined, step2.body.token)).status).toBe(200);
    });

    it('refuses a code used once already (replay), even with a fresh password step', async () => {
      const p = await person(t, 'replay@station.test');
      const { secret } = await enrol(t, (await login(t, p.email, p.password)).body.token!);
      const code = await nextCode(secret);
      const a = await login(t, p.email, p.password);
      const ok = await t.api('POST', '/api/v1/auth/login/mfa', { mfaToken: a.body.mfaToken, code }, null);
      expect(ok.status).toBe(200);
      const b = await login(t, p.email, p.password);
      const since = await lastAuditId(t);
      const again = await t.api<{ error: { message: string } }>(
        'POST',
        '/api/v1/auth/login/mfa',
        { mfaToken: b.body.mfaToken, code },
        null,
      );
      expect(again.status).toBe(401);
      expect(again.body.error.message).toMatch(/already used/);
      expect(await actions(t, since)).toEqual(['auth.login.failed']);
    });

    it('accepts each recovery code once, in any spelling', async () => {
      const p = await person(t, 'recovery@station.test');
      const { recoveryCodes } = await enrol(t, (await login(t, p.email, p.password)).body.token!);
      const code = recoveryCodes[3]!;
      const a = await login(t, p.email, p.password);
      const typed = code.replace('-', ' ').toLowerCase();
      const ok = await t.api('POST', '/api/v1/auth/login/mfa', { mfaToken: a.body.mfaToken, code: typed }, null);
      expect(ok.status).toBe(200);
      const b = await login(t, p.email, p.password);
      const again = await t.api('POST', '/api/v1/auth/login/mfa', { mfaToken: b.body.mfaToken, code }, null);
      expect(again.status).toBe(401);
      const stored = await t.sql.query<{ code_hash: string }>(
        'SELECT code_hash FROM recovery_codes r JOIN users u ON u.id = r.user_id WHERE u.email = $1',
        [p.email],
      );
      // Only hashes are stored.
      expect(stored.rows.some((r) => r.code_hash.includes(code))).toBe(false);
    });

    it('refuses a wrong code and an unknown step token', async () => {
      const p = await person(t, 'wrongcode@station.test');
      await enrol(t, (await login(t, p.email, p.password)).body.token!);
      const a = await login(t, p.email, p.password);
      expect(
        (await t.api('POST', '/api/v1/auth/login/mfa', { mfaToken: a.body.mfaToken, code: '000000' }, null)).status,
      ).toBe(401);
      expect((await t.api('POST', '/api/v1/auth/login/mfa', { mfaToken: 'nope', code: '123456' }, null)).status).toBe(
        401,
      );
    });

    it('does not enrol twice, and confirms only with the right code', async () => {
      const p = await person(t, 'twice@station.test');
      const tok = (await login(t, p.email, p.password)).body.token!;
      await t.api('POST', '/api/v1/auth/totp/enrol', undefined, tok);
      expect((await t.api('POST', '/api/v1/auth/totp/confirm', { code: '000000' }, tok)).status).toBe(400);
      const tok2 = (await login(t, p.email, p.password)).body.token!;
      await enrol(t, tok2);
      expect((await t.api('POST', '/api/v1/auth/totp/enrol', undefined, tok2)).status).toBe(409);
    });
  });

  describe('throttling and lock-out', () => {
    it('lets an administrator of their organisation remove a lost second factor: their sessions end, the password alone signs in again', async () => {
      const p = await person(t, 'lost.phone@station.test');
      const before = (await login(t, p.email, p.password)).body.token!;
      await enrol(t, before);
      expect((await login(t, p.email, p.password)).body.mfaRequired).toBe(true);
      const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations ORDER BY created_at LIMIT 1'))
        .rows[0]!.id;
      const reset = `/api/v1/organisations/${org}/users/${p.id}/reset-second-factor`;
      expect((await t.api('POST', reset, undefined, before)).status).toBe(403); // not an administrator
      const since = await lastAuditId(t);
      expect((await t.api('POST', reset)).status).toBe(204);
      expect((await t.api('GET', '/api/v1/me', undefined, before)).status).toBe(401);
      const after = await login(t, p.email, p.password);
      expect(after.body.mfaRequired).toBeUndefined();
      expect((await t.api('GET', '/api/v1/me', undefined, after.body.token)).status).toBe(200);
      expect(await actions(t, since)).toContain('organisation.member.second_factor_reset');
      expect((await t.api('POST', reset)).status).toBe(409); // nothing left to remove
    });

    it('refuses the right password after 30 wrong ones in a row, while the account is locked (issue 13)', async () => {
      const p = await person(t, 'target@station.test');
      const since = await lastAuditId(t);
      const statuses: number[] = [];
      // From 30 addresses: the per-address limit does not come into it, the account lock does.
      for (let i = 0; i < 30; i++)
        statuses.push((await login(t, p.email, `wrong-password-${i}`, `10.0.0.${i + 1}`)).status);
      expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
      const right = await login(t, p.email, p.password, '10.0.1.1');
      expect(right.status).toBe(429);
      expect(right.body.token).toBeUndefined();
      const a = await actions(t, since);
      expect(a.filter((x) => x === 'auth.login.failed')).toHaveLength(5);
      expect(a.filter((x) => x === 'auth.locked')).toHaveLength(1);
      expect(a.filter((x) => x === 'auth.login.refused_locked')).toHaveLength(26);
    });

    it('accepts the right password once the lock has expired', async () => {
      const p = await person(t, 'expired-lock@station.test');
      for (let i = 0; i < 5; i++) await login(t, p.email, 'wrong-password-x');
      expect((await login(t, p.email, p.password)).status).toBe(429);
      await t.sql.query("UPDATE login_failures SET locked_until = now() - interval '1 second' WHERE email = $1", [
        p.email,
      ]);
      expect((await login(t, p.email, p.password)).status).toBe(200);
    });

    it('locks an unknown email the same way, so the answers do not tell which accounts exist', async () => {
      for (let i = 0; i < 5; i++) expect((await login(t, 'ghost@nowhere.test', 'wrong-password-x')).status).toBe(401);
      expect((await login(t, 'ghost@nowhere.test', 'wrong-password-x')).status).toBe(429);
    });

    it('counts wrong second-factor codes towards the lock-out', async () => {
      const p = await person(t, 'codes@station.test');
      await enrol(t, (await login(t, p.email, p.password)).body.token!);
      for (let i = 0; i < 5; i++) {
        const a = await login(t, p.email, p.password);
        await t.api('POST', '/api/v1/auth/login/mfa', { mfaToken: a.body.mfaToken, code: '000000' }, null);
      }
      // Five wrong codes, each after the right password: a count cleared by the password would allow endless guessing.
      expect((await login(t, p.email, p.password)).status).toBe(429);
    });
  });

  describe('sessions', () => {
    it('ends a session idle for longer than the idle timeout (30 minutes)', async () => {
      const p = await person(t, 'idle@station.test');
      const tok = (await login(t, p.email, p.password)).body.token!;
      await t.sql.query("UPDATE sessions SET last_seen_at = now() - interval '29 minutes' WHERE user_id = $1", [p.id]);
      expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(200);
      await t.sql.query("UPDATE sessions SET last_seen_at = now() - interval '31 minutes' WHERE user_id = $1", [p.id]);
      expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(401);
    });

    it('keeps a session in use alive, and ends it at its absolute lifetime however active', async () => {
      const p = await person(t, 'absolute@station.test');
      const tok = (await login(t, p.email, p.password)).body.token!;
      const s = await t.sql.query<{ expires_at: Date; created_at: Date }>(
        'SELECT expires_at, created_at FROM sessions WHERE user_id = $1',
        [p.id],
      );
      expect(s.rows[0]!.expires_at.getTime() - s.rows[0]!.created_at.getTime()).toBeCloseTo(12 * 3600_000, -4);
      await t.sql.query("UPDATE sessions SET last_seen_at = now() - interval '10 minutes' WHERE user_id = $1", [p.id]);
      expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(200);
      const seen = await t.sql.query<{ fresh: boolean }>(
        "SELECT last_seen_at > now() - interval '1 minute' AS fresh FROM sessions WHERE user_id = $1",
        [p.id],
      );
      expect(seen.rows[0]!.fresh).toBe(true);
      await t.sql.query("UPDATE sessions SET expires_at = now() - interval '1 second' WHERE user_id = $1", [p.id]);
      expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(401);
    });

    it("lists the caller's own sessions and ends one by its id, and no one else's", async () => {
      const p = await person(t, 'many@station.test');
      const a = (await login(t, p.email, p.password)).body.token!;
      const b = (await login(t, p.email, p.password)).body.token!;
      const list = await t.api<{ id: string; current: boolean }[]>('GET', '/api/v1/auth/sessions', undefined, a);
      expect(list.body).toHaveLength(2);
      const other = list.body.find((s) => !s.current)!;
      expect(JSON.stringify(list.body)).not.toContain(a);
      // The administrator cannot end this person's session through their own list.
      expect((await t.api('DELETE', `/api/v1/auth/sessions/${other.id}`, undefined, t.token)).status).toBe(404);
      expect((await t.api('DELETE', `/api/v1/auth/sessions/${other.id}`, undefined, a)).status).toBe(204);
      expect((await t.api('GET', '/api/v1/me', undefined, b)).status).toBe(401);
      expect((await t.api('GET', '/api/v1/me', undefined, a)).status).toBe(200);
    });

    it('changes the password: the policy applies, other sessions end, this one stays', async () => {
      const p = await person(t, 'change@station.test');
      const a = (await login(t, p.email, p.password)).body.token!;
      const b = (await login(t, p.email, p.password)).body.token!;
      const weak = await t.api(
        'POST',
        '/api/v1/auth/password',
        { currentPassword: p.password, newPassword: 'short' },
        a,
      );
      expect(weak.status).toBe(400);
      const wrong = await t.api(
        'POST',
        '/api/v1/auth/password',
        { currentPassword: 'not-the-password', newPassword: 'a brand new passphrase' },
        a,
      );
      expect(wrong.status).toBe(403);
      const ok = await t.api(
        'POST',
        '/api/v1/auth/password',
        { currentPassword: p.password, newPassword: 'a brand new passphrase' },
        a,
      );
      expect(ok.status).toBe(204);
      expect((await t.api('GET', '/api/v1/me', undefined, a)).status).toBe(200);
      expect((await t.api('GET', '/api/v1/me', undefined, b)).status).toBe(401);
      expect((await login(t, p.email, 'a brand new passphrase')).status).toBe(200);
      expect((await login(t, p.email, p.password)).status).toBe(401);
    });
  });

  describe('security headers and caching', () => {
    const expectHelmet = (h: Record<string, unknown>) => {
      const csp = String(h['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(h['x-content-type-options']).toBe('nosniff');
      expect(h['referrer-policy']).toBe('no-referrer');
      expect(h['x-frame-options']).toBe('DENY');
    };

    it('sends them on API answers, errors and unknown routes, with no-store', async () => {
      for (const r of [
        await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${t.token}` } }),
        await t.app.inject({ url: '/api/v1/me' }),
        await t.app.inject({ url: '/api/v1/nothing-here' }),
        await t.app.inject({
          url: `/api/v1/patients/${'0'.repeat(8)}-0000-0000-0000-000000000000/latest`,
          headers: { authorization: `Bearer ${t.token}` },
        }),
      ]) {
        expectHelmet(r.headers);
        expect(r.headers['cache-control']).toBe('no-store');
      }
    });

    it('answers the login with no-store, and HSTS and a Secure cookie only over TLS', async () => {
      const plain = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: ADMIN });
      expect(plain.headers['cache-control']).toBe('no-store');
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      expect(String(plain.headers['set-cookie'])).not.toContain('Secure');
      // Behind the trusted TLS-terminating proxy (VITALS_TRUST_PROXY).
      const proxied = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: ADMIN,
        headers: { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.7' },
      });
      expect(proxied.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(String(proxied.headers['set-cookie'])).toMatch(/; Secure$/);
      const row = await t.sql.query<{ ip: string }>('SELECT ip FROM sessions ORDER BY created_at DESC LIMIT 1');
      expect(row.rows[0]!.ip).toBe('203.0.113.7');
    });

    it('does not believe X-Forwarded-Proto from an address that is not the proxy', async () => {
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: ADMIN,
        remoteAddress: '198.51.100.9',
        headers: { 'x-forwarded-proto': 'https' },
      });
      expect(String(r.headers['set-cookie'])).not.toContain('Secure');
      expect(r.headers['strict-transport-security']).toBeUndefined();
    });
  });
});

describe("the environment's administrator without VITALS_ADMIN_TOTP_SECRET", () => {
  it('gets a full session with its password, as the contract lets automated set-up sign in', async () => {
    const t = await buildTestApp({ env: { VITALS_ADMIN_MFA: 'true' } });
    try {
      const a = await login(t, ADMIN.email, ADMIN.password, '10.2.0.1');
      expect(a.body).toMatchObject({ token: expect.any(String) });
      expect(a.body).not.toHaveProperty('mfaEnrolmentRequired');
      expect((await t.api('POST', '/api/v1/patients', { displayName: 'Contract Taro' }, a.body.token)).status).toBe(
        201,
      );
      // Any other administrator must still enrol.
      const p = await person(t, 'other.admin@clinic.test');
      const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations LIMIT 1')).rows[0]!.id;
      await addMembership(t.sql, p.id, org, 'admin');
      const other = await login(t, p.email, p.password, '10.2.0.2');
      expect(other.body).toMatchObject({ mfaEnrolmentRequired: true });
    } finally {
      await t.close();
    }
  });
});

describe('administrators and the limit per address', () => {
  const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({
      env: { VITALS_ADMIN_MFA: 'true', VITALS_ADMIN_TOTP_SECRET: secret, VITALS_LOGIN_ATTEMPTS_PER_MINUTE: '10' },
    });
  });
  afterAll(async () => t?.close());

  /** A second administrator of the first organisation, without a second factor. */
  async function secondAdmin(email: string) {
    const p = await person(t, email);
    const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations LIMIT 1')).rows[0]!.id;
    await addMembership(t.sql, p.id, org, 'admin');
    return p;
  }

  it('signs the first administrator in with a code computed from VITALS_ADMIN_TOTP_SECRET, to a full session', async () => {
    const a = await login(t, ADMIN.email, ADMIN.password, '10.1.0.1');
    expect(a.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    // buildTestApp signed in with the current code already: the next step's code is a fresh one.
    const code = await totpCode(secret, Math.floor(Date.now() / 1000) + TOTP_PERIOD);
    const s = await t.api<Login>('POST', '/api/v1/auth/login/mfa', { mfaToken: a.body.mfaToken, code }, null);
    expect(s.status).toBe(200);
    expect((await t.api('GET', '/api/v1/gateways', undefined, s.body.token)).status).toBe(200);
  });

  it('gives an administrator without a second factor a session that can only enrol one, then a full one', async () => {
    const p = await secondAdmin('second.admin@clinic.test');
    const r = await login(t, p.email, p.password, '10.1.0.2');
    expect(r.body).toMatchObject({ token: expect.any(String), mfaEnrolmentRequired: true });
    const tok = r.body.token!;
    const me = await t.api<{ mfa: unknown }>('GET', '/api/v1/me', undefined, tok);
    expect(me.body.mfa).toEqual({ enrolled: false, required: true, sessionLimitedToEnrolment: true });
    const refused = await t.api<{ error: { code: string } }>('GET', '/api/v1/gateways', undefined, tok);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('mfa_enrolment_required');
    expect((await t.api('GET', '/api/v1/patients', undefined, tok)).status).toBe(403);
    expect((await t.api('GET', '/api/v1/auth/sessions', undefined, tok)).status).toBe(200);
    await enrol(t, tok);
    expect((await t.api('GET', '/api/v1/gateways', undefined, tok)).status).toBe(200);
  });

  it('lets an organisation require a second factor of all its staff', async () => {
    const p = await person(t, 'staff@clinic.test');
    expect((await login(t, p.email, p.password, '10.1.0.3')).body.mfaEnrolmentRequired).toBeUndefined();
    const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations LIMIT 1')).rows[0]!.id;
    const set = await t.api('PATCH', `/api/v1/organisations/${org}`, { requireMfa: true });
    expect(set).toMatchObject({ status: 200, body: { requireMfa: true } });
    expect((await login(t, p.email, p.password, '10.1.0.3')).body.mfaEnrolmentRequired).toBe(true);
  });

  it('answers 429 to an address past its sign-in requests per minute, across accounts, and audits it', async () => {
    const since = await lastAuditId(t);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push((await login(t, `spray${i}@clinic.test`, 'wrong-password-x', '10.9.9.9')).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
    expect((await login(t, 'other@clinic.test', 'wrong-password-x', '10.9.9.10')).status).toBe(401);
    expect(await actions(t, since)).toContain('auth.rate_limited');
  });
});
