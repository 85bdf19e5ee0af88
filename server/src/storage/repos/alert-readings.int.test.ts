import { randomUUID } from 'node:crypto';
import type { Reading } from '@vitals/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNFIT_FLAGS } from '../../alerts/rules.ts';
import { migrate } from '../migrate.ts';
import { openPglite } from '../pglite.ts';
import type { Sql } from '../sql.ts';
import { valuesNear } from './alert-readings.ts';
import { createBinding } from './bindings.ts';
import { ensureDevice } from './gateways.ts';
import { createPatient } from './patients.ts';
import { createOrganisation, createUser } from './people.ts';
import { insertReadings } from './readings.ts';

const AT = Date.parse('2026-11-24T03:00:00.000Z');
const MIN = 60_000;

describe('the latest values NEWS2 is scored from', () => {
  let sql: Sql;
  const patients: string[] = [];
  let n = 0;
  const put = (device: string, metric: string, unit: string, t: number, value: number, flags?: string[]) => {
    const reading: Reading = {
      id: `gw-near:${n++}`,
      device: { id: device, transport: 'ble' },
      time: new Date(t).toISOString(),
      timeSource: 'device',
      metric: metric as Reading['metric'],
      value,
      unit,
      ...(flags ? { flags: flags as Reading['flags'] } : {}),
    };
    return sql.transaction((tx) => insertReadings(tx, [{ reading, gatewayId: 'gw-near', batchId: 'b' }]));
  };

  beforeAll(async () => {
    sql = await openPglite('memory://');
    await migrate(sql);
    const org = await createOrganisation(sql, { name: 'Clinic', kind: 'clinic' });
    const user = await createUser(sql, { email: `${randomUUID()}@x.test`, displayName: 'Dr', passwordHash: 'x' });
    for (const d of ['ble:00:00:00:00:0e:01', 'ble:00:00:00:00:0e:02']) {
      const p = await createPatient(sql, { displayName: d, organisationId: org, createdBy: user });
      patients.push(p);
      await ensureDevice(sql, { id: d });
      await sql.transaction((tx) =>
        createBinding(tx, { deviceId: d, patientId: p, from: '2026-01-01T00:00:00Z', createdBy: user }),
      );
    }
  });
  afterAll(async () => {
    await sql?.close();
  });

  it('gives each patient the newest usable value of each metric within the window, in one call', async () => {
    const [a, b] = ['ble:00:00:00:00:0e:01', 'ble:00:00:00:00:0e:02'];
    await put(a!, 'spo2', '%', AT - 10 * MIN, 93);
    await put(a!, 'spo2', '%', AT - 2 * MIN, 91);
    await put(a!, 'spo2', '%', AT - MIN, 80, ['invalid_measurement']); // unfit: not scored
    await put(a!, 'spo2', '%', AT + MIN, 70); // after the scoring time
    await put(a!, 'pulse_rate', '/min', AT - 61 * MIN, 140); // outside the hour
    await put(b!, 'pulse_rate', '/min', AT - 30 * MIN, 112, ['continuous']); // a monitor's stream: NEWS2 lets it settle
    const got = await valuesNear(
      sql,
      [
        { patientId: patients[0]!, at: new Date(AT) },
        { patientId: patients[1]!, at: new Date(AT) },
      ],
      ['spo2', 'pulse_rate', 'body_temperature'],
      60 * MIN,
      [...UNFIT_FLAGS],
    );
    expect(got.get(`${patients[0]}|${AT}`)).toEqual([
      { metric: 'spo2', value: 91, code: null, time: new Date(AT - 2 * MIN), continuous: false },
    ]);
    expect(got.get(`${patients[1]}|${AT}`)).toEqual([
      { metric: 'pulse_rate', value: 112, code: null, time: new Date(AT - 30 * MIN), continuous: true },
    ]);
    // The same patient at an earlier time in the same call: the value of then.
    const earlier = await valuesNear(
      sql,
      [{ patientId: patients[0]!, at: new Date(AT - 5 * MIN) }],
      ['spo2'],
      60 * MIN,
      [...UNFIT_FLAGS],
    );
    expect(earlier.get(`${patients[0]}|${AT - 5 * MIN}`)).toEqual([
      { metric: 'spo2', value: 93, code: null, time: new Date(AT - 10 * MIN), continuous: false },
    ]);
  });

  it('gives NEWS2 the ACVPU code of a coded reading a device sent', async () => {
    const reading: Reading = {
      id: `gw-near:${n++}`,
      device: { id: 'ble:00:00:00:00:0e:02', transport: 'ble' },
      time: new Date(AT + 2 * MIN).toISOString(),
      timeSource: 'device',
      metric: 'consciousness',
      code: 'P',
      unit: '',
    };
    await sql.transaction((tx) => insertReadings(tx, [{ reading, gatewayId: 'gw-near', batchId: 'b' }]));
    const got = await valuesNear(
      sql,
      [{ patientId: patients[1]!, at: new Date(AT + 3 * MIN) }],
      ['consciousness'],
      60 * MIN,
      [...UNFIT_FLAGS],
    );
    expect(got.get(`${patients[1]}|${AT + 3 * MIN}`)).toEqual([
      { metric: 'consciousness', value: null, code: 'P', time: new Date(AT + 2 * MIN), continuous: false },
    ]);
  });
});
