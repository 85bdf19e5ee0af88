/**
 * Binding routes through inject(): the answer, conflicts, care-team scoping, audit, hostile
 * bodies. Organisations apart (and the gateways' configs over MQTT) are in
 * ../organisation-scope.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';

describe('binding routes', () => {
  let t: TestApp;
  let nurseToken: string;
  let patientId: string;

  beforeAll(async () => {
    t = await buildTestApp();
    nurseToken = (
      await addColleague(t, { email: 'nurse@station.test', displayName: '看護師 山田', profession: 'nurse' })
    ).token;
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎' })).body.id;
    expect((await t.api('POST', '/api/v1/gateways', { id: 'gw-home-01' })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it('binds a device from a time on and registers it at the gateway named, audited', async () => {
    const D = 'ble:c4:7c:8d:00:01:01';
    const r = await t.api('POST', '/api/v1/bindings', {
      deviceId: D,
      patientId,
      from: '2026-03-01T09:00:00+09:00',
      gatewayId: 'gw-home-01',
      model: 'PO-60',
      label: ' 指先 ',
    });
    expect(r).toEqual({
      status: 201,
      body: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        deviceId: D,
        patientId,
        from: '2026-03-01T00:00:00.000Z',
        to: null,
        attachedReadings: 0,
      },
    });
    const device = await t.sql.query('SELECT gateway_id, model, label FROM devices WHERE id = $1', [D]);
    expect(device.rows).toEqual([{ gateway_id: 'gw-home-01', model: 'PO-60', label: '指先' }]);
    const audit = await t.sql.query<{ patient_id: string; detail: unknown }>(
      `SELECT patient_id, detail FROM audit_log WHERE action = 'binding.create' AND target = $1`,
      [D],
    );
    expect(audit.rows).toEqual([
      {
        patient_id: patientId,
        detail: { from: '2026-03-01T09:00:00+09:00', attached: 0, gatewayId: 'gw-home-01', registered: true },
      },
    ]);
  });

  it('ends the open binding when the device is bound again later, and refuses one starting earlier with 409', async () => {
    const D = 'ble:c4:7c:8d:00:01:02';
    const first = await t.api<{ id: string }>('POST', '/api/v1/bindings', {
      deviceId: D,
      patientId,
      from: '2026-01-01T00:00:00Z',
    });
    expect(first.status).toBe(201);
    const later = await t.api('POST', '/api/v1/bindings', { deviceId: D, patientId, from: '2026-02-01T00:00:00Z' });
    expect(later.status).toBe(201);
    const rows = await t.sql.query<{ valid_to: Date | null }>(
      'SELECT valid_to FROM bindings WHERE device_id = $1 ORDER BY valid_from',
      [D],
    );
    expect(rows.rows.map((b) => b.valid_to?.toISOString() ?? null)).toEqual(['2026-02-01T00:00:00.000Z', null]);
    const earlier = await t.api<{ error: { code: string; message: string } }>('POST', '/api/v1/bindings', {
      deviceId: D,
      patientId,
      from: '2026-01-15T00:00:00Z',
    });
    expect(earlier.status).toBe(409);
    expect(earlier.body.error).toEqual({
      code: 'conflict',
      message: `device ${D} already has a binding starting at or after 2026-01-15T00:00:00Z`,
    });
  });

  it('binds only to a patient on whose care team the caller is (404 otherwise), registering nothing', async () => {
    const D = 'ble:c4:7c:8d:00:01:03';
    const r = await t.api<{ error: { code: string } }>(
      'POST',
      '/api/v1/bindings',
      { deviceId: D, patientId },
      nurseToken,
    );
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('not_found');
    expect((await t.sql.query('SELECT 1 FROM devices WHERE id = $1', [D])).rowCount).toBe(0);
  });

  it.each([
    // The access core checks the patient before the handler reads the device id.
    [{ deviceId: 'ble:XX', patientId: '00000000-0000-0000-0000-000000000000' }, 404],
    [{ deviceId: 'ble:c4:7c:8d:00:01:04' }, 400],
    [{ deviceId: 'ble:c4:7c:8d:00:01:04', patientId: 'not-a-uuid' }, 400],
    [{ deviceId: 'ble:c4:7c:8d:00:01:04', patientId: '00000000-0000-0000-0000-000000000000' }, 404],
    [{ deviceId: 'ble:c4:7c:8d:00:01:04', patientId: '00000000-0000-0000-0000-000000000000', owner: 'me' }, 400],
    [{ deviceId: 'ble:c4:7c:8d:00:01:04', patientId: '00000000-0000-0000-0000-000000000000', from: 'today' }, 400],
    ['{"deviceId":', 400],
  ] as const)('answers the binding %j with a clear error (%#)', async (body, status) => {
    const r = await t.api<{ error: { code: string; message: string } }>('POST', '/api/v1/bindings', body);
    expect(r.status).toBe(status);
    expect(r.body.error.message.length).toBeGreaterThan(3);
  });

  it('answers a malformed device id for a visible patient with 400 naming the expected form', async () => {
    const r = await t.api<{ error: { message: string } }>('POST', '/api/v1/bindings', {
      deviceId: 'ble:XX',
      patientId,
    });
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/deviceId must be ble:<address lower-case>/);
  });

  it('answers an unknown gateway in a binding with 404, registering nothing', async () => {
    const D = 'ble:c4:7c:8d:00:01:05';
    const r = await t.api('POST', '/api/v1/bindings', { deviceId: D, patientId, gatewayId: 'gw-nowhere-01' });
    expect(r).toEqual({
      status: 404,
      body: { error: { code: 'not_found', message: 'gateway gw-nowhere-01 not found' } },
    });
    expect((await t.sql.query('SELECT 1 FROM devices WHERE id = $1', [D])).rowCount).toBe(0);
  });
});
