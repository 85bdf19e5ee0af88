/**
 * `pnpm -s bench fhir [--backend postgres|pglite] [--patients 500] [--days 30] [--rounds 100] [--no-export] [--explain]`
 *
 * The FHIR R4 API (issue 17) on the real app through inject(), on PostgreSQL by default:
 * - a searchset page of 1,000 Observations (`/fhir/R4/Observation?patient=&_count=1000`, paged
 *   through a patient's day of one SpO2 and one pulse rate a minute): p50/p99, against the raw
 *   SQL that reads the same number of rows and serialises them (the ratio says what the access
 *   check, audit row, PHD mapping and FHIR JSON cost);
 * - a bulk export of every patient (`Group/{organisation}/$export`; by default 500 patients × 30
 *   days of two cuff inflations and one SpO2 a day): kick-off to complete manifest, then every
 *   NDJSON file downloaded; each Observation checked against the PHD IG rules and a sample
 *   validated against the FHIR R4 JSON schema.
 */
import { randomBytes } from 'node:crypto';
import { addCareTeamMember, createPatient } from '@vitals/server/storage/repos/patients.ts';
import { buildTestApp, type TestApp } from '@vitals/server/test-support/app.ts';
import { phdProblems, schemaProblems } from '@vitals/server/test-support/fhir-validation.ts';
import { dropTestSchema } from '@vitals/server/test-support/harness.ts';

type Observation = Parameters<typeof phdProblems>[0];
type Resource = { resourceType: string };

import { TEST_DATABASE_URL } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

async function seed(t: TestApp, patients: number, days: number) {
  const { sql } = t;
  const me = await t.api<{ id: string; organisations: { organisationId: string }[] }>('GET', '/api/v1/me');
  const user = me.body.id;
  const org = me.body.organisations[0]!.organisationId;
  await sql.query(`INSERT INTO gateways (id, organisation_id, secret_hash) VALUES ('gw-bench', $1, 'x')`, [org]);
  const ids: string[] = [];
  for (let p = 0; p < patients; p++) {
    const id = await createPatient(sql, { displayName: `Patient ${p}`, organisationId: org, createdBy: user });
    await addCareTeamMember(sql, {
      patientId: id,
      userId: user,
      teamRole: 'attending',
      clearance: 'restricted',
      addedBy: user,
    });
    ids.push(id);
    if ((p + 1) % 100 === 0) log(`  ${p + 1} patients`);
  }
  // One cuff and one oximeter per patient, bound from before the readings.
  await sql.query(
    `INSERT INTO devices (id, gateway_id, model, organisation_id)
     SELECT 'ble:bench:' || n || ':' || k, 'gw-bench', CASE k WHEN 0 THEN 'UA-651BLE' ELSE 'PO60' END, $2
       FROM generate_series(0, cardinality($1::uuid[]) - 1) n, generate_series(0, 1) k`,
    [ids, org],
  );
  await sql.query(
    `INSERT INTO bindings (id, device_id, patient_id, valid_from)
     SELECT gen_random_uuid(), 'ble:bench:' || (n - 1) || ':' || k, p, now() - interval '400 days'
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(p, n), generate_series(0, 1) k`,
    [ids],
  );
  const start = Date.now() - days * 86_400_000;
  log(`  ${days} days of readings: two cuff inflations (systolic, diastolic, mean, pulse) and one SpO2 a day`);
  for (const [metric, unit, value, k] of [
    ['bp_systolic', 'mm[Hg]', 'round((120 + d % 30)::numeric * 7.500615 / 7.5, 6)', 0],
    ['bp_diastolic', 'mm[Hg]', '75 + d % 10 + 0.0123', 0],
    ['bp_mean', 'mm[Hg]', '92.3333333333', 0],
    ['pulse_rate', '/min', '60 + d % 25', 0],
    ['spo2', '%', '95 + d % 4', 1],
  ] as const)
    await sql.query(
      `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, group_id, batch_id, received_at)
       SELECT 'b:' || n || ':' || d || ':' || h || ':' || $2, p, 'ble:bench:' || (n - 1) || ':' || $5::int, 'gw-bench', $2,
              to_timestamp($3::float8 / 1000) + d * interval '1 day' + h * interval '12 hours' + $5::int * interval '1 minute',
              ${value}, $4, 'device', 'g:' || n || ':' || d || ':' || h, 'bench', now()
         FROM unnest($1::uuid[]) WITH ORDINALITY AS u(p, n), generate_series(0, ${days - 1}) d, generate_series(0, ${k === 1 ? 0 : 1}) h`,
      [ids, metric, start, unit, k],
    );
  log('  patient 0: a day of one SpO2 and one pulse rate a minute (a continuous oximeter)');
  for (const [metric, unit] of [
    ['spo2', '%'],
    ['pulse_rate', '/min'],
  ] as const)
    await sql.query(
      `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, batch_id, flags)
       SELECT 'c:' || i || ':' || $2, $1, 'ble:bench:0:1', 'gw-bench', $2, now() - interval '2 days' + i * interval '1 minute',
              90 + (i % 90) / 10.0, $3, 'device', 'bench', '{continuous}'
         FROM generate_series(0, 1439) i`,
      [ids[0], metric, unit],
    );
  await sql.query('ANALYZE').catch(() => undefined);
  return { ids, org };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const backend = opt('--backend') ?? 'postgres';
  const patients = Number(opt('--patients') ?? 500);
  const days = Number(opt('--days') ?? 30);
  const rounds = Number(opt('--rounds') ?? 100);
  const skipExport = args.includes('--no-export');
  const schema = `benchf_${randomBytes(5).toString('hex')}`;
  log(`== FHIR on ${backend}: ${patients} patients × ${days} days, ${rounds} search rounds`);
  const t = await buildTestApp({
    env: backend === 'postgres' ? { VITALS_DATABASE_URL: TEST_DATABASE_URL, VITALS_DATABASE_SCHEMA: schema } : {},
  });
  try {
    const t0 = performance.now();
    const { ids, org } = await seed(t, patients, days);
    log(`  seeded in ${round((performance.now() - t0) / 1000, 1)} s`);
    const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${t.token}` } });

    // A page of 1,000 Observations, and the raw rows it is made of.
    const searchUrl = `/fhir/R4/Observation?patient=${ids[0]}&_count=1000&date=ge${new Date(Date.now() - 3 * 86_400_000).toISOString()}`;
    const first = await get(searchUrl);
    const entries = (JSON.parse(first.body) as { entry?: unknown[] }).entry?.length ?? 0;
    if (first.statusCode !== 200 || entries !== 1000)
      throw new Error(`the search gave ${first.statusCode} with ${entries} entries`);
    const raw = async () => {
      const r = await t.sql.query(
        `SELECT id, patient_id, device_id, gateway_id, metric, time, value, code, unit, time_source, flags, group_id, received_at
           FROM readings WHERE patient_id = $1 AND time >= $2 ORDER BY time, id LIMIT 1000`,
        [ids[0], new Date(Date.now() - 3 * 86_400_000)],
      );
      return JSON.stringify(r.rows).length;
    };
    if (args.includes('--explain')) {
      const plan = await t.sql.query<{ 'QUERY PLAN': string }>(
        `EXPLAIN ANALYZE SELECT r.id, r.patient_id, r.device_id, r.gateway_id, r.metric, r.time, r.value, r.code, r.unit,
                r.time_source, r.flags, r.group_id, r.received_at, r.recorded_by
           FROM readings r WHERE r.patient_id = $1 AND r.time >= $2 ORDER BY r.time, r.id LIMIT 1251`,
        [ids[0], new Date(Date.now() - 3 * 86_400_000)],
      );
      for (const row of plan.rows) log(`  | ${row['QUERY PLAN']}`);
    }
    const fhirTimes: number[] = [];
    const rawTimes: number[] = [];
    await raw();
    for (let i = 0; i < rounds; i++) {
      for (const [f, out] of i % 2
        ? ([
            [raw, rawTimes],
            [() => get(searchUrl), fhirTimes],
          ] as const)
        : ([
            [() => get(searchUrl), fhirTimes],
            [raw, rawTimes],
          ] as const)) {
        const s = performance.now();
        await f();
        out.push(performance.now() - s);
      }
      if ((i + 1) % 25 === 0) log(`  search round ${i + 1}/${rounds}`);
    }
    fhirTimes.sort((a, b) => a - b);
    rawTimes.sort((a, b) => a - b);
    const search = {
      p50: round(percentile(fhirTimes, 50), 1),
      p99: round(percentile(fhirTimes, 99), 1),
      rawP50: round(percentile(rawTimes, 50), 1),
      rawP99: round(percentile(rawTimes, 99), 1),
    };
    const ratio = round(search.p50 / search.rawP50, 1);
    log(
      `  page of 1,000 Observations: p50 ${search.p50} ms, p99 ${search.p99} ms; raw SQL p50 ${search.rawP50} ms (ratio ${ratio})`,
    );

    if (skipExport)
      return { backend, patients, days, searchPage1000: { ...search, ratioP50: ratio, targetP99Ms: 200 } };

    // Bulk export of every patient.
    const e0 = performance.now();
    const kick = await get(`/fhir/R4/Group/${org}/$export?_type=Patient,Observation,Device`);
    if (kick.statusCode !== 202) throw new Error(`kick-off: ${kick.statusCode} ${kick.body}`);
    const status = new URL(String(kick.headers['content-location'])).pathname;
    let s = await get(status);
    while (s.statusCode === 202) {
      log(`  export: ${s.headers['x-progress']}`);
      await new Promise((r) => setTimeout(r, 250));
      s = await get(status);
    }
    if (s.statusCode !== 200) throw new Error(`export status: ${s.statusCode} ${s.body}`);
    const manifestMs = performance.now() - e0;
    const manifest = JSON.parse(s.body) as { output: { type: string; url: string }[] };
    let lines = 0;
    let bytes = 0;
    let observations = 0;
    const problems: string[] = [];
    const sample: Resource[] = [];
    for (const [n, o] of manifest.output.entries()) {
      const f = await get(new URL(o.url).pathname);
      if (f.statusCode !== 200) throw new Error(`file ${o.url}: ${f.statusCode}`);
      bytes += f.rawPayload.length;
      for (const line of f.body.split('\n')) {
        if (!line) continue;
        lines++;
        const r = JSON.parse(line) as Resource;
        if (r.resourceType === 'Observation') {
          observations++;
          problems.push(...phdProblems(r as Observation));
        }
        if (lines % 97 === 0) sample.push(r);
      }
      if ((n + 1) % 10 === 0) log(`  downloaded ${n + 1}/${manifest.output.length} files`);
    }
    const exportMs = performance.now() - e0;
    const schemaErrors = sample.flatMap((r) => schemaProblems(r));
    const expected = patients * days * 5 + 2880;
    log(
      `  export of ${patients} patients: manifest in ${round(manifestMs / 1000, 1)} s, all ${manifest.output.length} files in ${round(exportMs / 1000, 1)} s; ${lines} resources (${observations} Observations, ${expected} expected), ${round(bytes / 1e6, 1)} MB`,
    );
    log(
      `  PHD IG problems: ${problems.length}; FHIR schema problems in a sample of ${sample.length}: ${schemaErrors.length}`,
    );
    if (problems.length || schemaErrors.length)
      log(`  first problems: ${[...problems, ...schemaErrors].slice(0, 5).join('; ')}`);
    return {
      backend,
      patients,
      days,
      searchPage1000: { ...search, ratioP50: ratio, targetP99Ms: 200 },
      export: {
        manifestSeconds: round(manifestMs / 1000, 2),
        totalSeconds: round(exportMs / 1000, 2),
        files: manifest.output.length,
        resources: lines,
        observations,
        expectedObservations: expected,
        megabytes: round(bytes / 1e6, 1),
        phdProblems: problems.length,
        schemaSample: sample.length,
        schemaProblems: schemaErrors.length,
      },
    };
  } finally {
    await t.close();
    if (backend === 'postgres') await dropTestSchema(schema);
  }
}
