/**
 * Remote gateway settings through inject(): an organisation's default and one gateway's
 * overrides, stored with growing revisions, audited, put into the retained config; bounds
 * refused with a clear error; another organisation's gateway and organisation are not found;
 * the fleet view shows pending until the gateway reports the revision, then applied. The real
 * gateway applying them over MQTT is test/src/fleet-settings.e2e.test.ts.
 */
import { defaultGatewaySettings } from '@vitals/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { ensureDevice, gatewayConfig, gatewayConfigs, recordGatewayStatus } from '../../storage/repos/gateways.ts';
import { addMembership, createOrganisation, createUser } from '../../storage/repos/people.ts';

interface FleetSettings {
  overrides: Record<string, unknown>;
  effective: Record<string, unknown>;
  revision?: number;
  appliedRevision?: number;
  state: 'none' | 'applied' | 'pending';
  ignored?: Record<string, string>;
}

describe('remote gateway settings', () => {
  let t: TestApp;
  let org: string;
  const fleetSettings = async (id: string) =>
    (await t.api<{ id: string; settings: FleetSettings }[]>('GET', '/api/v1/fleet')).body.find((g) => g.id === id)!
      .settings;

  beforeAll(async () => {
    t = await buildTestApp();
    org = (await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me')).body.organisations[0]!
      .organisationId;
    for (const id of ['gw-set-0001', 'gw-set-0002'])
      expect((await t.api('POST', '/api/v1/gateways', { id })).status).toBe(201);
  });
  afterAll(() => t?.close());

  it('has no settings in the config and none in the fleet view until an administrator sets some', async () => {
    expect((await gatewayConfig(t.sql, 'gw-set-0001')).settings).toBeUndefined();
    expect(await fleetSettings('gw-set-0001')).toEqual({ overrides: {}, effective: {}, state: 'none' });
    expect((await t.api('GET', `/api/v1/organisations/${org}/gateway-settings`)).body).toEqual({
      organisationId: org,
      settings: {},
    });
  });

  it("puts the organisation's default into every gateway's config, overridden per gateway, with a growing revision", async () => {
    const d = await t.api<{ revision: number; republished: number }>(
      'PUT',
      `/api/v1/organisations/${org}/gateway-settings`,
      { settings: { logLevel: 'debug', maxReadingsPerSecond: 500 } },
    );
    expect(d.status).toBe(200);
    expect(d.body.republished).toBe(2);
    const g = await t.api<{ revision: number; effective: Record<string, unknown> }>(
      'PUT',
      '/api/v1/gateways/gw-set-0002/settings',
      { settings: { maxReadingsPerSecond: 50, uploadBatchReadings: 100 } },
    );
    expect(g.status).toBe(200);
    expect(g.body.revision).toBeGreaterThan(d.body.revision);
    expect(g.body.effective).toEqual({ logLevel: 'debug', maxReadingsPerSecond: 50, uploadBatchReadings: 100 });
    expect((await gatewayConfig(t.sql, 'gw-set-0001')).settings).toEqual({
      revision: d.body.revision,
      logLevel: 'debug',
      maxReadingsPerSecond: 500,
    });
    expect((await gatewayConfig(t.sql, 'gw-set-0002')).settings).toEqual({
      revision: g.body.revision,
      logLevel: 'debug',
      maxReadingsPerSecond: 50,
      uploadBatchReadings: 100,
    });
    const audit = await t.sql.query<{ action: string; target: string; detail: { revision: number } }>(
      `SELECT action, target, detail FROM audit_log WHERE action IN ('gateway.settings', 'organisation.gateway_settings') ORDER BY seq`,
    );
    expect(audit.rows).toEqual([
      {
        action: 'organisation.gateway_settings',
        target: org,
        detail: { settings: expect.any(Object), revision: d.body.revision },
      },
      {
        action: 'gateway.settings',
        target: 'gw-set-0002',
        detail: { settings: expect.any(Object), revision: g.body.revision },
      },
    ]);
  });

  it('shows a gateway pending until it reports the revision it must apply, then applied', async () => {
    const before = await fleetSettings('gw-set-0002');
    expect(before).toMatchObject({ state: 'pending', effective: { maxReadingsPerSecond: 50 } });
    const applied = {
      ...defaultGatewaySettings(),
      logLevel: 'debug' as const,
      maxReadingsPerSecond: 50,
      uploadBatchReadings: 100,
    };
    await recordGatewayStatus(t.sql, 'gw-set-0002', {
      state: 'online',
      version: '0.1.0',
      settings: { revision: before.revision!, applied, ignored: { foo: 'foo is not a setting this gateway knows' } },
    });
    expect(await fleetSettings('gw-set-0002')).toMatchObject({
      state: 'applied',
      appliedRevision: before.revision,
      applied,
      ignored: { foo: expect.any(String) },
    });
    // Its will (offline, no settings) keeps what it reported.
    await recordGatewayStatus(t.sql, 'gw-set-0002', { state: 'offline' });
    expect((await fleetSettings('gw-set-0002')).state).toBe('applied');
    // A new organisation default is a new revision: pending again.
    await t.api('PUT', `/api/v1/organisations/${org}/gateway-settings`, { settings: { logLevel: 'info' } });
    expect((await fleetSettings('gw-set-0002')).state).toBe('pending');
  });

  it('lets an empty override make a gateway inherit everything again', async () => {
    const r = await t.api<{ overrides: object; effective: object }>('PUT', '/api/v1/gateways/gw-set-0002/settings', {
      settings: {},
    });
    expect(r.body).toMatchObject({ overrides: {}, effective: { logLevel: 'info' } });
  });

  it.each([
    [{ maxReadingsPerSecond: 0 }, /maxReadingsPerSecond must be >= 10/],
    [{ maxReadingsPerSecond: 100_001 }, /maxReadingsPerSecond must be <= 100000/],
    [{ uploadBatchReadings: 10.5 }, /uploadBatchReadings must be integer/],
    [{ statusIntervalSeconds: 5 }, /statusIntervalSeconds must be >= 15/],
    [{ logLevel: 'loud' }, /logLevel/],
    [{ colour: 'red' }, /must NOT have additional properties/],
  ])('refuses %j with 400 naming the setting and its bound', async (settings, message) => {
    for (const path of [`/api/v1/organisations/${org}/gateway-settings`, '/api/v1/gateways/gw-set-0001/settings']) {
      const r = await t.api<{ error: { code: string; message: string } }>('PUT', path, { settings });
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(message);
    }
  });

  it("answers 404 to another organisation's administrator, and 403 to staff", async () => {
    const other = await createOrganisation(t.sql, { name: '別の訪問看護ステーション', kind: 'nurse_station' });
    const admin = await createUser(t.sql, {
      email: 'other.admin@station.test',
      displayName: 'Other admin',
      profession: 'nurse',
      passwordHash: await hashPassword('other-admin-password'),
    });
    await addMembership(t.sql, admin, other, 'admin');
    const token = await t.login('other.admin@station.test', 'other-admin-password');
    const body = { settings: { logLevel: 'trace' } };
    expect((await t.api('PUT', '/api/v1/gateways/gw-set-0001/settings', body, token)).status).toBe(404);
    expect((await t.api('PUT', `/api/v1/organisations/${org}/gateway-settings`, body, token)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/organisations/${org}/gateway-settings`, undefined, token)).status).toBe(404);
    expect((await t.api('PUT', `/api/v1/organisations/${other}/gateway-settings`, body, token)).status).toBe(200);
    const nurse = await addColleague(t, { email: 'settings.nurse@clinic.test' });
    expect((await t.api('PUT', '/api/v1/gateways/gw-set-0001/settings', body, nurse.token)).status).toBe(403);
    expect((await gatewayConfig(t.sql, 'gw-set-0001')).settings).toMatchObject({ logLevel: 'info' });
  });
  it("builds many gateways' configs in bulk: each its own devices, its home's timezone, its settings", async () => {
    await ensureDevice(t.sql, { id: 'ble:aa:00:00:00:01:02', gatewayId: 'gw-set-0001', label: '血圧計' });
    await ensureDevice(t.sql, { id: 'ble:aa:00:00:00:01:01', gatewayId: 'gw-set-0001' });
    await ensureDevice(t.sql, { id: 'ble:aa:00:00:00:02:01', gatewayId: 'gw-set-0002' });
    const p = await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Bulk config patient' });
    expect((await t.api('PATCH', `/api/v1/patients/${p.body.id}`, { timezone: 'Europe/Paris' })).status).toBe(200);
    const bound = await t.api('POST', '/api/v1/bindings', {
      deviceId: 'ble:aa:00:00:00:02:01',
      patientId: p.body.id,
      from: '2020-01-01T00:00:00Z',
    });
    expect(bound.status).toBe(201);
    const bulk = await gatewayConfigs(t.sql, ['gw-set-0001', 'gw-set-0002', 'gw-nobody-0001']);
    expect([...bulk.keys()].sort()).toEqual(['gw-set-0001', 'gw-set-0002']);
    expect(bulk.get('gw-set-0001')).toMatchObject({
      devices: [
        { id: 'ble:aa:00:00:00:01:01', allow: true },
        { id: 'ble:aa:00:00:00:01:02', allow: true, label: '血圧計' },
      ],
      timezone: 'Asia/Tokyo',
      settings: { logLevel: 'info' },
    });
    expect(bulk.get('gw-set-0002')).toMatchObject({
      devices: [{ id: 'ble:aa:00:00:00:02:01', allow: true }],
      timezone: 'Europe/Paris',
    });
    for (const id of ['gw-set-0001', 'gw-set-0002']) expect(await gatewayConfig(t.sql, id)).toEqual(bulk.get(id));
  });
});
