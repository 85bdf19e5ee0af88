import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading } from '@vitals/contract';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../test-support/harness.ts';
import {
  ArrivalLog,
  compressOldChunks,
  dropExpiredChunks,
  maintainOnce,
  refreshArrivals,
  rollUp,
} from './maintenance.ts';
import { loadMigrations, migrate } from './migrate.ts';
import { openPglite } from './pglite.ts';
import { openPostgres } from './postgres.ts';
import { createBinding } from './repos/bindings.ts';
import { ensureDevice } from './repos/gateways.ts';
import { addCareTeamMember, createPatient } from './repos/patients.ts';
import { addMembership, createOrganisation, createUser } from './repos/people.ts';
import { bucketPoints, insertReadings, rawPoints } from './repos/readings.ts';
import { insertTimelineItem, listTimeline, lockTimelineItem } from './repos/timeline.ts';
import { countNewPost, markRead, unreadOf } from './repos/timeline-receipts.ts';
import { parseRetention } from './retention-policy.ts';
import type { Sql } from './sql.ts';

type Kind = 'pglite' | 'postgres' | 'timescaledb';
const quiet = pino({ level: 'silent' });

async function open(kind: Kind): Promise<{ sql: Sql; drop(): Promise<void> }> {
  if (kind === 'pglite') return { sql: await openPglite('memory://'), drop: async () => {} };
  if (kind === 'timescaledb')
    return { sql: await openPglite('memory://', { timescaledb: true }), drop: async () => {} };
  const schema = `s_${randomBytes(6).toString('hex')}`;
  const sql = await openPostgres({ url: TEST_DATABASE_URL, schema });
  return {
    sql,
    async drop() {
      await dropTestSchema(schema);
    },
  };
}

const DEVICE = 'ble:aa:bb:cc:dd:ee:01';

function reading(i: number, t: number, value: number): { reading: Reading; gatewayId: string; batchId: string } {
  return {
    reading: {
      id: `gw-store:${String(i).padStart(12, '0')}`,
      device: { id: DEVICE, transport: 'ble' },
      time: new Date(t).toISOString(),
      timeSource: 'device',
      metric: 'spo2',
      value,
      unit: '%',
    },
    gatewayId: 'gw-store',
    batchId: 'b1',
  };
}

/** `asVersion1`: the patient row written with the columns version 1 had (the migration test). */
async function seedPatient(sql: Sql, asVersion1 = false): Promise<string> {
  const org = await createOrganisation(sql, { name: 'Clinic', kind: 'clinic' });
  const user = await createUser(sql, { email: `${randomUUID()}@x.test`, displayName: 'Dr', passwordHash: 'x' });
  await addMembership(sql, user, org, 'admin');
  let patient: string;
  if (asVersion1) {
    patient = randomUUID();
    await sql.query('INSERT INTO patients (id, display_name, organisation_id, created_by) VALUES ($1, $2, $3, $4)', [
      patient,
      'P',
      org,
      user,
    ]);
  } else patient = await createPatient(sql, { displayName: 'P', organisationId: org, createdBy: user });
  await ensureDevice(sql, { id: DEVICE });
  await sql.transaction((tx) =>
    createBinding(tx, { deviceId: DEVICE, patientId: patient, from: '2020-01-01T00:00:00Z', createdBy: user }),
  );
  return patient;
}

describe.each<Kind>(['pglite', 'postgres', 'timescaledb'])('storage on %s', (kind) => {
  let db: { sql: Sql; drop(): Promise<void> };
  let patient: string;
  const T0 = Date.parse('2026-11-20T00:00:00Z');

  beforeAll(async () => {
    db = await open(kind);
    await migrate(db.sql);
    patient = await seedPatient(db.sql);
  }, 120_000);
  afterAll(async () => {
    await db?.sql.close();
    await db?.drop();
  });

  it('reports its backend and applies nothing when migrations run again', async () => {
    expect(db.sql.backend).toBe(kind);
    expect(await migrate(db.sql)).toEqual([]);
  });

  it('keeps a timeline: newest first within a clearance, a system item once per source, unread counted as posts are read', async () => {
    const { sql } = db;
    const users = await sql.query<{ id: string }>('SELECT id FROM users LIMIT 1');
    const author = users.rows[0]!.id;
    const reader = await createUser(sql, { email: `${randomUUID()}@x.test`, displayName: 'CM', passwordHash: 'x' });
    await addCareTeamMember(sql, {
      patientId: patient,
      userId: author,
      teamRole: 'attending',
      clearance: 'restricted',
      addedBy: author,
    });
    await addCareTeamMember(sql, {
      patientId: patient,
      userId: reader,
      teamRole: 'member',
      clearance: 'team',
      addedBy: author,
    });
    const ids: string[] = [];
    for (const [i, sensitivity] of (['team', 'clinical', 'team'] as const).entries()) {
      const id = randomUUID();
      ids.push(id);
      const time = new Date(Date.now() + i * 1000);
      await sql.transaction(async (tx) => {
        await insertTimelineItem(tx, {
          id,
          patientId: patient,
          kind: 'post',
          time,
          sensitivity,
          authorId: author,
          body: `post ${i}`,
        });
        await countNewPost(tx, {
          id,
          patient_id: patient,
          sensitivity,
          author_id: author,
          created_at: time,
          reply_to: null,
        });
      });
    }
    const system = {
      patientId: patient,
      kind: 'event' as const,
      time: new Date(),
      sensitivity: 'team' as const,
      sourceKey: 'gw:clock',
    };
    expect(await insertTimelineItem(sql, { ...system, id: randomUUID() })).toBe(true);
    expect(await insertTimelineItem(sql, { ...system, id: randomUUID() })).toBe(false);
    const seen = await listTimeline(sql, {
      patientId: patient,
      userId: reader,
      clearance: 'team',
      limit: 10,
      kinds: ['post'],
    });
    expect(seen.map((r) => r.body)).toEqual(['post 2', 'post 0']);
    expect((await unreadOf(sql, reader)).map((r) => r.unread)).toEqual([2]);
    await sql.transaction(async (tx) => markRead(tx, (await lockTimelineItem(tx, ids[2]!))!, reader, new Date()));
    expect((await unreadOf(sql, reader)).map((r) => r.unread)).toEqual([1]);
  });

  it('stores each reading id once, within a batch and across batches', async () => {
    const a = reading(1, T0, 97);
    const first = await db.sql.transaction((tx) => insertReadings(tx, [a, a, reading(2, T0 + 1000, 96)]));
    expect(first.map((r) => r.id).sort()).toEqual([a.reading.id, reading(2, 0, 0).reading.id]);
    expect(first[0]!.patient_id).toBe(patient);
    const again = await db.sql.transaction((tx) => insertReadings(tx, [a, reading(2, T0 + 1000, 96)]));
    expect(again).toEqual([]);
    // The same id with another time is still the same reading.
    const moved = await db.sql.transaction((tx) => insertReadings(tx, [reading(1, T0 + 5000, 80)]));
    expect(moved).toEqual([]);
    const n = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM readings WHERE id = $1`, [
      a.reading.id,
    ]);
    expect(n.rows[0]!.n).toBe(1);
  });

  it('returns only the new rows of a batch that mixes stored and new ids, with the binding patient', async () => {
    const stored = reading(3, T0 + 3000, 95);
    await db.sql.transaction((tx) => insertReadings(tx, [stored]));
    const fresh = reading(4, T0 + 4000, 94);
    const mixed = await db.sql.transaction((tx) => insertReadings(tx, [stored, fresh, stored]));
    expect(mixed).toEqual([
      {
        id: fresh.reading.id,
        patient_id: patient,
        device_id: DEVICE,
        gateway_id: 'gw-store',
        flags: null,
        metric: 'spo2',
        time: new Date(T0 + 4000),
        value: 94,
        unit: '%',
      },
    ]);
  });

  it('files a reading before the first binding as unassigned', async () => {
    const early = reading(5, Date.parse('2019-12-31T23:59:59.999Z'), 93);
    const [row] = await db.sql.transaction((tx) => insertReadings(tx, [early]));
    expect(row?.patient_id).toBeNull();
    const r = await db.sql.query<{ patient_id: string | null }>('SELECT patient_id FROM readings WHERE id = $1', [
      early.reading.id,
    ]);
    expect(r.rows[0]!.patient_id).toBeNull();
  });

  it('answers buckets from the rollups that match the raw rows', async () => {
    // Two hours of a 1 Hz oximeter, a day before T0.
    const start = T0 - 86_400_000;
    const rows = Array.from({ length: 7200 }, (_, i) => reading(10_000 + i, start + i * 1000, 90 + (i % 9)));
    for (let i = 0; i < rows.length; i += 2000) {
      await db.sql.transaction((tx) => insertReadings(tx, rows.slice(i, i + 2000)));
      await new Promise((r) => setTimeout(r, 120)); // arrivals in several rollup slices
    }
    if (kind === 'timescaledb') await maintainOnce({ sql: db.sql, log: console as never });
    else expect(await rollUp(db.sql, 0, { firstSliceMs: 50 })).toBeGreaterThan(0);

    const from = new Date(start);
    const to = new Date(start + 7_200_000);
    const buckets = await bucketPoints(db.sql, patient, 'spo2', from, to, 600);
    expect(buckets).toHaveLength(12);
    const raw = await rawPoints(db.sql, patient, 'spo2', from, to);
    expect(raw).toHaveLength(7200);
    const firstTen = raw.slice(0, 600).map((p) => p.v ?? Number.NaN);
    expect(buckets[0]).toEqual({
      t: from.toISOString(),
      min: Math.min(...firstTen),
      max: Math.max(...firstTen),
      avg: expect.closeTo(firstTen.reduce((s, v) => s + v, 0) / 600, 9),
      n: 600,
    });
    expect(buckets.reduce((s, b) => s + b.n, 0)).toBe(7200);
    // Hour buckets come from the hour rollup and agree too.
    const hours = await bucketPoints(db.sql, patient, 'spo2', from, to, 3600);
    expect(hours.map((b) => b.n)).toEqual([3600, 3600]);
    const day = await bucketPoints(db.sql, patient, 'spo2', from, to, 86400);
    expect(day).toMatchObject([{ n: 7200, min: 90, max: 98 }]);
  });

  it('includes readings that arrived after the last rollup run', async () => {
    const t = T0 + 3_600_000;
    await db.sql.transaction((tx) => insertReadings(tx, [reading(50_000, t, 88), reading(50_001, t + 1000, 99)]));
    const b = await bucketPoints(db.sql, patient, 'spo2', new Date(t), new Date(t + 60_000), 60);
    expect(b).toEqual([{ t: new Date(t).toISOString(), min: 88, max: 99, avg: 93.5, n: 2 }]);
  });
});

describe('TimescaleDB specifics (the PGlite build with the extension)', () => {
  let db: { sql: Sql; drop(): Promise<void> };
  let patient: string;
  beforeAll(async () => {
    db = await open('timescaledb');
    await migrate(db.sql);
    patient = await seedPatient(db.sql);
  }, 120_000);
  afterAll(async () => db?.sql.close());

  it('makes readings a hypertable, compresses old chunks and drops them by retention', async () => {
    const h = await db.sql.query<{ hypertable_name: string }>(
      `SELECT hypertable_name FROM timescaledb_information.hypertables`,
    );
    expect(h.rows.map((r) => r.hypertable_name)).toContain('readings');
    const old = Date.now() - 40 * 86_400_000;
    await db.sql.transaction((tx) =>
      insertReadings(tx, [reading(60_000, old, 95), reading(60_001, old + 86_400_000 * 2, 94)]),
    );
    expect(await compressOldChunks(db.sql, 7)).toBeGreaterThanOrEqual(2);
    const compressed = await db.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'readings' AND is_compressed`,
    );
    expect(compressed.rows[0]!.n).toBeGreaterThanOrEqual(2);
    // Compressed data still reads back.
    const back = await rawPoints(db.sql, patient, 'spo2', new Date(old - 1000), new Date(old + 1000));
    expect(back).toEqual([{ t: new Date(old).toISOString(), v: 95 }]);
    expect(await dropExpiredChunks(db.sql, 30)).toBeGreaterThanOrEqual(2);
    const gone = await rawPoints(db.sql, patient, 'spo2', new Date(old - 1000), new Date(old + 3 * 86_400_000));
    expect(gone).toEqual([]);
  });

  it('refreshes just the minutes that received readings, in windows, and the hours and days around them', async () => {
    const arrivals = new ArrivalLog();
    // Two stretches a day apart, 10 minutes each, of a 1 Hz oximeter; two hours ago and more.
    const a = Math.floor((Date.now() - 26 * 3_600_000) / 3_600_000) * 3_600_000;
    const b = a + 86_400_000;
    const rows = [a, b].flatMap((start, k) =>
      Array.from({ length: 600 }, (_, i) => reading(80_000 + k * 1000 + i, start + i * 1000, 90 + (i % 7))),
    );
    const stored = await db.sql.transaction((tx) => insertReadings(tx, rows));
    arrivals.note(stored);
    await db.sql.exec('ALTER MATERIALIZED VIEW readings_1m SET (timescaledb.materialized_only = true)');
    await db.sql.exec('ALTER MATERIALIZED VIEW readings_1h SET (timescaledb.materialized_only = true)');
    try {
      const count = async (view: string) =>
        (
          await db.sql.query<{ n: number }>(
            `SELECT COALESCE(sum(n), 0)::int AS n FROM ${view} WHERE patient_id = $1 AND bucket >= $2`,
            [patient, new Date(a)],
          )
        ).rows[0]!.n;
      expect(await count('readings_1m')).toBe(0);
      // 1,200 rows in windows of at most about 500: the stretches and their minutes are split.
      const windows = arrivals.take(Date.now(), 500);
      expect(windows.length).toBeGreaterThanOrEqual(3);
      const again = new ArrivalLog();
      again.note(stored);
      expect(await refreshArrivals(db.sql, again)).toBeGreaterThanOrEqual(1);
      expect(await count('readings_1m')).toBe(1200);
      expect(await count('readings_1h')).toBe(1200);
      // Taken: a second run has nothing to do.
      expect(await refreshArrivals(db.sql, again)).toBe(0);
    } finally {
      await db.sql.exec('ALTER MATERIALIZED VIEW readings_1m SET (timescaledb.materialized_only = false)');
      await db.sql.exec('ALTER MATERIALIZED VIEW readings_1h SET (timescaledb.materialized_only = false)');
    }
  });
});

describe('embedded TimescaleDB data dir', () => {
  it('keeps ingesting after the database is closed and opened again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vitals-ts-'));
    let sql = await openPglite(dir, { timescaledb: true });
    await migrate(sql);
    await seedPatient(sql);
    await sql.close();
    sql = await openPglite(dir, { timescaledb: true });
    try {
      const rows = await sql.transaction((tx) =>
        insertReadings(tx, [reading(7, Date.parse('2026-11-24T00:00:00Z'), 95)]),
      );
      expect(rows.map((r) => r.value)).toEqual([95]);
    } finally {
      await sql.close();
    }
  }, 120_000);
});

describe.each<Kind>(['pglite', 'timescaledb'])('migrations on %s from the previous version', (kind) => {
  it('keeps the data written under version 1 and its uniqueness', async () => {
    const db = await open(kind);
    try {
      const all = loadMigrations(db.sql.backend);
      await migrate(
        db.sql,
        all.filter((m) => m.version === 1),
      );
      const patient = await seedPatient(db.sql, true);
      // Written as version 1 wrote it (the insert path of later versions needs their tables).
      await db.sql.query(
        `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, batch_id)
         VALUES ($1, $2, $3, 'gw-store', 'spo2', '2026-11-01T00:00:00Z', 97, '%', 'device', 'b0')`,
        [reading(1, 0, 0).reading.id, patient, DEVICE],
      );
      expect(await migrate(db.sql)).toEqual(all.filter((m) => m.version > 1).map((m) => m.version));
      const again = await db.sql.transaction((tx) =>
        insertReadings(tx, [reading(1, Date.parse('2026-11-01T00:00:00Z'), 97)]),
      );
      expect(again).toEqual([]);
      const raw = await rawPoints(
        db.sql,
        patient,
        'spo2',
        new Date('2026-10-31T00:00:00Z'),
        new Date('2026-11-02T00:00:00Z'),
      );
      expect(raw).toEqual([{ t: '2026-11-01T00:00:00.000Z', v: 97 }]);
    } finally {
      await db.sql.close();
      await db.drop();
    }
  }, 120_000);
});

describe('migration 021 on the embedded database', () => {
  it("folds the stored search text's katakana into hiragana, as the search now does", async () => {
    const db = await open('pglite');
    try {
      const all = loadMigrations(db.sql.backend);
      await migrate(
        db.sql,
        all.filter((m) => m.version < 21),
      );
      const patient = await seedPatient(db.sql);
      const item = { id: randomUUID() };
      await insertTimelineItem(db.sql, {
        id: item.id,
        patientId: patient,
        kind: 'post',
        time: new Date(),
        sensitivity: 'team',
        body: 'x',
      });
      await db.sql.query(`UPDATE timeline_items SET search_text = 'ｶﾝｺﾞ カンゴシ ヴァ ー 看護' WHERE id = $1`, [
        item.id,
      ]);
      await migrate(db.sql);
      const r = await db.sql.query<{ search_text: string }>('SELECT search_text FROM timeline_items WHERE id = $1', [
        item.id,
      ]);
      // Half-width kana were stored in NFKC (full width) before; here the raw half-width stays as it was.
      expect(r.rows[0]!.search_text).toBe('ｶﾝｺﾞ かんごし ゔぁ ー 看護');
    } finally {
      await db.sql.close();
    }
  }, 120_000);
});

describe.each<Kind>(['pglite', 'postgres', 'timescaledb'])('raw retention per metric on %s', (kind) => {
  let db: { sql: Sql; drop(): Promise<void> };
  let patient: string;
  const DAY = 86_400_000;
  const now = Date.now();
  const old = Math.floor((now - 40 * DAY) / 3_600_000) * 3_600_000;
  const recent = Math.floor((now - 3 * DAY) / 3_600_000) * 3_600_000;
  const weight = (i: number, t: number) => {
    const r = reading(i, t, 61.5);
    return { ...r, reading: { ...r.reading, metric: 'body_weight' as const, unit: 'kg' } };
  };

  beforeAll(async () => {
    db = await open(kind);
    await migrate(db.sql);
    patient = await seedPatient(db.sql);
    // An hour of a 1 Hz oximeter 40 days ago and 3 days ago, and a weight on each of those days.
    const rows = [old, recent].flatMap((start, k) => [
      ...Array.from({ length: 3600 }, (_, i) => reading(200_000 + k * 10_000 + i, start + i * 1000, 90 + (i % 9))),
      weight(300_000 + k, start + 60_000),
    ]);
    await db.sql.transaction((tx) => insertReadings(tx, rows));
    await maintainOnce({ sql: db.sql, log: quiet, rollupLagSeconds: 0 }, 0, false);
  }, 120_000);
  afterAll(async () => {
    await db?.sql.close();
    await db?.drop();
  });

  const raw = (metric: 'spo2' | 'body_weight', t: number) =>
    rawPoints(db.sql, patient, metric, new Date(t - 1000), new Date(t + 3_600_000));

  it("deletes a metric's raw readings past its retention, keeps its rollups and every other metric's readings", async () => {
    if (kind === 'timescaledb') expect(await compressOldChunks(db.sql, 7)).toBeGreaterThanOrEqual(1);
    const retention = parseRetention(0, 'spo2=30');
    const r = await maintainOnce({ sql: db.sql, log: quiet, rollupLagSeconds: 0, retention }, 0, true);
    expect(r.expired).toBe(3600);
    expect(await raw('spo2', old)).toEqual([]);
    expect(await raw('spo2', recent)).toHaveLength(3600);
    expect(await raw('body_weight', old)).toEqual([{ t: new Date(old + 60_000).toISOString(), v: 61.5 }]);
    // The hour of SpO2 40 days ago is still charted from the rollups, minute by minute and as the hour.
    const minutes = await bucketPoints(db.sql, patient, 'spo2', new Date(old), new Date(old + 3_600_000), 60);
    expect(minutes).toHaveLength(60);
    expect(minutes.reduce((s, b) => s + b.n, 0)).toBe(3600);
    expect(await bucketPoints(db.sql, patient, 'spo2', new Date(old), new Date(old + 3_600_000), 3600)).toMatchObject([
      { n: 3600, min: 90, max: 98 },
    ]);
  });

  it('keeps the rollups through later maintenance runs, a full aggregate refresh included', async () => {
    const retention = parseRetention(0, 'spo2=30');
    for (let run = 0; run < 2; run++)
      expect((await maintainOnce({ sql: db.sql, log: quiet, rollupLagSeconds: 0, retention }, run, true)).expired).toBe(
        0,
      );
    const hour = await bucketPoints(db.sql, patient, 'spo2', new Date(old), new Date(old + 3_600_000), 3600);
    expect(hour).toMatchObject([{ n: 3600, min: 90, max: 98 }]);
  });

  it('with one retention for every metric deletes them all and still keeps the rollups', async () => {
    const r = await maintainOnce(
      { sql: db.sql, log: quiet, rollupLagSeconds: 0, retention: parseRetention(30, undefined) },
      0,
      true,
    );
    expect(r.expired).toBeGreaterThanOrEqual(1);
    expect(await raw('body_weight', old)).toEqual([]);
    expect(await raw('body_weight', recent)).toHaveLength(1);
    const day = await bucketPoints(db.sql, patient, 'body_weight', new Date(old - DAY), new Date(old + DAY), 86_400);
    expect(day.reduce((s, b) => s + b.n, 0)).toBe(1);
  });
});
