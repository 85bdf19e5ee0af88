/**
 * BLE device scenarios through the whole system: simulated devices (firmware-sim) behind the
 * real noble → the gateway (in this process: BLE transport, pipeline, outbox, MQTT link) →
 * the server process's broker and ingest → PostgreSQL. Every scenario ends with an exact
 * check of what the database holds for its device.
 */
import { SimWorld, utcOfWallTime, type WallTime, wallTimeAt } from '@vitals/firmware-sim/ble/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  type InProcessGateway,
  simulatedNoble,
  startE2eServer,
  startInProcessGateway,
  until,
} from './in-process-gateway.ts';

const TZ = 'Asia/Tokyo';
const GATEWAY = 'gw-e2e-ble';
const BP = 'c4:7c:8d:6a:3f:41';
const GLUCOSE = '00:60:19:a1:b2:41';
const OXIMETER = '00:1c:05:12:34:41';
const BP_FAULT = 'c4:7c:8d:6a:3f:42';
const BP_CLOCK = 'c4:7c:8d:6a:3f:43';
const ALL = [BP, GLUCOSE, OXIMETER, BP_FAULT, BP_CLOCK];
const id = (address: string) => `ble:${address}`;

interface Row {
  metric: string;
  value: number;
  time: Date;
  time_source: string;
  flags: string[] | null;
  patient_id: string | null;
}

let e2e: E2eServer;
let world: SimWorld;
let gateway: InProcessGateway;

/** The device-local wall time `hoursAgo` before now, in whole minutes. */
const localTime = (hoursAgo: number): WallTime =>
  wallTimeAt(Math.floor((Date.now() - hoursAgo * 3_600_000) / 60_000) * 60_000, TZ);

const readings = (address: string, metric?: string) =>
  e2e.query<Row>(
    `SELECT metric, value, time, time_source, flags, patient_id FROM readings
      WHERE device_id = $1 ${metric ? 'AND metric = $2' : ''} ORDER BY time, metric`,
    metric ? [id(address), metric] : [id(address)],
  );
const count = async (address: string, metric?: string) => (await readings(address, metric)).length;
const events = (address: string, type: string) =>
  e2e.query<{ detail: Record<string, unknown> | null }>(
    'SELECT detail FROM gateway_events WHERE device_id = $1 AND type = $2 ORDER BY time',
    [id(address), type],
  );
const wait = <T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs?: number) =>
  until(what, f, () => gateway.log(), timeoutMs);
/** Lets late duplicates (re-sent batches, re-downloaded records) reach the database before the final count. */
const settle = () => new Promise((r) => setTimeout(r, 2_000));

beforeAll(async () => {
  e2e = await startE2eServer('BLE patient');
  const password = await e2e.registerGateway(GATEWAY);
  for (const a of ALL) await e2e.bind(id(a), GATEWAY);
  world = new SimWorld({ tz: TZ, timing: { advertisingIntervalMs: 50, radioLatencyMs: 2 } });
  gateway = await startInProcessGateway({
    server: e2e.server,
    gatewayId: GATEWAY,
    password,
    timezone: TZ,
    ble: { noble: simulatedNoble(world), allow: ALL.map(id) },
  });
}, 90_000);

afterAll(async () => {
  await gateway?.stop();
  world?.close();
  await e2e?.close();
});

describe('BLE devices → real noble → gateway → MQTT → server → PostgreSQL', () => {
  it('stores the 3 records of a BP monitor that advertises for 5 s as 3 × 4 readings, each once, bound to the patient', async () => {
    const bp = world.addDevice({ kind: 'bp-monitor', address: BP, advertisingWindowMs: 5000 });
    const taken = [
      { systolic: 132, diastolic: 84, pulseRate: 72, time: localTime(5) },
      { systolic: 128, diastolic: 80, pulseRate: 70, time: localTime(3) },
      { systolic: 141, diastolic: 90, pulseRate: 77, time: localTime(1) },
    ];
    for (const m of taken) bp.measure(m);

    await wait('12 BP readings', async () => (await count(BP)) >= 12);
    await settle();
    const rows = await readings(BP);
    expect(rows).toHaveLength(12);
    expect(bp.storedRecords).toBe(0);
    for (const [metric, expected] of [
      ['bp_systolic', taken.map((m) => m.systolic)],
      ['bp_diastolic', taken.map((m) => m.diastolic)],
      ['bp_mean', taken.map((m) => Math.round(m.diastolic + (m.systolic - m.diastolic) / 3))],
      ['pulse_rate', taken.map((m) => m.pulseRate)],
    ] as const) {
      const ofMetric = rows.filter((r) => r.metric === metric);
      expect(ofMetric.map((r) => r.value)).toStrictEqual([...expected]);
      // Device time stamps (Asia/Tokyo wall time) are filed as the UTC instants they stand for.
      expect(ofMetric.map((r) => r.time.getTime())).toStrictEqual(
        taken.map((m) => utcOfWallTime(m.time, TZ).getTime()),
      );
    }
    expect(rows.every((r) => r.time_source === 'device' && r.patient_id === e2e.patientId)).toBe(true);
    expect(rows.some((r) => r.flags?.includes('continuous'))).toBe(false);
  });

  it('reads a glucose meter through RACP, then fetches only the new records in a second session, nothing twice', async () => {
    const meter = world.addDevice({ kind: 'glucose-meter', address: GLUCOSE });
    const first = [123, 168, 101];
    meter.measure({ mgdl: first[0]!, time: localTime(9), context: { meal: 'fasting' } });
    meter.measure({ mgdl: first[1]!, time: localTime(8) });
    meter.measure({ mgdl: first[2]!, time: localTime(7) });
    await wait('the first download', async () => (await count(GLUCOSE, 'glucose')) >= 3);
    await wait('the meter to be let go', async () => !meter.connected);

    const later = [142, 97];
    for (const [i, mgdl] of later.entries()) meter.measure({ mgdl, time: localTime(2 - i) });
    await wait('the second download', async () => (await count(GLUCOSE, 'glucose')) >= 5);
    await settle();

    const rows = await readings(GLUCOSE, 'glucose');
    expect(rows.map((r) => r.value)).toStrictEqual([...first, ...later]);
    expect(rows.every((r) => r.time_source === 'device' && r.patient_id === e2e.patientId)).toBe(true);
    // Session 1: "report all records"; session 2: "report records with sequence number >= 4".
    expect(meter.writes.map((w) => [w.characteristic, w.hex])).toStrictEqual([
      ['2a52', '0101'],
      ['2a52', '0103010400'],
    ]);
  });

  it('streams a continuous oximeter at 1 Hz: one SpO2 and one pulse reading per sample, about one per second', async () => {
    const sample = (n: number) => ({ spo2: 90 + (n % 9), pulseRate: 60 + (n % 31) });
    const ox = world.addDevice({ kind: 'pulse-oximeter', address: OXIMETER, rateHz: 1, sample });
    await wait('8 SpO2 readings', async () => (await count(OXIMETER, 'spo2')) >= 8, 60_000);
    ox.powerOff();
    const sent = ox.samplesSent;
    await wait('every sample sent before power-off', async () => (await count(OXIMETER, 'spo2')) >= sent);
    await settle();

    const spo2 = await readings(OXIMETER, 'spo2');
    const pulse = await readings(OXIMETER, 'pulse_rate');
    expect(spo2).toHaveLength(sent);
    expect(pulse).toHaveLength(sent);
    // Live values carry no device time: the gateway stamps their arrival.
    expect(spo2.every((r) => r.time_source === 'gateway' && r.patient_id === e2e.patientId)).toBe(true);
    // PLX Continuous (2A5F): the gateway declares the readings continuous (issue 14); cuff readings are not.
    expect([...spo2, ...pulse].every((r) => r.flags?.includes('continuous'))).toBe(true);
    expect(spo2.map((r) => r.value)).toStrictEqual(Array.from({ length: sent }, (_, n) => sample(n).spo2));
    expect(pulse.map((r) => r.value)).toStrictEqual(Array.from({ length: sent }, (_, n) => sample(n).pulseRate));
    // Steady: the samples span about one second each (loose bounds, the machine may be loaded).
    const spanS = (spo2.at(-1)!.time.getTime() - spo2[0]!.time.getTime()) / 1000;
    expect(spanS / (sent - 1)).toBeGreaterThan(0.5);
    expect(spanS / (sent - 1)).toBeLessThan(3);
  }, 90_000);

  it('stores every record exactly once when the link drops in the middle of a record transfer', async () => {
    const bp = world.addDevice({ kind: 'bp-monitor', address: BP_FAULT, hangUpAfterTransferMs: 200 });
    const systolic = [110, 120, 130, 140];
    for (const [i, s] of systolic.entries())
      bp.measure({ systolic: s, diastolic: 70 + i, pulseRate: 60 + i, time: localTime(4 - i) });
    bp.injectFault({ kind: 'disconnect-mid-transfer', afterRecords: 2 });

    await wait('all records downloaded', async () => bp.storedRecords === 0 && !bp.connected);
    await wait('16 readings', async () => (await count(BP_FAULT)) >= 16);
    await settle();

    const rows = await readings(BP_FAULT);
    expect(rows).toHaveLength(16);
    expect(rows.filter((r) => r.metric === 'bp_systolic').map((r) => r.value)).toStrictEqual(systolic);
    expect(bp.connections).toBe(2);
    // The link dropped after 2 records; the next session sent the record that was on the air
    // again (2 + 3 frames for 4 records): delivered twice, stored once.
    await wait('both sessions reported', async () => (await events(BP_FAULT, 'device_disconnected')).length >= 2);
    expect((await events(BP_FAULT, 'device_disconnected')).map((e) => e.detail?.frames)).toStrictEqual([2, 3]);
  });

  it('sets a device clock that reset to 2000 and never files its readings in 2000', async () => {
    const bp = world.addDevice({ kind: 'bp-monitor', address: BP_CLOCK });
    bp.resetClock();
    bp.measure({ systolic: 150, diastolic: 95, pulseRate: 80 });
    const before = Date.now();

    await wait('the reading taken with the wrong clock', async () => (await count(BP_CLOCK, 'bp_systolic')) >= 1);
    await wait('the clock to be set', async () => Math.abs(bp.clockOffsetMs) < 5_000);
    const [wrong] = await readings(BP_CLOCK, 'bp_systolic');
    // The device's time stamp (2000-01-01) is judged wrong: the arrival time is used and flagged.
    expect(wrong!.time_source).toBe('gateway');
    expect(wrong!.flags).toContain('device_clock_invalid');
    expect(wrong!.time.getTime()).toBeGreaterThanOrEqual(before - 1000);
    expect(bp.writes.map((w) => w.characteristic)).toContain('2a2b');
    expect((await events(BP_CLOCK, 'clock_adjusted')).length).toBeGreaterThanOrEqual(1);

    // The next measurement carries the corrected clock's time and is filed by it.
    bp.measure({ systolic: 138, diastolic: 86, pulseRate: 74 });
    await wait('the reading taken after the clock was set', async () => (await count(BP_CLOCK, 'bp_systolic')) >= 2);
    await settle();
    const rows = await readings(BP_CLOCK);
    expect(rows).toHaveLength(8);
    const right = rows.filter((r) => r.metric === 'bp_systolic').find((r) => r.value === 138)!;
    expect(right.time_source).toBe('device');
    expect(right.flags ?? []).not.toContain('device_clock_invalid');
    expect(Math.abs(right.time.getTime() - Date.now())).toBeLessThan(10 * 60_000);
    const in2000 = await e2e.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM readings WHERE device_id = $1 AND time < '2015-01-01'`,
      [id(BP_CLOCK)],
    );
    expect(in2000[0]!.n).toBe(0);
  });

  it('holds no reading twice and sent nothing to the dead letters', async () => {
    const dup = await e2e.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM (SELECT device_id, metric, time, value FROM readings GROUP BY 1, 2, 3, 4 HAVING count(*) > 1) d',
    );
    expect(dup[0]!.n).toBe(0);
    const dead = await e2e.query<{ n: number }>('SELECT count(*)::int AS n FROM dead_letters');
    expect(dead[0]!.n).toBe(0);
  });
});
