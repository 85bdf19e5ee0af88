/**
 * Serial device scenarios through the whole system: simulated devices (firmware-sim) on
 * pseudo-terminals (socat) named in a stand-in for /dev/serial/by-id → the real serialport
 * library in the gateway (in this process: serial transport, pipeline, outbox, MQTT link) →
 * the server process → PostgreSQL. Every scenario ends with a check of the database.
 */
import { utcOfWallTime, wallTimeAt } from '@vitals/firmware-sim/ble/wall-clock.ts';
import { cms50dDevice, MeterDevice, SerialByIdDirectory } from '@vitals/firmware-sim/serial/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type E2eServer,
  type InProcessGateway,
  startE2eServer,
  startInProcessGateway,
  until,
} from './in-process-gateway.ts';

const TZ = 'Asia/Tokyo';
const GATEWAY = 'gw-e2e-serial';
const CONTEC = 'usb-Contec_CMS50D+_0001-if00-port0';
const NOISY = 'usb-Contec_CMS50D+_0002-if00-port0';
const METER = 'usb-Prolific_Technology_Inc._USB-Serial_Controller_OT2-if00-port0';
const PORTS = [
  { match: 'Contec', protocol: 'contec-cms50d-live' },
  { match: 'OT2', protocol: 'onetouch-ultra2' },
];
const id = (name: string) => `serial:${name}`;

interface Row {
  metric: string;
  value: number;
  time: Date;
  time_source: string;
  flags: string[] | null;
  patient_id: string | null;
}

let e2e: E2eServer;
let password: string;
let byId: SerialByIdDirectory;
let gateway: InProcessGateway;

const readings = (name: string, metric: string) =>
  e2e.query<Row>(
    'SELECT metric, value, time, time_source, flags, patient_id FROM readings WHERE device_id = $1 AND metric = $2 ORDER BY time',
    [id(name), metric],
  );
const count = async (name: string, metric: string) => (await readings(name, metric)).length;
const events = (name: string, type: string) =>
  e2e.query<{ detail: Record<string, unknown> | null }>(
    'SELECT detail FROM gateway_events WHERE device_id = $1 AND type = $2 ORDER BY time, id',
    [id(name), type],
  );
const wait = <T>(what: string, f: () => Promise<T | undefined | null | false>, timeoutMs?: number) =>
  until(what, f, () => gateway.log(), timeoutMs);
const settle = () => new Promise((r) => setTimeout(r, 2_000));

beforeAll(async () => {
  e2e = await startE2eServer('Serial patient');
  password = await e2e.registerGateway(GATEWAY);
  for (const name of [CONTEC, NOISY, METER]) await e2e.bind(id(name), GATEWAY);
  byId = await SerialByIdDirectory.create();
  gateway = await startInProcessGateway({
    server: e2e.server,
    gatewayId: GATEWAY,
    password,
    timezone: TZ,
    serial: { byIdDir: byId.dir, ports: PORTS },
  });
}, 90_000);

afterAll(async () => {
  await gateway?.stop();
  await byId?.close();
  await e2e?.close();
});

describe('serial devices on pseudo-terminals → gateway → MQTT → server → PostgreSQL', () => {
  let phase = 1;

  it('turns a CMS50D+ stream of 60 packets/s into about one SpO2 and one pulse reading per second', async () => {
    await byId.plug(
      CONTEC,
      cms50dDevice(() => (phase === 1 ? { spo2: 96, pulseRate: 70 } : { spo2: 91, pulseRate: 64 })),
    );
    await wait('6 SpO2 readings', async () => (await count(CONTEC, 'spo2')) >= 6);

    const spo2 = await readings(CONTEC, 'spo2');
    const pulse = await readings(CONTEC, 'pulse_rate');
    for (const rows of [spo2, pulse]) {
      const seconds = rows.map((r) => r.time.getTime());
      // One reading per metric per wall-clock second, stamped at the start of its second.
      expect(seconds.every((t) => t % 1000 === 0)).toBe(true);
      expect(new Set(seconds).size).toBe(seconds.length);
      // Steady: no long gaps in the stream (loose, the machine may be loaded).
      const spanS = (seconds.at(-1)! - seconds[0]!) / 1000 + 1;
      expect(rows.length).toBeGreaterThanOrEqual(spanS / 2);
      expect(rows.every((r) => r.time_source === 'gateway' && r.patient_id === e2e.patientId)).toBe(true);
      // A serial oximeter streams: the gateway declares its readings continuous (issue 14).
      expect(rows.every((r) => r.flags?.includes('continuous'))).toBe(true);
    }
    expect(new Set(spo2.map((r) => r.value))).toStrictEqual(new Set([96]));
    expect(new Set(pulse.map((r) => r.value))).toStrictEqual(new Set([70]));
  });

  it('picks the oximeter up again after an unplug and replug in the middle of the stream, without a restart', async () => {
    const connectedBefore = (await events(CONTEC, 'device_connected')).length;
    await byId.unplug(CONTEC);
    const lost = await wait('device_lost in gateway_events', async () => {
      const e = await events(CONTEC, 'device_lost');
      return e.length > 0 && e;
    });
    expect(lost).toHaveLength(1);
    expect(lost[0]!.detail).toMatchObject({ path: expect.stringMatching(/^\/dev\/pts\//) });

    phase = 2;
    await byId.replug(CONTEC);
    await wait('readings of the replugged oximeter', async () =>
      (await readings(CONTEC, 'spo2')).some((r) => r.value === 91),
    );
    expect(await events(CONTEC, 'device_connected')).toHaveLength(connectedBefore + 1);
    const after = (await readings(CONTEC, 'pulse_rate')).filter((r) => r.value === 64);
    expect(after.length).toBeGreaterThan(0);
    await byId.unplug(CONTEC);
  });

  it('stores a OneTouch Ultra 2 memory dump once; a second dump of the same memory adds nothing', async () => {
    const at = (hoursAgo: number) => wallTimeAt(Math.floor((Date.now() - hoursAgo * 3_600_000) / 60_000) * 60_000, TZ);
    const records = [
      { time: at(26), mgdl: 250 },
      { time: at(3), mgdl: 99, meal: 'B' as const },
      { time: at(2), mgdl: 105, control: true },
    ];
    const meter = new MeterDevice({ tz: TZ, records });
    await byId.plug(METER, meter);
    await wait('3 glucose readings', async () => (await count(METER, 'glucose')) >= 3);
    await wait('the first download_complete', async () => (await events(METER, 'download_complete')).length >= 1);

    // Plugged in again (the meter's cable re-seated): a new conversation dumps the memory again.
    await byId.replug(METER);
    await wait('the second download_complete', async () => (await events(METER, 'download_complete')).length >= 2);
    await settle();
    expect((await events(METER, 'download_complete')).map((e) => e.detail)).toStrictEqual([
      { records: 3, new: 3, corrupt: 0 },
      { records: 3, new: 0, corrupt: 0 },
    ]);

    const rows = await readings(METER, 'glucose');
    expect(rows.map((r) => [r.value, r.time.getTime(), r.time_source])).toStrictEqual(
      records.map((r) => [r.mgdl, utcOfWallTime(r.time, TZ).getTime(), 'device']),
    );
    expect(rows.map((r) => r.flags ?? [])).toStrictEqual([[], ['before_meal'], ['control_solution']]);
    expect(rows.every((r) => r.patient_id === e2e.patientId)).toBe(true);
    await byId.unplug(METER);
  });

  it('adds nothing when a reinstalled gateway (no download cursor) dumps the same meter memory again', async () => {
    const before = await readings(METER, 'glucose');
    expect(before).toHaveLength(3);
    // Same gateway id, a fresh data directory: the cursor is gone, so every record is sent again.
    await gateway.stop();
    gateway = await startInProcessGateway({
      server: e2e.server,
      gatewayId: GATEWAY,
      password,
      timezone: TZ,
      serial: { byIdDir: byId.dir, ports: PORTS },
    });
    await byId.replug(METER);
    await wait(
      'the download_complete of the reinstalled gateway',
      async () => (await events(METER, 'download_complete')).length >= 3,
    );
    await settle();
    expect((await events(METER, 'download_complete')).at(-1)!.detail).toStrictEqual({
      records: 3,
      new: 3,
      corrupt: 0,
    });
    expect(await readings(METER, 'glucose')).toStrictEqual(before);
    await byId.unplug(METER);
  });

  it('never stores a reading from a frame damaged on the line (dropped and bit-flipped bytes)', async () => {
    // A byte lost every 200 and bit 7 flipped every 200 (100 bytes later): each fault alone
    // breaks the framing (a 4-byte packet; a false sync byte splits one packet, a missing one
    // merges two). Two faults inside one packet could keep its length, which this
    // checksum-less protocol cannot detect, so the faults are kept 20 packets apart.
    const device = cms50dDevice(() => ({ spo2: 93, pulseRate: 77 }), {
      corruption: { dropEvery: 200, flipEvery: 100, flipMask: 0x80 },
    });
    await byId.plug(NOISY, device);
    await wait('5 SpO2 readings', async () => (await count(NOISY, 'spo2')) >= 5);
    await wait('the decoder to report skipped bytes', async () => (await events(NOISY, 'decode_error')).length > 0);
    await byId.unplug(NOISY);
    await settle();

    expect(device.corruptor!.damage.dropped).toBeGreaterThan(0);
    expect(device.corruptor!.damage.flipped).toBeGreaterThan(0);
    // The minimum SpO2 and the most deviant pulse of each second are kept: a value decoded
    // from a damaged packet would show.
    expect(new Set((await readings(NOISY, 'spo2')).map((r) => r.value))).toStrictEqual(new Set([93]));
    expect(new Set((await readings(NOISY, 'pulse_rate')).map((r) => r.value))).toStrictEqual(new Set([77]));
    expect(String((await events(NOISY, 'decode_error'))[0]!.detail?.error)).toMatch(/skipped \d+ corrupt bytes/);
  });
});
