/**
 * `pnpm -s bench queries [--backend postgres|pglite|timescaledb] [--days 90] [--patients 500]`
 *
 * Read paths of the wall display and the charts, through the real server's HTTP API:
 * - latest values of every patient (GET /api/v1/wall with 500 patients), against the raw
 *   baseline of computing them from the readings (DISTINCT ON) in the same database;
 * - a 90-day chart of a 1 Hz metric at 1,000 points (GET …/readings?maxPoints=1000, served
 *   from the rollups), against the raw baseline of bucketing the 7.8 million raw rows.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '@vitals/server/auth/secrets.ts';
import { maintainOnce, refreshAggregates } from '@vitals/server/storage/maintenance.ts';
import { openDatabase } from '@vitals/server/storage/open.ts';
import { createBinding } from '@vitals/server/storage/repos/bindings.ts';
import { ensureDevice } from '@vitals/server/storage/repos/gateways.ts';
import { addCareTeamMember, createPatient } from '@vitals/server/storage/repos/patients.ts';
import { addMembership, createOrganisation, createUser } from '@vitals/server/storage/repos/people.ts';
import { insertReadings } from '@vitals/server/storage/repos/readings.ts';
import type { Sql } from '@vitals/server/storage/sql.ts';
import { dropTestSchema } from '@vitals/server/test-support/harness.ts';
import { ADMIN, startServerProcess, TEST_DATABASE_URL } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

type Backend = 'postgres' | 'pglite' | 'timescaledb';

async function timeIt(n: number, f: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  await f(); // warm-up
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p95: percentile(ms, 95) };
}

async function seed(sql: Sql, patients: number, days: number): Promise<string> {
  const org = await createOrganisation(sql, { name: 'Bench clinic', kind: 'clinic' });
  const admin = await createUser(sql, {
    email: ADMIN.email,
    displayName: 'Bench',
    profession: 'physician',
    passwordHash: await hashPassword(ADMIN.password),
  });
  await addMembership(sql, admin, org, 'admin');
  const ids: string[] = [];
  log(`  ${patients} patients with their latest values`);
  for (let p = 0; p < patients; p++) {
    const id = await createPatient(sql, { displayName: `Patient ${p}`, organisationId: org, createdBy: admin });
    await addCareTeamMember(sql, {
      patientId: id,
      userId: admin,
      teamRole: 'attending',
      clearance: 'restricted',
      addedBy: admin,
    });
    const device = `ble:00:00:00:00:${(p >> 8).toString(16).padStart(2, '0')}:${(p & 255).toString(16).padStart(2, '0')}`;
    await ensureDevice(sql, { id: device });
    await sql.transaction((tx) =>
      createBinding(tx, { deviceId: device, patientId: id, from: '2020-01-01T00:00:00Z', createdBy: admin }),
    );
    ids.push(id);
  }
  const metrics = [
    ['spo2', '%', 96],
    ['pulse_rate', '/min', 70],
    ['bp_systolic', 'mm[Hg]', 130],
    ['bp_diastolic', 'mm[Hg]', 80],
    ['body_temperature', 'Cel', 36.5],
  ] as const;
  const now = Date.now();
  const items = ids.flatMap((_, p) =>
    metrics.map(([metric, unit, value], k) => ({
      reading: {
        id: `seed:${p}:${k}`,
        device: {
          id: `ble:00:00:00:00:${(p >> 8).toString(16).padStart(2, '0')}:${(p & 255).toString(16).padStart(2, '0')}`,
          transport: 'ble' as const,
        },
        time: new Date(now - k * 60_000).toISOString(),
        timeSource: 'device' as const,
        metric,
        value,
        unit,
      },
      gatewayId: 'gw-bench',
      batchId: 'seed',
    })),
  );
  for (let i = 0; i < items.length; i += 1000)
    await sql.transaction((tx) => insertReadings(tx, items.slice(i, i + 1000)));

  log(`  ${days} days of a 1 Hz SpO2 for patient 0 (${days * 86400} rows)`);
  const dayMs = 86_400_000;
  for (let d = days; d > 0; d--) {
    await sql.query(
      `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, batch_id)
       SELECT 'chart:' || extract(epoch FROM t)::bigint, $1, 'ble:00:00:00:00:00:00', 'gw-bench', 'spo2', t,
              94 + (extract(epoch FROM t)::bigint % 5), '%', 'gateway', 'chart'
         FROM generate_series($2::timestamptz, $3::timestamptz - interval '1 second', interval '1 second') t`,
      [ids[0], new Date(now - d * dayMs), new Date(now - (d - 1) * dayMs)],
    );
    if (d % 10 === 0) log(`    ${days - d + 1}/${days} days written`);
  }
  log('  rolling up');
  if (sql.backend === 'timescaledb') await refreshAggregates(sql);
  else await maintainOnce({ sql, log: console as never, rollupLagSeconds: 0 });
  return ids[0]!;
}

async function benchBackend(backend: Backend, patients: number, days: number) {
  log(`== ${backend}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'vitals-bench-q-'));
  const schema = `benchq_${randomBytes(5).toString('hex')}`;
  const settings = {
    dataDir,
    ...(backend === 'postgres' ? { url: TEST_DATABASE_URL, schema } : {}),
    embeddedTimescaledb: backend === 'timescaledb',
  };
  const t0 = performance.now();
  let sql = await openDatabase(settings);
  const chartPatient = await seed(sql, patients, days);
  log(`  seeded in ${round((performance.now() - t0) / 1000)} s`);
  const to = new Date();
  const from = new Date(to.getTime() - days * 86_400_000);
  // Raw baselines in the same database, without the server.
  const rawLatest = await timeIt(5, () =>
    sql.query(
      `SELECT DISTINCT ON (patient_id, metric) patient_id, metric, value, time FROM readings
        WHERE patient_id IS NOT NULL AND value IS NOT NULL ORDER BY patient_id, metric, time DESC`,
    ),
  );
  const rawChart = await timeIt(3, () =>
    sql.query(
      `SELECT date_bin(make_interval(secs => $4), time, TIMESTAMPTZ '2000-01-01') b, min(value), avg(value), max(value), count(*)
         FROM readings WHERE patient_id = $1 AND metric = 'spo2' AND time >= $2 AND time < $3 GROUP BY b`,
      [chartPatient, from, to, Math.ceil((days * 86400) / 1000)],
    ),
  );
  await sql.close();

  const env: Record<string, string> = { VITALS_DATA_DIR: dataDir, VITALS_LOG_LEVEL: 'warn' };
  if (backend === 'postgres')
    Object.assign(env, { VITALS_DATABASE_URL: TEST_DATABASE_URL, VITALS_DATABASE_SCHEMA: schema });
  if (backend === 'timescaledb') env.VITALS_EMBEDDED_TIMESCALEDB = 'true';
  const server = await startServerProcess(env);
  let result: Record<string, number>;
  try {
    const { token } = (await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body;
    const wall = await timeIt(20, async () => {
      const r = await server.api<{ patients: unknown[] }>('GET', '/api/v1/wall', undefined, token);
      if (r.body.patients.length !== patients) throw new Error(`wall answered ${r.body.patients.length} patients`);
    });
    log(
      `  latest values of ${patients} patients (GET /api/v1/wall): p50 ${round(wall.p50)} ms, p95 ${round(wall.p95)} ms; raw DISTINCT ON ${round(rawLatest.p50)} ms`,
    );
    let resolution = '';
    let points = 0;
    const chart = await timeIt(20, async () => {
      const r = await server.api<{ resolution: string; points: unknown[] }>(
        'GET',
        `/api/v1/patients/${chartPatient}/readings?metric=spo2&from=${from.toISOString()}&to=${to.toISOString()}&maxPoints=1000`,
        undefined,
        token,
      );
      resolution = r.body.resolution;
      points = r.body.points.length;
    });
    log(
      `  ${days}-day chart at 1,000 points (${points} points, ${resolution} buckets): p50 ${round(chart.p50)} ms, p95 ${round(chart.p95)} ms; raw buckets ${round(rawChart.p50)} ms`,
    );
    result = {
      wallP50Ms: round(wall.p50),
      wallP95Ms: round(wall.p95),
      rawLatestP50Ms: round(rawLatest.p50),
      chartP50Ms: round(chart.p50),
      chartP95Ms: round(chart.p95),
      chartPoints: points,
      rawChartP50Ms: round(rawChart.p50),
      chartSpeedup: round(rawChart.p50 / chart.p50, 1),
    };
  } finally {
    await server.kill('SIGTERM');
    if (backend === 'postgres') {
      await dropTestSchema(schema);
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  sql = undefined as never;
  return result;
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const days = Number(opt('--days') ?? 90);
  const patients = Number(opt('--patients') ?? 500);
  const only = opt('--backend') as Backend | undefined;
  const out: Record<string, unknown> = { days, patients };
  for (const b of only ? [only] : (['postgres', 'pglite', 'timescaledb'] as Backend[]))
    out[b] = await benchBackend(b, patients, days);
  return out;
}
