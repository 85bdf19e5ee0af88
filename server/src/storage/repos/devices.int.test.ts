/**
 * Device ownership is decided by the database (issue 11 item 1): two commits that claim the same
 * new device at once, as two server instances would, agree on one owner.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../../test-support/harness.ts';
import { migrate } from '../migrate.ts';
import { openPglite } from '../pglite.ts';
import { openPostgres } from '../postgres.ts';
import type { Sql } from '../sql.ts';
import { claimDevices, type DeviceOwner, foreignDevices } from './devices.ts';
import { createGateway } from './gateways.ts';
import { createOrganisation } from './people.ts';

describe.each(['pglite', 'postgres'] as const)('device ownership on %s', (kind) => {
  let sql: Sql;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  let org1: string;

  beforeAll(async () => {
    sql = kind === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
    await migrate(sql);
    org1 = await createOrganisation(sql, { name: 'Clinic one', kind: 'clinic' });
    const org2 = await createOrganisation(sql, { name: 'Clinic two', kind: 'clinic' });
    for (const [id, organisationId] of [
      ['gw-one-a', org1],
      ['gw-one-b', org1],
      ['gw-two-a', org2],
    ] as const)
      await createGateway(sql, { id, secretHash: 'x', organisationId });
  });

  afterAll(async () => {
    await sql?.close();
    if (kind === 'postgres') await dropTestSchema(schema);
  });

  it('gives a new device claimed by two commits at once to the one that committed first, and both agree', async () => {
    const device = 'ble:0c:00:00:00:00:01';
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let claimedFirst!: () => void;
    const claimed = new Promise<void>((r) => {
      claimedFirst = r;
    });
    const first = sql.transaction(async (tx) => {
      const owners = await claimDevices(tx, [{ id: device, gatewayId: 'gw-one-a', lastSeen: '2026-11-24T00:00:00Z' }]);
      claimedFirst();
      await held;
      return owners;
    });
    await claimed;
    // The second claim waits for the first commit's row lock (PGlite runs one transaction at a time).
    const second = sql.transaction((tx) =>
      claimDevices(tx, [{ id: device, gatewayId: 'gw-one-b', lastSeen: '2026-11-24T00:00:01Z' }]),
    );
    release();
    const owner: DeviceOwner = { gatewayId: 'gw-one-a', allowed: true };
    expect((await first).get(device)).toEqual(owner);
    expect((await second).get(device)).toEqual(owner);
    const row = await sql.query<{ gateway_id: string; organisation_id: string; last_seen: Date }>(
      'SELECT gateway_id, organisation_id, last_seen FROM devices WHERE id = $1',
      [device],
    );
    // The loser's reading did not move the device's last-seen time.
    expect(row.rows).toEqual([
      { gateway_id: 'gw-one-a', organisation_id: org1, last_seen: new Date('2026-11-24T00:00:00Z') },
    ]);
  });

  it('lets only a gateway of the registering organisation claim a device registered without a gateway', async () => {
    const device = 'ble:0c:00:00:00:00:02';
    await sql.query('INSERT INTO devices (id, organisation_id) VALUES ($1, $2)', [device, org1]);
    const pairs = [
      { deviceId: device, gatewayId: 'gw-two-a' },
      { deviceId: device, gatewayId: 'gw-one-b' },
      { deviceId: 'ble:0c:00:00:00:00:99', gatewayId: 'gw-two-a' },
    ];
    expect(await sql.transaction((tx) => foreignDevices(tx, pairs))).toEqual([pairs[0]]);
    const refused = await sql.transaction((tx) =>
      claimDevices(tx, [{ id: device, gatewayId: 'gw-two-a', lastSeen: '2026-11-24T00:00:00Z' }]),
    );
    expect(refused.get(device)).toEqual({ gatewayId: null, allowed: true });
    const taken = await sql.transaction((tx) =>
      claimDevices(tx, [{ id: device, gatewayId: 'gw-one-b', lastSeen: '2026-11-24T00:00:00Z' }]),
    );
    expect(taken.get(device)).toEqual({ gatewayId: 'gw-one-b', allowed: true });
  });
});
