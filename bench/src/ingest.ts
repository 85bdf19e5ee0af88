/**
 * `pnpm -s bench ingest [--backend postgres|pglite|timescaledb] [--seconds N]`
 *
 * Drives simulated gateways through the real broker into the real database (a server
 * process) and reports, per backend:
 * - sustained readings/s durably stored (counted from the server's end-to-end acks),
 * - publish → ack latency p50/p99 at full load and at a paced 5,000 readings/s
 *   (the ack is sent after the commit, so this bounds publish → commit from above),
 * - the raw baseline: the same rows (devices, patients, times, every column) inserted
 *   idempotently straight into the same database with unnest … ON CONFLICT DO NOTHING, and
 *   the ratio.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BatchAck, Reading } from '@vitals/contract';
import { openPglite } from '@vitals/server/storage/pglite.ts';
import { openPostgres } from '@vitals/server/storage/postgres.ts';
import type { Sql } from '@vitals/server/storage/sql.ts';
import { dropTestSchema } from '@vitals/server/test-support/harness.ts';
import mqtt, { type MqttClient } from 'mqtt';
import { ADMIN, startServerProcess, TEST_DATABASE_URL } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

type Backend = 'postgres' | 'pglite' | 'timescaledb';
// The load model: many homes, each with a continuous oximeter at 1 Hz (here 8 gateways
// carrying 50 oximeters each, replaying the last day as a backlog drain would), normal values.
const GATEWAYS = 8;
const DEVICES_PER_GATEWAY = 50;
const BATCH = 500;
const WINDOW = 4;

interface Gw {
  id: string;
  client: MqttClient;
  devices: string[];
  seq: number;
  pending: Map<string, number>;
}

interface Fleet {
  gws: Gw[];
  /** The patient each bench device is bound to. */
  patientOf: Map<string, string>;
}

/** Reading n of a gateway: its devices take turns, each one second of measurement time apart. */
function reading(gw: Gw, n: number, start: number): Reading {
  const k = gw.devices.length;
  return {
    id: `${gw.id}:bench:${String(n).padStart(12, '0')}`,
    device: { id: gw.devices[n % k]!, transport: 'ble' },
    time: new Date(start + Math.floor(n / k) * 1000).toISOString(),
    timeSource: 'device',
    metric: 'spo2',
    value: 95 + (n % 5),
    unit: '%',
  };
}

const REPLAY_FROM = Date.now() - 24 * 3600_000;

function batchPayload(gw: Gw, size: number): { batchId: string; payload: string } {
  const batchId = `${gw.id}:bench:b:${gw.seq}`;
  const readings = Array.from({ length: size }, () => reading(gw, gw.seq++, REPLAY_FROM));
  return {
    batchId,
    payload: JSON.stringify({ v: 1, gatewayId: gw.id, batchId, sentAt: new Date().toISOString(), readings }),
  };
}

async function setUp(base: string, mqttUrl: string): Promise<Fleet> {
  const api = async <T>(method: string, path: string, body: unknown, token?: string) => {
    const r = await fetch(base + path, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as T;
  };
  const { token } = await api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN);
  const gws: Gw[] = [];
  const patientOf = new Map<string, string>();
  for (let g = 0; g < GATEWAYS; g++) {
    const id = `gw-bench-${g}`;
    const { mqtt: cred } = await api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id }, token);
    const devices: string[] = [];
    for (let d = 0; d < DEVICES_PER_GATEWAY; d++) {
      const deviceId = `ble:00:00:00:01:${g.toString(16).padStart(2, '0')}:${d.toString(16).padStart(2, '0')}`;
      const { id: patientId } = await api<{ id: string }>(
        'POST',
        '/api/v1/patients',
        { displayName: `Bench ${g}-${d}` },
        token,
      );
      await api(
        'POST',
        '/api/v1/bindings',
        { deviceId, patientId, from: '2020-01-01T00:00:00Z', gatewayId: id },
        token,
      );
      devices.push(deviceId);
      patientOf.set(deviceId, patientId);
    }
    const client = await mqtt.connectAsync(mqttUrl, {
      clientId: id,
      username: id,
      password: cred.password,
      reconnectPeriod: 0,
    });
    await client.subscribeAsync(`vitals/v1/gw/${id}/ack`, { qos: 1 });
    gws.push({ id, client, devices, seq: 0, pending: new Map() });
  }
  return { gws, patientOf };
}

/** Every gateway keeps WINDOW batches in flight for `seconds`; returns acked readings/s and latencies. */
async function fullLoad(gws: Gw[], seconds: number) {
  const latencies: number[] = [];
  let acked = 0;
  let measuring = false;
  let stop = false;
  const done: Promise<void>[] = gws.map(
    (gw) =>
      new Promise<void>((resolve) => {
        const send = () => {
          if (stop) {
            if (gw.pending.size === 0) resolve();
            return;
          }
          const { batchId, payload } = batchPayload(gw, BATCH);
          gw.pending.set(batchId, performance.now());
          void gw.client.publishAsync(`vitals/v1/gw/${gw.id}/readings`, payload, { qos: 1 });
        };
        gw.client.on('message', (_t, p) => {
          const ack = JSON.parse(p.toString()) as BatchAck;
          const t0 = gw.pending.get(ack.batchId);
          if (t0 === undefined) return;
          gw.pending.delete(ack.batchId);
          if (measuring) {
            latencies.push(performance.now() - t0);
            acked += ack.accepted + ack.duplicates;
          }
          send();
        });
        for (let i = 0; i < WINDOW; i++) send();
      }),
  );
  await new Promise((r) => setTimeout(r, 2000)); // warm-up
  measuring = true;
  const t0 = performance.now();
  for (let s = 1; s <= seconds; s++) {
    await new Promise((r) => setTimeout(r, 1000));
    log(`  full load ${s}/${seconds} s: ${Math.round(acked / ((performance.now() - t0) / 1000))} readings/s acked`);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const rate = acked / elapsed;
  measuring = false;
  stop = true;
  await Promise.all(done);
  for (const gw of gws) gw.client.removeAllListeners('message');
  latencies.sort((a, b) => a - b);
  return { rate, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Publishes `perSecond` readings/s in 100 ms ticks spread over the gateways; returns latencies. */
async function paced(gws: Gw[], perSecond: number, seconds: number) {
  const latencies: number[] = [];
  for (const gw of gws)
    gw.client.on('message', (_t, p) => {
      const ack = JSON.parse(p.toString()) as BatchAck;
      const t0 = gw.pending.get(ack.batchId);
      if (t0 === undefined) return;
      gw.pending.delete(ack.batchId);
      latencies.push(performance.now() - t0);
    });
  const perTick = Math.round(perSecond / 10 / gws.length);
  const end = performance.now() + seconds * 1000;
  let tick = 0;
  let reported = 0;
  while (performance.now() < end) {
    const tickStart = performance.now();
    for (const gw of gws) {
      const { batchId, payload } = batchPayload(gw, perTick);
      gw.pending.set(batchId, performance.now());
      void gw.client.publishAsync(`vitals/v1/gw/${gw.id}/readings`, payload, { qos: 1 });
    }
    if (++tick % 10 === 0) {
      const last = latencies.slice(reported);
      reported = latencies.length;
      log(`  paced ${perSecond}/s: ${tick / 10} s, slowest ack of the second ${round(Math.max(0, ...last))} ms`);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 100 - (performance.now() - tickStart))));
  }
  const drainEnd = performance.now() + 10_000;
  while (gws.some((g) => g.pending.size) && performance.now() < drainEnd) await new Promise((r) => setTimeout(r, 50));
  for (const gw of gws) gw.client.removeAllListeners('message');
  latencies.sort((a, b) => a - b);
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    lost: gws.reduce((s, g) => s + g.pending.size, 0),
  };
}

/**
 * The same rows straight into the same database by the fastest idempotent method: the
 * readings the gateways send (same devices, times, values and columns, with the patient of
 * each device's binding already known), unnest … ON CONFLICT DO NOTHING, 5,000 a statement.
 */
async function rawBaseline(sql: Sql, gws: Gw[], patientOf: Map<string, string>, seconds: number): Promise<number> {
  const n = 5000;
  let inserted = 0;
  const conflict = sql.backend === 'timescaledb' ? 'ON CONFLICT DO NOTHING' : 'ON CONFLICT (id) DO NOTHING';
  // A namespace of its own, so none of these ids was stored by the ingest run.
  const raw = gws.map((g) => ({ ...g, id: `${g.id}-raw`, seq: 0 }));
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  for (let k = 0; performance.now() < end; k++) {
    const gw = raw[k % raw.length]!;
    const rows = Array.from({ length: n }, () => reading(gw, gw.seq++, REPLAY_FROM));
    const col = <T>(f: (r: Reading) => T) => rows.map(f);
    const r = await sql.query(
      `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, flags,
                             source_value, source_unit, group_id, batch_id)
       SELECT i.id, i.patient_id, i.device_id, i.gateway_id, i.metric, i.time, i.value, i.unit, i.time_source,
              string_to_array(i.flags, chr(31)), i.source_value, i.source_unit, i.group_id, i.batch_id
         FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::float8[],
                     $8::text[], $9::text[], $10::text[], $11::float8[], $12::text[], $13::text[], $14::text[])
           AS i(id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, flags, source_value,
                source_unit, group_id, batch_id)
       ${conflict}`,
      [
        col((x) => x.id),
        col((x) => patientOf.get(x.device.id)),
        col((x) => x.device.id),
        col(() => gw.id),
        col((x) => x.metric),
        col((x) => x.time),
        col((x) => x.value),
        col((x) => x.unit),
        col((x) => x.timeSource),
        col(() => null),
        col(() => null),
        col(() => null),
        col(() => null),
        col(() => `${gw.id}:raw`),
      ],
    );
    inserted += r.rowCount;
  }
  return inserted / ((performance.now() - t0) / 1000);
}

async function benchBackend(backend: Backend, seconds: number) {
  log(`== ${backend}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'vitals-bench-'));
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const env: Record<string, string> = { VITALS_DATA_DIR: dataDir, VITALS_LOG_LEVEL: 'warn' };
  if (backend === 'postgres')
    Object.assign(env, { VITALS_DATABASE_URL: TEST_DATABASE_URL, VITALS_DATABASE_SCHEMA: schema });
  if (backend === 'timescaledb') env.VITALS_EMBEDDED_TIMESCALEDB = 'true';
  const server = await startServerProcess(env);
  let result: Record<string, number>;
  let fleet: Fleet;
  try {
    fleet = await setUp(server.base, server.mqttUrl);
    const { gws } = fleet;
    log(
      `  ${GATEWAYS} gateways, ${GATEWAYS * DEVICES_PER_GATEWAY} bound devices; batches of ${BATCH}, ${WINDOW} in flight each`,
    );
    const full = await fullLoad(gws, seconds);
    log(
      `  sustained ${Math.round(full.rate)} readings/s; ack latency p50 ${round(full.p50)} ms, p99 ${round(full.p99)} ms`,
    );
    const at5k = await paced(gws, 5000, seconds);
    log(`  at 5,000 readings/s: ack latency p50 ${round(at5k.p50)} ms, p99 ${round(at5k.p99)} ms`);
    for (const gw of gws) await gw.client.endAsync();
    result = {
      readingsPerSecond: Math.round(full.rate),
      fullLoadP50Ms: round(full.p50),
      fullLoadP99Ms: round(full.p99),
      at5kP50Ms: round(at5k.p50),
      at5kP99Ms: round(at5k.p99),
      at5kUnacked: at5k.lost,
    };
  } finally {
    await server.kill('SIGTERM');
  }
  log('  raw baseline: the same rows straight into the same database');
  const sql =
    backend === 'postgres'
      ? await openPostgres({ url: TEST_DATABASE_URL, schema })
      : await openPglite(join(dataDir, 'db'), { timescaledb: backend === 'timescaledb' });
  try {
    const raw = await rawBaseline(sql, fleet.gws, fleet.patientOf, seconds);
    log(
      `  raw baseline ${Math.round(raw)} rows/s; ingest is ${round((100 * result.readingsPerSecond!) / raw)} % of it`,
    );
    result.rawBaselinePerSecond = Math.round(raw);
    result.ratio = round(result.readingsPerSecond! / raw, 3);
  } finally {
    await sql.close();
    if (backend === 'postgres') {
      await dropTestSchema(schema);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  return result;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const seconds = Number(opt('--seconds') ?? 10);
  const only = opt('--backend') as Backend | undefined;
  const backends: Backend[] = only ? [only] : ['postgres', 'pglite', 'timescaledb'];
  const out: Record<string, unknown> = {};
  for (const b of backends) out[b] = await benchBackend(b, seconds);
  return out;
}
