/**
 * Gateway and binding routes through inject() (auth and patients have their own tests in
 * api/auth/ and api/patients/): administrators only, conflicts, hostile bodies, unknown routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../test-support/app.ts';
import { hashPassword } from '../auth/secrets.ts';
import { addMembership, createUser } from '../storage/repos/people.ts';

describe('HTTP API: administrators, conflicts, hostile input', () => {
  let t: TestApp;
  let nurseToken: string;

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
    nurseToken = await t.login('nurse@station.test', 'nurse-password-1');
  });
  afterAll(async () => t?.close());

  it('lets only administrators create gateways and read dead letters', async () => {
    expect((await t.api('POST', '/api/v1/gateways', {}, nurseToken)).status).toBe(403);
    expect((await t.api('GET', '/api/v1/dead-letters', undefined, nurseToken)).status).toBe(403);
    const g = await t.api<{ id: string; mqtt: { username: string; password: string } }>('POST', '/api/v1/gateways', {});
    expect(g.status).toBe(201);
    expect(g.body.id).toMatch(/^gw-[a-z0-9]{8}$/);
    expect(g.body.mqtt.username).toBe(g.body.id);
    expect(g.body.mqtt.password.length).toBeGreaterThanOrEqual(40);
    const stored = await t.sql.query<{ secret_hash: string }>('SELECT secret_hash FROM gateways WHERE id = $1', [
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
    ['POST', '/api/v1/bindings', { deviceId: 'ble:XX', patientId: '00000000-0000-0000-0000-000000000000' }, 400],
    ['POST', '/api/v1/gateways', { id: 'GW_BAD' }, 400],
    ['GET', '/api/v1/nowhere', undefined, 404],
  ] as const)('answers %s %s with a clear error (%#)', async (method, path, body, status) => {
    const r = await t.api<{ error: { code: string; message: string } }>(method, path, body);
    expect(r.status).toBe(status);
    expect(typeof r.body.error.message).toBe('string');
    expect(r.body.error.message.length).toBeGreaterThan(3);
  });
});
