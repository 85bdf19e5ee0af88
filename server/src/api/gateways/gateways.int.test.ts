/**
 * Gateway routes through inject(): administrators only, credentials shown once, rotation and
 * revocation audited, conflicts, hostile bodies, unknown routes. Other organisations' gateways
 * (and the live MQTT session a rotation drops) are in ../organisation-scope.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';

describe('gateway routes', () => {
  let t: TestApp;
  let nurseToken: string;

  beforeAll(async () => {
    t = await buildTestApp();
    nurseToken = (
      await addColleague(t, { email: 'nurse@station.test', displayName: '看護師 山田', profession: 'nurse' })
    ).token;
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

  it('lists the gateways with their state, and a revoked one as revoked', async () => {
    const created = await t.api('POST', '/api/v1/gateways', { id: 'gw-list-01', label: '山田家' });
    expect(created.status).toBe(201);
    const before = await t.api<{ id: string }[]>('GET', '/api/v1/gateways');
    expect(before.body.find((g) => g.id === 'gw-list-01')).toEqual({
      id: 'gw-list-01',
      label: '山田家',
      organisationId: expect.any(String),
      revoked: false,
      status: 'unknown',
    });
    expect(await t.api('POST', '/api/v1/gateways/gw-list-01/revoke')).toEqual({ status: 204, body: undefined });
    const after = await t.api<{ id: string; revoked: boolean }[]>('GET', '/api/v1/gateways');
    expect(after.body.find((g) => g.id === 'gw-list-01')?.revoked).toBe(true);
    expect((await t.api('GET', '/api/v1/gateways', undefined, nurseToken)).status).toBe(403);
  });

  it('rotates a password: shown once, only its hash kept, the gateway let in again, audited', async () => {
    await t.api('POST', '/api/v1/gateways', { id: 'gw-rotate-01' });
    await t.api('POST', '/api/v1/gateways/gw-rotate-01/revoke');
    const hash = async () =>
      (
        await t.sql.query<{ secret_hash: string; revoked_at: Date | null }>(
          'SELECT secret_hash, revoked_at FROM gateways WHERE id = $1',
          ['gw-rotate-01'],
        )
      ).rows[0]!;
    const old = await hash();
    const r = await t.api<{ id: string; mqtt: { username: string; password: string } }>(
      'POST',
      '/api/v1/gateways/gw-rotate-01/rotate',
    );
    expect(r).toEqual({
      status: 200,
      body: { id: 'gw-rotate-01', mqtt: { username: 'gw-rotate-01', password: expect.any(String) } },
    });
    const now = await hash();
    expect(now.secret_hash).not.toBe(old.secret_hash);
    expect(now.secret_hash).not.toContain(r.body.mqtt.password);
    expect(now.revoked_at).toBeNull();
    const audit = await t.sql.query<{ action: string }>(
      `SELECT action FROM audit_log WHERE target = 'gw-rotate-01' ORDER BY id`,
    );
    expect(audit.rows.map((a) => a.action)).toEqual(['gateway.create', 'gateway.revoke', 'gateway.rotate']);
  });

  it.each([
    ['POST', '/api/v1/gateways/GW_BAD/rotate'],
    ['POST', '/api/v1/gateways/gw-nobody-01/rotate'],
    ['POST', '/api/v1/gateways/gw-nobody-01/revoke'],
    ['POST', `/api/v1/gateways/${'g'.repeat(64)}/revoke`],
  ] as const)('answers %s %s for a gateway that does not exist with 404', async (method, path) => {
    const r = await t.api<{ error: { code: string; message: string } }>(method, path);
    expect(r.status).toBe(404);
    expect(r.body.error).toEqual({ code: 'not_found', message: expect.stringMatching(/^gateway .* not found$/) });
  });

  it.each([
    ['POST', '/api/v1/gateways', { id: 'GW_BAD' }, 400],
    ['POST', '/api/v1/gateways', { id: 'gw-extra-01', secret: 'mine' }, 400],
    ['POST', '/api/v1/gateways', { organisationId: 'not-a-uuid' }, 400],
    ['POST', '/api/v1/gateways', '{"id":', 400],
    ['GET', '/api/v1/nowhere', undefined, 404],
  ] as const)('answers %s %s with a clear error (%#)', async (method, path, body, status) => {
    const r = await t.api<{ error: { code: string; message: string } }>(method, path, body);
    expect(r.status).toBe(status);
    expect(typeof r.body.error.message).toBe('string');
    expect(r.body.error.message.length).toBeGreaterThan(3);
  });
});
