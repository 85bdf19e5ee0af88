/**
 * `pnpm -s bench access [--backend postgres|pglite] [--patients 500] [--rounds 40]`
 *
 * What the access core (server/src/access/) costs on the read paths, against the same queries
 * without it, in one database and one run (issue 13: at most 1.2×):
 * - latest values of every visible patient (the wall): `listVisiblePatients` (the one
 *   visible-patients fragment) then the latest values, against listing every patient without
 *   the fragment then the same latest values;
 * - a day of one patient's readings at one a minute: the core's check (`patientGrant`, remembered
 *   for 10 s as the access hook does; "cold": asked every time) then the readings, against the
 *   readings alone;
 * - a patient's alerts: the check then the patient's alert list (the route reads it once the core
 *   has checked the patient), against the list alone;
 * - the newest 50 items of a patient's timeline (two years of 20 items a day, a third of them
 *   `clinical`): the check then the page at the caller's clearance (a `team` member: the
 *   sensitivity filter leaves items out), against the same page read with the clearance that reaches
 *   everything and no check.
 * Core and raw runs alternate, so load on a shared machine hits both alike. The audit row the
 * core writes for a read is timed apart (it was written by the handlers before the core too).
 */
import { randomBytes } from 'node:crypto';
import { GrantCache } from '@vitals/server/access/grant-cache.ts';
import { migrate } from '@vitals/server/storage/migrate.ts';
import { openPglite } from '@vitals/server/storage/pglite.ts';
import { openPostgres } from '@vitals/server/storage/postgres.ts';
import { insertAlert, patientAlerts } from '@vitals/server/storage/repos/alerts.ts';
import { audit } from '@vitals/server/storage/repos/audit.ts';
import { ensureDevice } from '@vitals/server/storage/repos/gateways.ts';
import {
  addCareTeamMember,
  createPatient,
  listVisiblePatients,
  patientGrant,
} from '@vitals/server/storage/repos/patients.ts';
import { addMembership, createOrganisation, createUser } from '@vitals/server/storage/repos/people.ts';
import { latestOfPatients, rawPoints } from '@vitals/server/storage/repos/readings.ts';
import { listTimeline } from '@vitals/server/storage/repos/timeline.ts';
import type { Sql } from '@vitals/server/storage/sql.ts';
import { dropTestSchema } from '@vitals/server/test-support/harness.ts';
import { TEST_DATABASE_URL } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

const METRICS = [
  ['spo2', '%', 96],
  ['pulse_rate', '/min', 70],
  ['bp_systolic', 'mm[Hg]', 130],
  ['bp_diastolic', 'mm[Hg]', 80],
  ['body_temperature', 'Cel', 36.5],
] as const;

async function seed(sql: Sql, patients: number) {
  const org = await createOrganisation(sql, { name: 'Bench clinic', kind: 'clinic' });
  const user = await createUser(sql, {
    email: 'b@bench.test',
    displayName: 'B',
    profession: 'physician',
    passwordHash: 'x',
  });
  await addMembership(sql, user, org, 'admin');
  // Someone else's patients too, so the fragment has something to leave out.
  const other = await createUser(sql, {
    email: 'o@bench.test',
    displayName: 'O',
    profession: 'nurse',
    passwordHash: 'x',
  });
  await addMembership(sql, other, org, 'staff');
  await ensureDevice(sql, { id: 'ble:00:00:00:00:00:00' });
  const ids: string[] = [];
  for (let p = 0; p < patients * 1.2; p++) {
    const mine = p < patients;
    const id = await createPatient(sql, { displayName: `Patient ${p}`, organisationId: org, createdBy: user });
    await addCareTeamMember(sql, {
      patientId: id,
      userId: mine ? user : other,
      teamRole: 'attending',
      clearance: 'restricted',
      addedBy: user,
    });
    if (mine) ids.push(id);
    if ((p + 1) % 100 === 0) log(`  ${p + 1} patients`);
  }
  const now = Date.now();
  for (const [k, [metric, unit, value]] of METRICS.entries())
    await sql.query(
      `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, batch_id)
       SELECT 'seed:' || p || ':' || $2 || ':' || i, p, 'ble:00:00:00:00:00:00', 'gw-bench', $2, $3::timestamptz - i * interval '10 minutes',
              $4, $5, 'gateway', 'seed'
         FROM unnest($1::uuid[]) p, generate_series(0, 5) i`,
      [ids, metric, new Date(now - k * 1000), value, unit],
    );
  log('  a day of one SpO2 a minute for patient 0');
  await sql.query(
    `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, batch_id)
     SELECT 'day:' || i, $1, 'ble:00:00:00:00:00:00', 'gw-bench', 'spo2', $2::timestamptz - i * interval '1 minute',
            94 + i % 5, '%', 'gateway', 'day'
       FROM generate_series(1, 1440) i`,
    [ids[0], new Date(now)],
  );
  log('  100 alerts of patient 0, one of every other patient');
  for (let i = 0; i < 100; i++) {
    const t = new Date(now - i * 3_600_000);
    await insertAlert(sql, {
      patientId: ids[0]!,
      rule: 'spo2_low',
      ruleKey: String(i),
      priority: 'medium',
      state: 'resolved',
      onsetAt: t,
      openedAt: t,
      now: t,
    });
  }
  for (const id of ids.slice(1))
    await insertAlert(sql, {
      patientId: id,
      rule: 'spo2_low',
      priority: 'low',
      state: 'firing',
      onsetAt: new Date(now),
      openedAt: new Date(now),
      now: new Date(now),
    });
  log('  two years of timeline items of patient 0 (20 a day)');
  await sql.query(
    `INSERT INTO timeline_items (id, patient_id, kind, time, sensitivity, author_id, body, search_text)
     SELECT gen_random_uuid(), $1, CASE WHEN i % 4 = 0 THEN 'post' ELSE 'alert' END,
            $2::timestamptz - i * interval '72 minutes', CASE WHEN i % 3 = 0 THEN 'clinical' ELSE 'team' END,
            $3, 'item ' || i, 'item ' || i
       FROM generate_series(1, 20 * 730) i`,
    [ids[0], new Date(now), user],
  );
  await sql.query('ANALYZE').catch(() => undefined);
  return { user, patient: ids[0]! };
}

/** p50 of each of two functions, run alternately `rounds` times after a warm-up. */
async function pair(rounds: number, core: () => Promise<unknown>, raw: () => Promise<unknown>) {
  const a: number[] = [];
  const b: number[] = [];
  await core();
  await raw();
  for (let i = 0; i < rounds; i++)
    for (const [f, out] of i % 2
      ? ([
          [raw, b],
          [core, a],
        ] as const)
      : ([
          [core, a],
          [raw, b],
        ] as const)) {
      const t0 = performance.now();
      await f();
      out.push(performance.now() - t0);
    }
  a.sort((x, y) => x - y);
  b.sort((x, y) => x - y);
  return { core: percentile(a, 50), raw: percentile(b, 50) };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const backend = opt('--backend') ?? 'postgres';
  const patients = Number(opt('--patients') ?? 500);
  const rounds = Number(opt('--rounds') ?? 60);
  const schema = `bencha_${randomBytes(5).toString('hex')}`;
  log(`== access core on ${backend}: ${patients} patients, ${rounds} rounds each`);
  const sql =
    backend === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
  try {
    await migrate(sql);
    const { user, patient } = await seed(sql, patients);
    const worker = await createUser(sql, {
      email: 'w@bench.test',
      displayName: 'W',
      profession: 'care_worker',
      passwordHash: 'x',
    });
    const mine = (await listVisiblePatients(sql, user)).map((p) => p.id);

    const wall = await pair(
      rounds,
      async () => {
        const ids = (await listVisiblePatients(sql, user)).map((p) => p.id);
        if (ids.length !== patients) throw new Error(`the core listed ${ids.length} patients`);
        return latestOfPatients(sql, ids);
      },
      async () => {
        // The same columns of the same patients, named by id: what a server without access control would read.
        const r = await sql.query<{ id: string }>(
          `SELECT p.id, p.display_name, to_char(p.birth_date, 'YYYY-MM-DD') AS birth_date, p.timezone,
                  p.organisation_id, p.vitals_sensitivity, p.created_at
             FROM patients p WHERE p.id = ANY($1::uuid[]) ORDER BY p.display_name, p.id`,
          [mine],
        );
        return latestOfPatients(
          sql,
          r.rows.map((x) => x.id),
        );
      },
    );
    log(
      `  latest of ${patients}: core ${round(wall.core, 2)} ms, raw ${round(wall.raw, 2)} ms, ratio ${round(wall.core / wall.raw, 2)}`,
    );

    // The core as the access hook runs it: a member's grant remembered for 10 s (access/grant-cache.ts),
    // so a page's several reads ask once ("warm"); and every read asking the database ("cold").
    const grants = new GrantCache();
    const warmGrant = async (userId: string) => {
      const kept = grants.get(userId, patient);
      if (kept) return kept;
      const g = await patientGrant(sql, userId, patient);
      if (g) grants.set(userId, patient, g);
      return g;
    };
    const coldGrant = (userId: string) => patientGrant(sql, userId, patient);
    const scenario = async (
      name: string,
      userId: string,
      read: (g: NonNullable<Awaited<ReturnType<typeof patientGrant>>>) => Promise<unknown>,
      raw: () => Promise<unknown>,
    ) => {
      const through = (grant: typeof coldGrant) => async () => {
        const g = await grant(userId);
        if (!g?.visible) throw new Error('the core refused the patient');
        return read(g);
      };
      const warm = await pair(rounds, through(warmGrant), raw);
      const cold = await pair(rounds, through(coldGrant), raw);
      log(
        `  ${name}: core ${round(warm.core, 2)} ms (cold ${round(cold.core, 2)}), raw ${round(warm.raw, 2)} ms, ratio ${round(warm.core / warm.raw, 2)} (cold ${round(cold.core / cold.raw, 2)})`,
      );
      return { core: warm.core, raw: warm.raw, coldRatio: cold.core / cold.raw };
    };

    const to = new Date(Date.now() + 60_000);
    const from = new Date(to.getTime() - 86_400_000 - 120_000);
    const readings = await scenario(
      'a day of readings',
      user,
      (g) => rawPoints(sql, g.id, 'spo2', from, to),
      () => rawPoints(sql, patient, 'spo2', from, to),
    );
    const alerts = await scenario(
      "a patient's alerts",
      user,
      (g) => patientAlerts(sql, { patientId: g.id, limit: 200 }),
      () => patientAlerts(sql, { patientId: patient, limit: 200 }),
    );

    // A care worker on the team (clearance team): the sensitivity filter leaves a third out.
    await addCareTeamMember(sql, {
      patientId: patient,
      userId: worker,
      teamRole: 'member',
      clearance: 'team',
      addedBy: user,
    });
    const timeline = await scenario(
      'newest 50 timeline items',
      worker,
      async (g) => {
        const page = await listTimeline(sql, { patientId: g.id, userId: worker, clearance: g.clearance!, limit: 50 });
        if (page.some((i) => i.sensitivity !== 'team')) throw new Error('the core let a clinical item through');
        return page;
      },
      () => listTimeline(sql, { patientId: patient, userId: worker, clearance: 'restricted', limit: 50 }),
    );

    const check = await pair(
      rounds,
      () => patientGrant(sql, user, patient),
      async () => undefined,
    );
    log(`  the core's check of one patient alone: ${round(check.core, 2)} ms (one query)`);

    const auditRow = await pair(
      rounds,
      () => audit(sql, { userId: user, patientId: patient, action: 'readings.read', target: 'spo2', ip: '127.0.0.1' }),
      async () => undefined,
    );
    log(`  the audit row of a read: ${round(auditRow.core, 2)} ms (written before the core too)`);

    return {
      backend,
      patients,
      latestCoreP50Ms: round(wall.core, 2),
      latestRawP50Ms: round(wall.raw, 2),
      latestRatio: round(wall.core / wall.raw, 2),
      readingsCoreP50Ms: round(readings.core, 2),
      readingsRawP50Ms: round(readings.raw, 2),
      readingsRatio: round(readings.core / readings.raw, 2),
      readingsColdRatio: round(readings.coldRatio, 2),
      alertsCoreP50Ms: round(alerts.core, 2),
      alertsRawP50Ms: round(alerts.raw, 2),
      alertsRatio: round(alerts.core / alerts.raw, 2),
      alertsColdRatio: round(alerts.coldRatio, 2),
      timelineCoreP50Ms: round(timeline.core, 2),
      timelineRawP50Ms: round(timeline.raw, 2),
      timelineRatio: round(timeline.core / timeline.raw, 2),
      timelineColdRatio: round(timeline.coldRatio, 2),
      checkP50Ms: round(check.core, 2),
      auditRowP50Ms: round(auditRow.core, 2),
    };
  } finally {
    await sql.close();
    if (backend === 'postgres' && !args.includes('--keep')) await dropTestSchema(schema);
    else if (backend === 'postgres') log(`  kept schema ${schema}`);
  }
}
