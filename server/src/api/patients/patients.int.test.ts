/** Patient routes through inject() on the real app: care-team scoping, validation, audit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';
import { setBattery } from '../../storage/repos/device-battery.ts';
import { setGatewayLiveness } from '../../storage/repos/gateway-liveness.ts';

describe('patient routes', () => {
  let t: TestApp;
  let nurseToken: string;
  let patientId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    nurseToken = (
      await addColleague(t, { email: 'nurse@station.test', displayName: '看護師 山田', profession: 'nurse' })
    ).token;
    const created = await t.api<{ id: string }>('POST', '/api/v1/patients', {
      displayName: '佐藤 一郎',
      birthDate: '1938-04-01',
    });
    expect(created.status).toBe(201);
    patientId = created.body.id;
  });
  afterAll(async () => t?.close());

  it('refuses patient data without a token', async () => {
    const r = await t.api<{ error: { code: string } }>('GET', `/api/v1/patients/${patientId}/latest`, undefined, null);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
  });

  it('puts the registering user on the care team, so they see the patient', async () => {
    const r = await t.api('GET', `/api/v1/patients/${patientId}`);
    expect(r).toEqual({
      status: 200,
      body: {
        id: patientId,
        displayName: '佐藤 一郎',
        birthDate: '1938-04-01',
        timezone: 'Asia/Tokyo',
        organisationId: expect.any(String),
        spo2Scale: 1,
        vitalsSensitivity: 'team',
      },
    });
    const list = await t.api<{ id: string }[]>('GET', '/api/v1/patients');
    expect(list.body.map((p) => p.id)).toEqual([patientId]);
  });

  it('hides a patient from a colleague of the same organisation who is not on the care team', async () => {
    const one = await t.api('GET', `/api/v1/patients/${patientId}`, undefined, nurseToken);
    expect(one.status).toBe(404);
    const list = await t.api<unknown[]>('GET', '/api/v1/patients', undefined, nurseToken);
    expect(list.body).toEqual([]);
    const wall = await t.api<{ patients: unknown[] }>('GET', '/api/v1/wall', undefined, nurseToken);
    expect(wall.body.patients).toEqual([]);
  });

  it.each([
    ['POST', '/api/v1/patients', '{"displayName":', 400],
    ['POST', '/api/v1/patients', { displayName: '' }, 400],
    ['POST', '/api/v1/patients', { displayName: 'x', role: 'admin' }, 400],
    ['POST', '/api/v1/patients', { displayName: 'x', timezone: 'Mars/Olympus' }, 400],
    ['POST', '/api/v1/patients', { displayName: 'x'.repeat(100_000) }, 400],
    ['POST', '/api/v1/patients', { displayName: 'x', organisationId: '00000000-0000-0000-0000-000000000000' }, 403],
    ['GET', '/api/v1/patients/not-a-uuid/latest', undefined, 404],
    ['GET', "/api/v1/patients/'; DROP TABLE readings; --/readings?metric=spo2", undefined, 404],
    ['GET', '/api/v1/patients/00000000-0000-0000-0000-000000000000', undefined, 404],
  ] as const)('answers %s %s with a clear error (%#)', async (method, path, body, status) => {
    const r = await t.api<{ error: { code: string; message: string } }>(method, path, body);
    expect(r.status).toBe(status);
    expect(r.body.error.message.length).toBeGreaterThan(3);
  });

  it('lists the devices bound to the patient with their battery and the home gateway’s state, to the team only', async () => {
    expect((await t.api('POST', '/api/v1/gateways', { id: 'gw-devices-01' })).status).toBe(201);
    const bound = await t.api('POST', '/api/v1/bindings', {
      deviceId: 'ble:c4:7c:8d:6a:3f:91',
      patientId,
      from: '2026-11-01T00:00:00Z',
      gatewayId: 'gw-devices-01',
    });
    expect(bound.status).toBe(201);
    await setBattery(t.sql, 'ble:c4:7c:8d:6a:3f:91', 18, true, new Date('2026-12-01T08:00:00Z'));
    await setGatewayLiveness(t.sql, 'gw-devices-01', 'offline', new Date('2026-12-02T01:00:00Z'));
    const r = await t.api<{ devices: unknown[] }>('GET', `/api/v1/patients/${patientId}/devices`);
    expect(r.status).toBe(200);
    expect(r.body.devices).toEqual([
      {
        id: 'ble:c4:7c:8d:6a:3f:91',
        boundFrom: '2026-11-01T00:00:00.000Z',
        battery: { level: 18, low: true, at: '2026-12-01T08:00:00.000Z' },
        gateway: { id: 'gw-devices-01', state: 'offline', since: '2026-12-02T01:00:00.000Z' },
      },
    ]);
    expect((await t.api('GET', `/api/v1/patients/${patientId}/devices`, undefined, nurseToken)).status).toBe(404);
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
    expect((await t.api('GET', `${base}?metric=spo2&from=2000-01-01T00:00:00Z&to=2026-01-01T00:00:00Z`)).status).toBe(
      400,
    );
    expect((await t.api('GET', `${base}?metric=spo2&maxPoints=0`)).status).toBe(400);
    expect((await t.api('GET', `${base}`)).status).toBe(400);
    const ok = await t.api('GET', `${base}?metric=spo2`);
    expect(ok).toEqual({ status: 200, body: { metric: 'spo2', unit: '%', resolution: 'raw', points: [] } });
  });

  it('writes an audit entry naming the user for every read of patient data', async () => {
    await t.api('GET', `/api/v1/patients/${patientId}/latest`);
    const a = await t.sql.query<{ action: string; user_id: string }>(
      `SELECT a.action, u.email AS user_id FROM audit_log a JOIN users u ON u.id = a.user_id WHERE a.patient_id = $1 ORDER BY a.id`,
      [patientId],
    );
    expect(a.rows.map((r) => r.action)).toContain('patient.create');
    expect(a.rows.at(-1)).toEqual({ action: 'readings.latest', user_id: 'admin@clinic.test' });
  });

  it('audits the wall display once per patient it shows, and not at all when it shows none', async () => {
    const second = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '鈴木 花子' })).body.id;
    const count = async () =>
      (
        await t.sql.query<{ patient_id: string; n: number }>(
          `SELECT patient_id, count(*)::int AS n FROM audit_log WHERE action = 'readings.latest' GROUP BY patient_id`,
        )
      ).rows;
    const before = new Map((await count()).map((r) => [r.patient_id, r.n]));
    const wall = await t.api<{ patients: { id: string; metrics: object }[] }>('GET', '/api/v1/wall');
    expect(wall.body.patients.map((p) => p.id).sort()).toEqual([patientId, second].sort());
    expect(wall.body.patients.every((p) => JSON.stringify(p.metrics) === '{}')).toBe(true);
    const after = new Map((await count()).map((r) => [r.patient_id, r.n]));
    expect(after.get(patientId)).toBe((before.get(patientId) ?? 0) + 1);
    expect(after.get(second)).toBe((before.get(second) ?? 0) + 1);
    await t.api('GET', '/api/v1/wall', undefined, nurseToken);
    expect(new Map((await count()).map((r) => [r.patient_id, r.n]))).toEqual(after);
  });
});
