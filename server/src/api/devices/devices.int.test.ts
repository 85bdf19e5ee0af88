/**
 * Device moves through inject(): administrators only, between gateways of the device's
 * organisation, audited; unknown or malformed devices and gateways are not found. Moves across
 * organisations, and the configs both homes receive over MQTT, are in ../organisation-scope.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';

describe('device routes', () => {
  let t: TestApp;
  let staffToken: string;
  const D = 'ble:c4:7c:8d:00:02:01';

  const moves = async () =>
    (
      await t.sql.query<{ detail: unknown }>(
        `SELECT detail FROM audit_log WHERE action = 'device.move' AND target = $1 ORDER BY id`,
        [D],
      )
    ).rows.map((r) => r.detail);

  beforeAll(async () => {
    t = await buildTestApp();
    staffToken = (
      await addColleague(t, { email: 'staff@station.test', displayName: '看護師 山田', profession: 'nurse' })
    ).token;
    for (const id of ['gw-home-a', 'gw-home-b'])
      expect((await t.api('POST', '/api/v1/gateways', { id })).status).toBe(201);
    const patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎' })).body.id;
    expect((await t.api('POST', '/api/v1/bindings', { deviceId: D, patientId, gatewayId: 'gw-home-a' })).status).toBe(
      201,
    );
  });
  afterAll(async () => t?.close());

  it('moves a device to another gateway of its organisation, audited, and staying put is no move', async () => {
    expect((await t.api('POST', `/api/v1/devices/${D}/move`, { gatewayId: 'gw-home-b' }, staffToken)).status).toBe(403);
    const moved = await t.api('POST', `/api/v1/devices/${D}/move`, { gatewayId: 'gw-home-b' });
    expect(moved).toEqual({
      status: 200,
      body: { id: D, organisationId: expect.any(String), gatewayId: 'gw-home-b', movedFrom: 'gw-home-a' },
    });
    expect(await moves()).toEqual([{ from: 'gw-home-a', to: 'gw-home-b' }]);
    const again = await t.api('POST', `/api/v1/devices/${D}/move`, { gatewayId: 'gw-home-b' });
    expect(again).toEqual({
      status: 200,
      body: { id: D, organisationId: expect.any(String), gatewayId: 'gw-home-b' },
    });
    expect(await moves()).toHaveLength(1);
  });

  it('registers a device nobody has yet at the gateway named, as no move', async () => {
    const N = 'serial:pm-7000-0042';
    const r = await t.api('POST', `/api/v1/devices/${N}/move`, { gatewayId: 'gw-home-a' });
    expect(r).toEqual({ status: 200, body: { id: N, organisationId: expect.any(String), gatewayId: 'gw-home-a' } });
    const row = await t.sql.query('SELECT gateway_id FROM devices WHERE id = $1', [N]);
    expect(row.rows).toEqual([{ gateway_id: 'gw-home-a' }]);
  });

  it.each([
    ['BLE:XX', { gatewayId: 'gw-home-a' }, 404, 'device BLE:XX not found'],
    [D, { gatewayId: 'gw-nowhere-1' }, 404, 'gateway gw-nowhere-1 not found'],
    [D, { gatewayId: 'GW_BAD' }, 404, 'gateway GW_BAD not found'],
  ] as const)('answers a move of %s to %j with %i', async (device, body, status, message) => {
    const r = await t.api('POST', `/api/v1/devices/${encodeURIComponent(device)}/move`, body);
    expect(r).toEqual({ status, body: { error: { code: 'not_found', message } } });
  });

  it.each([
    [{}, 400],
    [{ gatewayId: 'gw-home-a', force: true }, 400],
    [{ gatewayId: 'g'.repeat(64) }, 400],
    ['{"gatewayId":', 400],
  ] as const)('refuses the move body %j with %i', async (body, status) => {
    const r = await t.api<{ error: { code: string } }>('POST', `/api/v1/devices/${D}/move`, body);
    expect(r.status).toBe(status);
    expect(r.body.error.code).toBe('bad_request');
  });
});
