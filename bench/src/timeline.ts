/**
 * `pnpm -s bench timeline [--backend both|postgres|pglite] [--patients 500] [--days 730]
 *   [--per-day 20] [--team 200] [--rounds 200] [--pglite-patients 200] [--pglite-days 120]`
 *
 * The team timeline at the size of issue 15: 500 patients × 2 years × about 20 items a
 * patient-day (posts and system items, ≈ 7.3 M rows), written with `generate_series` a batch of
 * patients at a time. Timed, each against a raw-SQL baseline in the same run (alternating):
 * - the newest 50 items of a patient (storage `listTimeline`: clearance filter, author, the
 *   caller's receipt, read and reply counts, photos) against the bare index
 *   range of the same rows (target p99 < 50 ms);
 * - "my unread" across the 200 patients of a member's care teams (`unreadOf`: the counts kept
 *   as posts are written and read, migration 016, for the levels the member's clearance
 *   reaches on the teams they are still on) against reading the same counts without the
 *   care-team and clearance joins (target p99 < 100 ms). Counting unread posts at read time
 *   instead (the first version) took 600 ms p50 here.
 * The embedded database (PGlite, WebAssembly, in memory) holds the whole database in the
 * process: by default it runs 200 patients × 120 days (the same index shapes and counts), since
 * the full size took 9 minutes to write and 7.6 GB of memory on 3 December 2026;
 * `--pglite-patients 500 --pglite-days 730` runs the full size.
 */
import { randomBytes } from 'node:crypto';
import { migrate } from '@vitals/server/storage/migrate.ts';
import { openPglite } from '@vitals/server/storage/pglite.ts';
import { openPostgres } from '@vitals/server/storage/postgres.ts';
import { addCareTeamMember, createPatient } from '@vitals/server/storage/repos/patients.ts';
import { addMembership, createOrganisation, createUser } from '@vitals/server/storage/repos/people.ts';
import { listTimeline } from '@vitals/server/storage/repos/timeline.ts';
import { recountUnread, unreadOf } from '@vitals/server/storage/repos/timeline-receipts.ts';
import type { Sql } from '@vitals/server/storage/sql.ts';
import { dropTestSchema } from '@vitals/server/test-support/harness.ts';
import { TEST_DATABASE_URL } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

const DAY_MS = 86_400_000;
const UNREAD_WINDOW_DAYS = 30;
const BATCH = 25;

interface Size {
  patients: number;
  days: number;
  perDay: number;
  team: number;
}

export async function seed(sql: Sql, s: Size, now: Date) {
  const org = await createOrganisation(sql, { name: 'Bench station', kind: 'nursing_station' });
  const user = await createUser(sql, {
    email: 'tl@bench.test',
    displayName: 'TL',
    profession: 'nurse',
    passwordHash: 'x',
  });
  const other = await createUser(sql, {
    email: 'o@bench.test',
    displayName: 'O',
    profession: 'physician',
    passwordHash: 'x',
  });
  await addMembership(sql, user, org, 'staff');
  await addMembership(sql, other, org, 'admin');
  const patients: string[] = [];
  for (let p = 0; p < s.patients; p++) {
    const id = await createPatient(sql, { displayName: `Patient ${p}`, organisationId: org, createdBy: other });
    await addCareTeamMember(sql, {
      patientId: id,
      userId: other,
      teamRole: 'attending',
      clearance: 'restricted',
      addedBy: other,
    });
    if (p < s.team)
      await addCareTeamMember(sql, {
        patientId: id,
        userId: user,
        teamRole: 'member',
        clearance: 'clinical',
        addedBy: other,
      });
    patients.push(id);
  }
  // Joined the teams before any item: every post in the window counts.
  await sql.query('UPDATE care_team_members SET added_at = $1', [new Date(now.getTime() - s.days * DAY_MS - DAY_MS)]);
  log(`  ${s.patients} patients (the member on ${s.team} care teams)`);
  const perPatient = s.days * s.perDay;
  const step = DAY_MS / s.perDay;
  const t0 = performance.now();
  for (let b = 0; b < patients.length; b += BATCH) {
    const batch = patients.slice(b, b + BATCH);
    // i = 0 is the newest. Of each 20: 9 posts (sensitivity cycling team, clinical, restricted;
    // by the member or the physician), 4 alerts, 4 observations, 2 device events, 1 digest.
    await sql.query(
      `INSERT INTO timeline_items (id, patient_id, kind, time, created_at, sensitivity, author_id, body, tags, search_text, detail)
       SELECT gen_random_uuid(), p,
              (ARRAY['post','post','post','post','post','post','alert','alert','alert','alert','observation',
                     'observation','observation','observation','event','event','digest','post','post','post'])[1 + i % 20],
              $2::timestamptz - (i * $3::float8) * interval '1 millisecond',
              $2::timestamptz - (i * $3::float8) * interval '1 millisecond',
              CASE WHEN i % 20 IN (0,1,2,3,4,5,17,18,19) THEN (ARRAY['team','clinical','restricted'])[1 + i % 3] ELSE 'team' END,
              CASE WHEN i % 20 IN (0,1,2,3,4,5,17,18,19) THEN (CASE WHEN i % 2 = 0 THEN $4::uuid ELSE $5::uuid END) END,
              'bench note ' || i, '{}', 'bench note ' || i,
              CASE WHEN i % 20 IN (6,7,8,9) THEN '{"rule":"spo2_low","transition":"opened"}'::jsonb END
         FROM unnest($1::uuid[]) p, generate_series(0, $6::int - 1) i`,
      [batch, now, step, other, user, perPatient],
    );
    const done = Math.min(b + BATCH, patients.length);
    const rate = (done * perPatient) / ((performance.now() - t0) / 1000);
    log(
      `  items of ${done}/${patients.length} patients (${(done * perPatient).toLocaleString('en')} rows, ${Math.round(rate).toLocaleString('en')} rows/s)`,
    );
  }
  // The member read the posts of the last 30 days but the last week; older ones stay unread
  // (a member who never reads has years of unread: the counts do not grow with them).
  await sql.query(
    `INSERT INTO timeline_receipts (item_id, user_id, at)
     SELECT i.id, $1, $2 FROM timeline_items i JOIN care_team_members c ON c.patient_id = i.patient_id AND c.user_id = $1
      WHERE i.kind = 'post' AND i.time > $3 AND i.time < $4`,
    [user, now, new Date(now.getTime() - UNREAD_WINDOW_DAYS * DAY_MS), new Date(now.getTime() - 7 * DAY_MS)],
  );
  log('  receipts of the member: posts older than a week in the last 30 days');
  const t1 = performance.now();
  // The unread counts and read counts, as the routes keep them when posts are written and read.
  await recountUnread(sql);
  log(`  counted unread posts per member and patient in ${round((performance.now() - t1) / 1000, 1)} s`);
  await sql.query('ANALYZE').catch(() => undefined);
  return { user, patients: patients.slice(0, s.team), rows: s.patients * perPatient };
}

/** p50 and p99 of two functions run alternately `rounds` times after a warm-up. */
async function pair(rounds: number, ours: (i: number) => Promise<unknown>, raw: (i: number) => Promise<unknown>) {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < 5; i++) {
    await ours(i);
    await raw(i);
  }
  for (let i = 0; i < rounds; i++)
    for (const [f, out] of i % 2
      ? ([
          [raw, b],
          [ours, a],
        ] as const)
      : ([
          [ours, a],
          [raw, b],
        ] as const)) {
      const t0 = performance.now();
      await f(i);
      out.push(performance.now() - t0);
    }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  return { p50: percentile(a, 50), p99: percentile(a, 99), rawP50: percentile(b, 50), rawP99: percentile(b, 99) };
}

async function measure(backend: 'postgres' | 'pglite', s: Size, rounds: number) {
  const schema = `benchtl_${randomBytes(5).toString('hex')}`;
  log(`== timeline on ${backend}: ${s.patients} patients × ${s.days} days × ${s.perDay} items a day`);
  const sql =
    backend === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
  try {
    await migrate(sql);
    const now = new Date();
    const t0 = performance.now();
    const { user, patients, rows } = await seed(sql, s, now);
    const seedSeconds = (performance.now() - t0) / 1000;
    log(`  seeded ${rows.toLocaleString('en')} items in ${round(seedSeconds, 1)} s`);

    const newest = await pair(
      rounds,
      async (i) => {
        const page = await listTimeline(sql, {
          patientId: patients[(i * 7919) % patients.length]!,
          userId: user,
          clearance: 'clinical',
          limit: 50,
        });
        if (page.length !== 51) throw new Error(`a page of ${page.length}`);
        return page;
      },
      (i) =>
        sql.query(`SELECT * FROM timeline_items WHERE patient_id = $1 ORDER BY time DESC, id DESC LIMIT 51`, [
          patients[(i * 7919) % patients.length],
        ]),
    );
    log(
      `  newest 50 of a patient: p50 ${round(newest.p50, 2)} ms, p99 ${round(newest.p99, 2)} ms; raw p50 ${round(newest.rawP50, 2)} ms, p99 ${round(newest.rawP99, 2)} ms; p50 ratio ${round(newest.p50 / newest.rawP50, 2)}`,
    );

    let counted = 0;
    const unread = await pair(
      Math.max(20, Math.round(rounds / 2)),
      async () => {
        const r = await unreadOf(sql, user);
        counted = r.reduce((n, x) => n + x.unread, 0);
        return r;
      },
      () =>
        sql.query(
          `SELECT patient_id, sum(unread)::int, max(newest) FROM timeline_unread WHERE user_id = $1 AND unread > 0
            GROUP BY patient_id`,
          [user],
        ),
    );
    log(
      `  unread across ${patients.length} patients (${counted.toLocaleString('en')} unread): p50 ${round(unread.p50, 2)} ms, p99 ${round(unread.p99, 2)} ms; raw p50 ${round(unread.rawP50, 2)} ms, p99 ${round(unread.rawP99, 2)} ms; p50 ratio ${round(unread.p50 / unread.rawP50, 2)}`,
    );
    return {
      backend,
      patients: s.patients,
      days: s.days,
      itemsPerDay: s.perDay,
      rows,
      seedSeconds: round(seedSeconds, 1),
      newest50P50Ms: round(newest.p50, 2),
      newest50P99Ms: round(newest.p99, 2),
      newest50RawP50Ms: round(newest.rawP50, 2),
      newest50RawP99Ms: round(newest.rawP99, 2),
      newest50Ratio: round(newest.p50 / newest.rawP50, 2),
      unreadPatients: patients.length,
      unreadCount: counted,
      unreadP50Ms: round(unread.p50, 2),
      unreadP99Ms: round(unread.p99, 2),
      unreadRawP50Ms: round(unread.rawP50, 2),
      unreadRawP99Ms: round(unread.rawP99, 2),
      unreadRatio: round(unread.p50 / unread.rawP50, 2),
      newest50Within50Ms: newest.p99 < 50,
      unreadWithin100Ms: unread.p99 < 100,
    };
  } finally {
    await sql.close();
    if (backend === 'postgres') await dropTestSchema(schema);
  }
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string, d: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : d;
  };
  const i = args.indexOf('--backend');
  const which = i >= 0 ? args[i + 1] : 'both';
  const rounds = opt('--rounds', 200);
  const perDay = opt('--per-day', 20);
  const team = opt('--team', 200);
  const out: Record<string, unknown> = {};
  if (which === 'both' || which === 'postgres')
    out.postgres = await measure(
      'postgres',
      { patients: opt('--patients', 500), days: opt('--days', 730), perDay, team },
      rounds,
    );
  if (which === 'both' || which === 'pglite') {
    const patients = opt('--pglite-patients', 200);
    out.pglite = await measure(
      'pglite',
      { patients, days: opt('--pglite-days', 120), perDay, team: Math.min(team, patients) },
      rounds,
    );
  }
  return out;
}
