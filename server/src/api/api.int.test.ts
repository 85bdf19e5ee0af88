import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../test-support/harness.ts';
import { hashPassword } from '../auth/secrets.ts';
import { addMembership, createUser } from '../storage/repos/people.ts';

describe('HTTP API: auth, care-team scoping, hostile input', () => {
  let t: TestServer;
  let nurseToken: string;
  let patientId: string;

  beforeAll(async () => {
    t = await startTestServer('pglite');
    const org = (await t.server.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    const nurse = await createUser(t.server.sql, {
      email: 'nurse@station.test',
      displayName: '看護師 山田',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-1'),
    });
    await addMembership(t.server.sql, nurse, org, 'staff');
    nurseToken = (
      await t.api<{ token: string }>('POST', '/api/v1/auth/login', {
        email: 'nurse@station.test',
        password: 'nurse-password-1',
      })
    ).body.token;
    patientId = (
      await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎', birthDate: '1938-04-01' })
    ).body.id;
  });
  afterAll(async () => t?.close());

  it('answers a wrong password with 401 and the error shape of the contract', async () => {
    const r = await t.api('POST', '/api/v1/auth/login', { email: 'admin@clinic.test', password: 'nope' }, null);
    expect(r).toEqual({
      status: 401,
      body: { error: { code: 'unauthorized', message: 'email or password is wrong' } },
    });
  });

  it('refuses patient data without a token', async () => {
    const r = await t.api<{ error: { code: string } }>('GET', `/api/v1/patients/${patientId}/latest`, undefined, null);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
  });

  it('puts the registering user on the care team, so they see the patient', async () => {
    const r = await t.api<{ id: string; displayName: string; birthDate: string; timezone: string }>(
      'GET',
      `/api/v1/patients/${patientId}`,
    );
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: patientId,
      displayName: '佐藤 一郎',
      birthDate: '1938-04-01',
      timezone: 'Asia/Tokyo',
    });
  });

  it('hides a patient from a colleague of the same organisation who is not on the care team', async () => {
    const one = await t.api('GET', `/api/v1/patients/${patientId}`, undefined, nurseToken);
    expect(one.status).toBe(404);
    const list = await t.api<unknown[]>('GET', '/api/v1/patients', undefined, nurseToken);
    expect(list.body).toEqual([]);
    const wall = await t.api<{ patients: unknown[] }>('GET', '/api/v1/wall', undefined, nurseToken);
    expect(wall.body.patients).toEqual([]);
  });

  it('lets only administrators create gateways and read dead letters', async () => {
    expect((await t.api('POST', '/api/v1/gateways', {}, nurseToken)).status).toBe(403);
    expect((await t.api('GET', '/api/v1/dead-letters', undefined, nurseToken)).status).toBe(403);
    const g = await t.api<{ id: string; mqtt: { username: string; password: string } }>('POST', '/api/v1/gateways', {});
    expect(g.status).toBe(201);
    expect(g.body.id).toMatch(/^gw-[a-z0-9]{8}$/);
    expect(g.body.mqtt.username).toBe(g.body.id);
    expect(g.body.mqtt.password.length).toBeGreaterThanOrEqual(40);
    const stored = await t.server.sql.query<{ secret_hash: string }>('SELECT secret_hash FROM gateways WHERE id = $1', [
      g.body.id,
    ]);
    expect(stored.rows[0]!.secret_hash).not.toContain(g.body.mqtt.password);
  });

  it('refuses a duplicate gateway id with 409', async () => {
    await t.api('POST', '/api/v1/gateways', { id: 'gw-dup-01' });
    const again = await t.api<{ error: { code: string } }>('POST', '/api/v1/gateways', { id: 'gw-dup-01' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('conflict');
  });

  it.each([
    ['POST', '/api/v1/patients', '{"displayName":', 400],
    ['POST', '/api/v1/patients', { displayName: '' }, 400],
    ['POST', '/api/v1/patients', { displayName: 'x', role: 'admin' }, 400],
    ['POST', '/api/v1/patients', { displayName: 'x', timezone: 'Mars/Olympus' }, 400],
    ['POST', '/api/v1/patients', { displayName: 'x'.repeat(100_000) }, 400],
    ['POST', '/api/v1/bindings', { deviceId: 'ble:XX', patientId: '00000000-0000-0000-0000-000000000000' }, 400],
    ['POST', '/api/v1/gateways', { id: 'GW_BAD' }, 400],
    ['GET', '/api/v1/patients/not-a-uuid/latest', undefined, 404],
    ['GET', "/api/v1/patients/'; DROP TABLE readings; --/readings?metric=spo2", undefined, 404],
    ['GET', '/api/v1/nowhere', undefined, 404],
  ])('answers %s %s with a clear error (%#)', async (method, path, body, status) => {
    const r = await t.api<{ error: { code: string; message: string } }>(method, path, body);
    expect(r.status).toBe(status);
    expect(typeof r.body.error.message).toBe('string');
    expect(r.body.error.message.length).toBeGreaterThan(3);
  });

  it('validates readings queries: unknown metric, bad times, reversed range', async () => {
    const base = `/api/v1/patients/${patientId}/readings`;
    expect((await t.api<{ error: { message: string } }>('GET', `${base}?metric=mood`)).body.error.message).toMatch(
      /unknown metric "mood"/,
    );
    expect((await t.api('GET', `${base}?metric=spo2&from=yesterday`)).status).toBe(400);
    expect((await t.api('GET', `${base}?metric=spo2&from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z`)).status).toBe(
      400,
    );
    expect((await t.api('GET', `${base}?metric=spo2&maxPoints=0`)).status).toBe(400);
    const ok = await t.api('GET', `${base}?metric=spo2`);
    expect(ok).toEqual({ status: 200, body: { metric: 'spo2', unit: '%', resolution: 'raw', points: [] } });
  });

  it('writes an audit entry naming the user for every read of patient data', async () => {
    await t.api('GET', `/api/v1/patients/${patientId}/latest`);
    const a = await t.server.sql.query<{ action: string; user_id: string }>(
      `SELECT a.action, u.email AS user_id FROM audit_log a JOIN users u ON u.id = a.user_id WHERE a.patient_id = $1 ORDER BY a.id`,
      [patientId],
    );
    expect(a.rows.map((r) => r.action)).toContain('patient.create');
    expect(a.rows.at(-1)).toEqual({ action: 'readings.latest', user_id: 'admin@clinic.test' });
  });

  it('ends a session at logout', async () => {
    const tok = (
      await t.api<{ token: string }>('POST', '/api/v1/auth/login', {
        email: 'nurse@station.test',
        password: 'nurse-password-1',
      })
    ).body.token;
    expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(200);
    expect((await t.api('POST', '/api/v1/auth/logout', undefined, tok)).status).toBe(204);
    expect((await t.api('GET', '/api/v1/me', undefined, tok)).status).toBe(401);
  });
});
