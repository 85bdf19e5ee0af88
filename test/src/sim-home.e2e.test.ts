/**
 * The whole path with real processes: a gateway process whose BLE radio is simulated
 * (firmware-sim behind noble's bindings) reads a home's devices (stored records and a live
 * oximeter), publishes over MQTT to the server process, which stores into PostgreSQL; every
 * reading the devices produced is in the database exactly once and visible in the API.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  eventually,
  freshDatabaseEnv,
  type Proc,
  type ServerProc,
  startNode,
  startServerProcess,
  TEST_DATABASE_URL,
} from './processes.ts';

const HOME = {
  v: 1,
  name: 'E2E home',
  timezone: 'Asia/Tokyo',
  seed: 11,
  patient: {
    systolic: 142,
    diastolic: 88,
    pulse: 70,
    spo2: 96,
    temperature: 36.6,
    weightKg: 58.2,
    heightM: 1.55,
    glucoseFasting: 110,
  },
  devices: [
    { kind: 'bp-monitor', address: 'c4:7c:8d:6a:3f:31', schedule: ['07:30', '19:30'], advertisingWindowMs: 5000 },
    { kind: 'pulse-oximeter', address: '00:1c:05:12:34:61', rateHz: 1 },
    { kind: 'thermometer', address: 'c4:7c:8d:6a:3f:32' },
    { kind: 'weight-scale', address: 'c4:7c:8d:6a:3f:33' },
    { kind: 'glucose-meter', address: '00:60:19:a1:b2:c4' },
  ],
};

interface Simulated {
  kind: string;
  address: string;
  at: string;
  values: Record<string, number>;
}

describe('simulated home → gateway process → MQTT → server process → PostgreSQL', () => {
  const db = freshDatabaseEnv('postgres');
  let server: ServerProc;
  let gateway: Proc;
  let token: string;
  let patientId: string;
  let client: pg.Client;

  beforeAll(async () => {
    server = await startServerProcess(db.env);
    token = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    patientId = (await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '田中 花子' }, token)).body
      .id;
    const gw = await server.api<{ mqtt: { password: string } }>(
      'POST',
      '/api/v1/gateways',
      { id: 'gw-e2e-home' },
      token,
    );
    for (const d of HOME.devices)
      await server.api(
        'POST',
        '/api/v1/bindings',
        { deviceId: `ble:${d.address}`, patientId, from: '2020-01-01T00:00:00Z', gatewayId: 'gw-e2e-home' },
        token,
      );
    const dir = mkdtempSync(join(tmpdir(), 'vitals-gw-'));
    writeFileSync(join(dir, 'home.json'), JSON.stringify(HOME));
    writeFileSync(
      join(dir, 'gateway.json'),
      JSON.stringify({
        gatewayId: 'gw-e2e-home',
        server: { url: server.mqttUrl, password: gw.body.mqtt.password },
        dataDir: join(dir, 'data'),
        timezone: 'Asia/Tokyo',
        ble: { enabled: true },
        serial: { enabled: false },
      }),
    );
    gateway = startNode(
      'gateway/src/cli/main.ts',
      [
        'start',
        '--config',
        join(dir, 'gateway.json'),
        '--simulate',
        join(dir, 'home.json'),
        '--history-days',
        '2',
        '--spot-every',
        '2',
      ],
      {},
    );
    client = new pg.Client({
      connectionString: TEST_DATABASE_URL,
      options: `-c search_path=${db.env.VITALS_DATABASE_SCHEMA}`,
    });
    await client.connect();
  }, 120_000);

  afterAll(async () => {
    await gateway?.kill('SIGTERM');
    await server?.kill('SIGTERM');
    await client?.end();
    await db.drop();
  });

  function simulated(): Simulated[] {
    return gateway
      .output()
      .split('\n')
      .filter((l) => l.includes('"simulated measurement"'))
      .map((l) => (JSON.parse(l) as { simulated: Simulated }).simulated);
  }

  it('stores every stored and live measurement of the home exactly once', async () => {
    // Wait for live spot measurements of every kind plus the history to be downloaded.
    await eventually(
      async () => simulated().filter((m) => Date.parse(m.at) > Date.now() - 60_000).length >= 6,
      60_000,
      'live measurements',
    );
    const bp = simulated().filter((m) => m.kind === 'bp-monitor');
    expect(bp.length).toBeGreaterThanOrEqual(3);
    await eventually(
      async () => {
        const r = await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM readings WHERE metric = 'bp_systolic'`,
        );
        return r.rows[0]!.n >= bp.length;
      },
      60_000,
      'all BP records in the database',
    );
    // Give late duplicates (re-sent batches, re-downloaded records) a chance to show up.
    await new Promise((r) => setTimeout(r, 3000));
    const sys = await client.query<{ time: Date; value: number; patient_id: string }>(
      `SELECT time, value, patient_id FROM readings WHERE metric = 'bp_systolic' ORDER BY time`,
    );
    const produced = simulated().filter((m) => m.kind === 'bp-monitor');
    // Exactly the produced measurements: same values at the same (second-resolution) times, none twice.
    const key = (t: number, v: number) => `${Math.floor(t / 1000)}:${v}`;
    const stored = sys.rows.map((r) => key(r.time.getTime(), r.value));
    expect(new Set(stored).size).toBe(stored.length);
    for (const m of produced) expect(stored).toContain(key(Date.parse(m.at), m.values.systolic!));
    expect(stored.length).toBe(produced.length);
    expect(sys.rows.every((r) => r.patient_id === patientId)).toBe(true);

    const dup = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT id FROM readings GROUP BY id HAVING count(*) > 1) d`,
    );
    expect(dup.rows[0]!.n).toBe(0);
    const dead = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM dead_letters');
    expect(dead.rows[0]!.n).toBe(0);
  }, 150_000);

  it('streams the continuous oximeter at 1 Hz into the API', async () => {
    const spo2Count = async () =>
      (
        await client.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM readings WHERE metric = 'spo2' AND patient_id = $1`,
          [patientId],
        )
      ).rows[0]!.n;
    const before = await spo2Count();
    await new Promise((r) => setTimeout(r, 5000));
    const after = await spo2Count();
    expect(after - before).toBeGreaterThanOrEqual(3);
    const latest = await server.api<{ metrics: Record<string, { value: number; unit: string; time: string }> }>(
      'GET',
      `/api/v1/patients/${patientId}/latest`,
      undefined,
      token,
    );
    expect(latest.body.metrics.spo2!.unit).toBe('%');
    expect(Date.now() - Date.parse(latest.body.metrics.spo2!.time)).toBeLessThan(30_000);
    for (const m of ['bp_systolic', 'bp_diastolic', 'pulse_rate', 'body_temperature', 'body_weight', 'glucose'])
      expect(Object.keys(latest.body.metrics)).toContain(m);
  });
});
