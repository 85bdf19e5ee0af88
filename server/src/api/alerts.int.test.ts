import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertTestServer, startAlertServer } from '../../test-support/alert-server.ts';
import { hashPassword } from '../auth/secrets.ts';
import { addMembership, createUser } from '../storage/repos/people.ts';

type Err = { error: { code: string; message: string } };

describe('alert settings API: validation and permissions', () => {
  let t: AlertTestServer;
  let patientId: string;
  let outsider: string;
  let nurseId: string;

  beforeAll(async () => {
    t = await startAlertServer({ backend: 'pglite' });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    const org = (await t.server.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    nurseId = await createUser(t.server.sql, {
      email: 'n@c.test',
      displayName: 'Nurse Ito',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-1'),
    });
    await addMembership(t.server.sql, nurseId, org, 'staff');
    outsider = (
      await t.api<{ token: string }>(
        'POST',
        '/api/v1/auth/login',
        { email: 'n@c.test', password: 'nurse-password-1' },
        null,
      )
    ).body.token;
  });
  afterAll(async () => t?.close());

  it('refuses an override that breaks band nesting and says why', async () => {
    const r = await t.api<Err>('PUT', `/api/v1/patients/${patientId}/alert-rules/spo2_low`, {
      bands: { high: 95 },
      reason: 'test nesting',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(
      'spo2_low: the high limit (95) must be at or below the medium limit (93); bands are nested',
    );
  });

  it.each([
    ['PUT', 'alert-rules/nope', { reason: 'unknown rule' }, 404],
    ['PUT', 'alert-rules/pulse_high', { bands: { high: 140 } }, 400],
    ['PUT', 'targets/mood', { low: 1, reason: 'unknown metric' }, 400],
    ['PUT', 'targets/spo2', { low: 92, high: 88, reason: 'reversed' }, 400],
    ['POST', 'silences', { priority: 'high', expiresAt: '2026-11-24T06:00:00.000Z' }, 400],
    ['POST', 'silences', { reason: 'too long', expiresAt: '2026-12-24T06:00:00.000Z' }, 400],
    ['POST', 'schedules', { metric: 'bp_systolic', dueTime: '25:00' }, 400],
    ['POST', 'schedules', { metric: 'bp_systolic', windowStart: '11:00', dueTime: '10:00' }, 400],
    ['POST', 'absences', { endsAt: '2026-11-20T00:00:00.000Z', reason: 'ends before it starts' }, 400],
  ])('answers %s %s %j with %d', async (method, path, body, status) => {
    const r = await t.api<Err>(method, `/api/v1/patients/${patientId}/${path}`, body);
    expect(r.status).toBe(status);
    expect(r.body.error.message.length).toBeGreaterThan(5);
  });

  it('reports every problem of an escalation policy at once', async () => {
    const r = await t.api<Err>('PUT', `/api/v1/patients/${patientId}/escalation-policy`, {
      reason: 'bad policy',
      steps: [
        {
          targets: [{ type: 'rota', rotaId: '00000000-0000-4000-8000-000000000000' }, { type: 'user' }],
          delayMinutes: 0,
        },
      ],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(
      'steps[0].delayMinutes must be 1 to 1440; steps[0].targets[1]: a user target needs userId; rota 00000000-0000-4000-8000-000000000000 does not exist',
    );
  });

  it('keeps a patient outside the care team invisible and its settings unchangeable', async () => {
    expect((await t.api('GET', `/api/v1/patients/${patientId}/alert-rules`, undefined, outsider)).status).toBe(404);
    expect(
      (await t.api('PUT', `/api/v1/patients/${patientId}/targets/spo2`, { low: 88, reason: 'outsider' }, outsider))
        .status,
    ).toBe(404);
    expect((await t.api('GET', '/api/v1/alerts', undefined, outsider)).body).toEqual([]);
    expect((await t.api('POST', '/api/v1/alerts/00000000-0000-4000-8000-000000000000/ack', {}, outsider)).status).toBe(
      404,
    );
  });

  it('shows the effective rules after a target range and keeps the history', async () => {
    expect(
      (
        await t.api('PUT', `/api/v1/patients/${patientId}/targets/spo2`, {
          low: 88,
          high: 92,
          reason: 'COPD, target 88-92',
        })
      ).status,
    ).toBe(200);
    const r = await t.api<{ rules: { id: string; effective?: { bands: Record<string, number> } }[] }>(
      'GET',
      `/api/v1/patients/${patientId}/alert-rules`,
    );
    expect(r.body.rules.find((x) => x.id === 'spo2_low')!.effective!.bands).toEqual({ high: 85, medium: 88 });
    const h = await t.api<{ what: string; reason: string; changedByName: string }[]>(
      'GET',
      `/api/v1/patients/${patientId}/alert-settings/history`,
    );
    expect(h.body[0]).toMatchObject({ what: 'target:spo2', reason: 'COPD, target 88-92', changedByName: 'Dr. Sato' });
  });
});
