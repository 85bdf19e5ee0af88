import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';
import { setBattery } from '../../storage/repos/device-battery.ts';
import { ensureDevice, recordGatewayEvent, recordGatewayStatus } from '../../storage/repos/gateways.ts';

interface FleetGateway {
  id: string;
  status: string;
  version?: string;
  outdated: boolean;
  lastContactAt?: string;
  outbox?: { readings: number; oldestAgeSeconds?: number };
  clock?: { adjustedAt: string; device?: string };
  devices: { id: string; battery?: { level?: number; low: boolean } }[];
}

describe('the fleet view', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ env: { VITALS_MIN_GATEWAY_VERSION: '1.4.0' } });
  });
  afterAll(() => t?.close());

  it("shows each gateway's version, contact, outbox backlog, clock and devices with their battery", async () => {
    for (const id of ['gw-fleet-new', 'gw-fleet-old'])
      expect((await t.api('POST', '/api/v1/gateways', { id })).status).toBe(201);
    await recordGatewayStatus(t.sql, 'gw-fleet-new', {
      state: 'online',
      version: '1.10.2',
      time: '2026-12-02T08:00:00.000Z',
    });
    await recordGatewayStatus(t.sql, 'gw-fleet-old', {
      state: 'online',
      version: '1.3.9',
      time: '2026-12-02T08:00:00.000Z',
    });
    await recordGatewayEvent(t.sql, 'gw-fleet-old', {
      time: '2026-12-02T08:01:00.000Z',
      type: 'outbox_backlog',
      detail: { readings: 1200, held: 0, oldestAgeSeconds: 5400, trend: 'growing' },
    });
    await recordGatewayEvent(t.sql, 'gw-fleet-old', {
      time: '2026-12-02T08:02:00.000Z',
      device: 'ble:aa:00:00:00:00:01',
      type: 'clock_adjusted',
      detail: { offsetMs: -86_400_000 },
    });
    await ensureDevice(t.sql, { id: 'ble:aa:00:00:00:00:01', gatewayId: 'gw-fleet-old', model: 'UA-651BLE' });
    await setBattery(t.sql, 'ble:aa:00:00:00:00:01', 12, true, new Date('2026-12-02T08:03:00Z'));

    const r = await t.api<FleetGateway[]>('GET', '/api/v1/fleet');
    expect(r.status).toBe(200);
    const byId = new Map(r.body.map((g) => [g.id, g]));
    expect(byId.get('gw-fleet-new')).toMatchObject({ version: '1.10.2', outdated: false, devices: [] });
    const old = byId.get('gw-fleet-old')!;
    expect(old).toMatchObject({
      version: '1.3.9',
      outdated: true,
      outbox: { readings: 1200, oldestAgeSeconds: 5400 },
      clock: { adjustedAt: '2026-12-02T08:02:00.000Z', device: 'ble:aa:00:00:00:00:01' },
      devices: [{ id: 'ble:aa:00:00:00:00:01', battery: { level: 12, low: true } }],
    });
    expect(old.lastContactAt).toBeDefined();
  });

  it('sums the fleet on /metrics without naming any gateway: liveness, versions, backlog, clocks, batteries', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/metrics' });
    const sample = (line: string) =>
      Number(
        r.body
          .split('\n')
          .find((l) => l.startsWith(`${line} `))
          ?.split(' ')[1],
      );
    // Both registered; neither has been heard from by the liveness check yet.
    expect(sample('vitals_gateways{state="unknown"}')).toBe(2);
    expect(sample('vitals_gateways{state="online"}')).toBe(0);
    expect(sample('vitals_gateways_outdated')).toBe(1);
    expect(sample('vitals_gateways_with_outbox_backlog')).toBe(1);
    expect(sample('vitals_gateway_outbox_readings_sum')).toBe(1200);
    expect(sample('vitals_gateway_outbox_readings_max')).toBe(1200);
    expect(sample('vitals_gateway_clock_adjustments_24h')).toBe(1);
    expect(sample('vitals_devices_battery_low')).toBe(1);
    expect(r.body).not.toContain('gw-fleet-');
  });

  it('is for administrators only', async () => {
    const nurse = await addColleague(t, { email: 'fleet.nurse@clinic.test' });
    expect((await t.api('GET', '/api/v1/fleet', undefined, nurse.token)).status).toBe(403);
    expect((await t.api('GET', '/api/v1/fleet', undefined, null)).status).toBe(401);
  });
});
