/**
 * One commit may hold several gateways' readings of one device (batches of many gateways are
 * coalesced): only the owner's are admitted, and they alone move the device's last-seen time.
 */
import { randomBytes } from 'node:crypto';
import type { Reading } from '@vitals/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../test-support/harness.ts';
import { migrate } from '../storage/migrate.ts';
import { openPglite } from '../storage/pglite.ts';
import { openPostgres } from '../storage/postgres.ts';
import { createGateway } from '../storage/repos/gateways.ts';
import { createOrganisation } from '../storage/repos/people.ts';
import type { IncomingReading } from '../storage/repos/readings.ts';
import type { Sql } from '../storage/sql.ts';
import { admitByDevice } from './device-ownership.ts';

const DEVICE = 'ble:0d:00:00:00:00:01';

function incoming(gatewayId: string, n: number, time: string): IncomingReading {
  const reading: Reading = {
    id: `${gatewayId}:t:${n}`,
    device: { id: DEVICE, transport: 'ble' },
    time,
    timeSource: 'device',
    metric: 'spo2',
    value: 95,
    unit: '%',
  };
  return { reading, gatewayId, batchId: `${gatewayId}:b:${n}` };
}

describe.each(['pglite', 'postgres'] as const)('admission by device on %s', (kind) => {
  let sql: Sql;
  const schema = `s_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    sql = kind === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
    await migrate(sql);
    const org = await createOrganisation(sql, { name: 'Clinic', kind: 'clinic' });
    for (const id of ['gw-home-a', 'gw-home-b']) await createGateway(sql, { id, secretHash: 'x', organisationId: org });
    await sql.query(
      `INSERT INTO devices (id, gateway_id, last_seen) VALUES ($1, 'gw-home-a', '2026-11-24T00:00:00Z')`,
      [DEVICE],
    );
  });

  afterAll(async () => {
    await sql?.close();
    if (kind === 'postgres') await dropTestSchema(schema);
  });

  it("admits only the owner's readings of a commit that holds another gateway's first, and moves last-seen by the owner's alone", async () => {
    const intruder = incoming('gw-home-b', 1, '2026-11-24T03:00:00.000Z');
    const own = incoming('gw-home-a', 2, '2026-11-24T02:00:00.000Z');
    const admission = await sql.transaction((tx) => admitByDevice(tx, [intruder, own], new Date()));
    expect(admission.admitted).toEqual([own]);
    expect(admission.refused.map((r) => r.reading)).toEqual([intruder]);
    expect(admission.events.map((e) => [e.gatewayId, e.event.type])).toEqual([
      ['gw-home-b', 'foreign_device'],
      ['gw-home-a', 'foreign_device'],
    ]);
    const row = await sql.query<{ gateway_id: string; last_seen: Date }>(
      'SELECT gateway_id, last_seen FROM devices WHERE id = $1',
      [DEVICE],
    );
    expect(row.rows).toEqual([{ gateway_id: 'gw-home-a', last_seen: new Date('2026-11-24T02:00:00.000Z') }]);
  });
});
