/**
 * A patient's home with readings for the FHIR tests (issue 17): a gateway, a blood-pressure
 * cuff and an oximeter bound to the patient, and days of readings written through the storage
 * repository (as ingest writes them), with values that are exact conversions (not round).
 */
import { randomUUID } from 'node:crypto';
import type { Reading } from '@vitals/contract';
import { insertReadings } from '../src/storage/repos/readings.ts';
import type { TestApp } from './app.ts';

export interface SeededHome {
  gatewayId: string;
  cuff: string;
  oximeter: string;
  /** Every reading written, by id. */
  readings: Map<string, Reading>;
}

/** Two cuff inflations (systolic, diastolic, mean, pulse) and one oximeter reading a day. */
export async function seedHome(
  t: TestApp,
  o: { patientId: string; tag: string; days: number; start: Date; token?: string; direct?: boolean },
): Promise<SeededHome> {
  const gatewayId = `gw-${o.tag}`;
  const cuff = `ble:c4:7c:8d:6a:${o.tag.slice(0, 2).padStart(2, '0')}:01`;
  const oximeter = `ble:c4:7c:8d:6a:${o.tag.slice(0, 2).padStart(2, '0')}:02`;
  const token = o.token ?? t.token;
  const from = new Date(o.start.getTime() - 86_400_000);
  if (o.direct) {
    // Many homes (the export test): straight into storage, as the API would leave them.
    await t.sql.query(
      `INSERT INTO gateways (id, organisation_id, secret_hash) SELECT $1, organisation_id, 'x' FROM patients WHERE id = $2`,
      [gatewayId, o.patientId],
    );
    for (const deviceId of [cuff, oximeter]) {
      await t.sql.query(
        `INSERT INTO devices (id, gateway_id, organisation_id) SELECT $1, $2, organisation_id FROM patients WHERE id = $3`,
        [deviceId, gatewayId, o.patientId],
      );
      await t.sql.query('INSERT INTO bindings (id, device_id, patient_id, valid_from) VALUES ($1, $2, $3, $4)', [
        randomUUID(),
        deviceId,
        o.patientId,
        from,
      ]);
    }
  } else {
    const gw = await t.api('POST', '/api/v1/gateways', { id: gatewayId }, token);
    if (gw.status !== 201) throw new Error(`gateway: ${gw.status} ${JSON.stringify(gw.body)}`);
    for (const deviceId of [cuff, oximeter]) {
      const b = await t.api(
        'POST',
        '/api/v1/bindings',
        { deviceId, patientId: o.patientId, gatewayId, from: from.toISOString() },
        token,
      );
      if (b.status !== 201) throw new Error(`binding: ${b.status} ${JSON.stringify(b.body)}`);
    }
  }
  const readings = new Map<string, Reading>();
  const add = (r: Reading) => readings.set(r.id, r);
  for (let day = 0; day < o.days; day++)
    for (const [k, hour] of [7, 19].entries()) {
      const time = new Date(o.start.getTime() + day * 86_400_000 + hour * 3_600_000).toISOString();
      const n = `${o.tag}:${day}:${k}`;
      const group = `${gatewayId}:g:${n}`;
      // 17.6 kPa and friends: exact conversions with many decimals.
      const kpa = 16 + ((day * 7 + k) % 40) / 10;
      const device = { id: cuff, transport: 'ble' as const, model: 'UA-651BLE' };
      add({
        id: `${gatewayId}:r:${n}:sys`,
        device,
        time,
        timeSource: 'device',
        metric: 'bp_systolic',
        value: kpa * 7.500615,
        unit: 'mm[Hg]',
        source: { value: kpa, unit: 'kPa' },
        group,
      });
      add({
        id: `${gatewayId}:r:${n}:dia`,
        device,
        time,
        timeSource: 'device',
        metric: 'bp_diastolic',
        value: (kpa - 5) * 7.500615,
        unit: 'mm[Hg]',
        group,
      });
      add({
        id: `${gatewayId}:r:${n}:map`,
        device,
        time,
        timeSource: 'device',
        metric: 'bp_mean',
        value: (kpa - 3) * 7.500615,
        unit: 'mm[Hg]',
        group,
      });
      add({
        id: `${gatewayId}:r:${n}:pr`,
        device,
        time,
        timeSource: 'device',
        metric: 'pulse_rate',
        value: 60 + (day % 30),
        unit: '/min',
        group,
        ...(day % 10 === 3 ? { flags: ['irregular_pulse'] } : {}),
      });
      if (k === 0)
        add({
          id: `${gatewayId}:r:${n}:spo2`,
          device: { id: oximeter, transport: 'ble', model: 'PO60' },
          time: new Date(Date.parse(time) + 60_000).toISOString(),
          timeSource: 'gateway',
          metric: 'spo2',
          value: 94 + (day % 5) + 0.25,
          unit: '%',
        });
    }
  const all = [...readings.values()];
  for (let i = 0; i < all.length; i += 500)
    await t.sql.transaction((tx) =>
      insertReadings(
        tx,
        all.slice(i, i + 500).map((reading) => ({ reading, gatewayId, batchId: `${gatewayId}:b:${i}` })),
      ),
    );
  return { gatewayId, cuff, oximeter, readings };
}
