/**
 * Observations as readings on both backends: a coded consciousness and an oxygen flow reach
 * NEWS2's latest values, the latest values name the recorder, and a superseded observation
 * leaves NEWS2 and the latest values while its rows stay as they were recorded.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropTestSchema, TEST_DATABASE_URL } from '../../../test-support/harness.ts';
import { UNFIT_FLAGS } from '../../alerts/rules.ts';
import { migrate } from '../migrate.ts';
import { openPglite } from '../pglite.ts';
import { openPostgres } from '../postgres.ts';
import type { Sql } from '../sql.ts';
import { valuesNear } from './alert-readings.ts';
import { insertObservation, listObservations, markSuperseded } from './observations.ts';
import { createPatient } from './patients.ts';
import { createOrganisation, createUser } from './people.ts';
import { latestOfPatient } from './readings.ts';

const AT = Date.parse('2026-11-24T03:00:00.000Z');
const MIN = 60_000;

describe.each(['pglite', 'postgres'] as const)('observations stored as readings on %s', (kind) => {
  let sql: Sql;
  const schema = `s_${randomBytes(6).toString('hex')}`;
  let patient: string;
  let nurse: string;

  beforeAll(async () => {
    sql = kind === 'pglite' ? await openPglite('memory://') : await openPostgres({ url: TEST_DATABASE_URL, schema });
    await migrate(sql);
    const org = await createOrganisation(sql, { name: 'Station', kind: 'nurse_station' });
    nurse = await createUser(sql, { email: `${randomUUID()}@x.test`, displayName: '看護師 山田', passwordHash: 'x' });
    patient = await createPatient(sql, { displayName: '佐藤', organisationId: org, createdBy: nurse });
  });
  afterAll(async () => {
    await sql?.close();
    if (kind === 'postgres') await dropTestSchema(schema);
  });

  const record = (
    time: number,
    readings: { metric: string; unit: string; value?: number; code?: string }[],
    supersedes?: string,
  ) => {
    const id = randomUUID();
    return sql.transaction(async (tx) => {
      if (supersedes) await markSuperseded(tx, patient, supersedes);
      await insertObservation(tx, {
        id,
        patientId: patient,
        time: new Date(time),
        recordedBy: nurse,
        ...(supersedes ? { supersedes } : {}),
        readings,
      });
      return id;
    });
  };
  const near = async (at: number) =>
    Object.fromEntries(
      (
        (
          await valuesNear(
            sql,
            [{ patientId: patient, at: new Date(at) }],
            ['consciousness', 'inhaled_oxygen_flow', 'respiratory_rate'],
            60 * MIN,
            [...UNFIT_FLAGS],
          )
        ).get(`${patient}|${at}`) ?? []
      ).map((v) => [v.metric, v.code ?? v.value]),
    );

  it('gives NEWS2 the ACVPU code and the oxygen flow of an observation, and the latest values name the recorder', async () => {
    await record(AT - 10 * MIN, [
      { metric: 'consciousness', unit: '', code: 'V' },
      { metric: 'inhaled_oxygen_flow', unit: 'L/min', value: 2 },
      { metric: 'respiratory_rate', unit: '/min', value: 26 },
    ]);
    expect(await near(AT)).toEqual({ consciousness: 'V', inhaled_oxygen_flow: 2, respiratory_rate: 26 });
    const latest = await latestOfPatient(sql, patient);
    expect(latest.consciousness).toEqual({
      code: 'V',
      unit: '',
      time: new Date(AT - 10 * MIN).toISOString(),
      source: 'observation',
      recordedBy: { id: nurse, displayName: '看護師 山田' },
    });
    expect(latest.inhaled_oxygen_flow).toMatchObject({ value: 2, source: 'observation' });
  });

  it('leaves a superseded observation out of NEWS2 and the latest values, and keeps its rows as recorded', async () => {
    const wrong = await record(AT - 5 * MIN, [
      { metric: 'consciousness', unit: '', code: 'U' },
      { metric: 'respiratory_rate', unit: '/min', value: 6 },
    ]);
    expect(await near(AT)).toMatchObject({ consciousness: 'U', respiratory_rate: 6 });
    const fixed = await record(AT - 5 * MIN, [{ metric: 'consciousness', unit: '', code: 'A' }], wrong);
    // The corrected respiratory rate falls back to the one before; consciousness is the correction.
    expect(await near(AT)).toEqual({ consciousness: 'A', inhaled_oxygen_flow: 2, respiratory_rate: 26 });
    const latest = await latestOfPatient(sql, patient);
    expect(latest.respiratory_rate).toMatchObject({ value: 26, time: new Date(AT - 10 * MIN).toISOString() });
    expect(latest.consciousness).toMatchObject({ code: 'A' });
    const listed = await listObservations(sql, patient, new Date(AT - 60 * MIN), new Date(AT));
    const old = listed.find((x) => x.observation.id === wrong)!;
    expect(old.observation.superseded_by).toBe(fixed);
    expect(old.readings.map((r) => [r.metric, r.code ?? r.value])).toEqual([
      ['consciousness', 'U'],
      ['respiratory_rate', 6],
    ]);
    expect(listed.find((x) => x.observation.id === fixed)!.observation.supersedes).toBe(wrong);
  });

  it('refuses a second correction of the same observation', async () => {
    const first = await record(AT - 3 * MIN, [{ metric: 'respiratory_rate', unit: '/min', value: 30 }]);
    await record(AT - 3 * MIN, [{ metric: 'respiratory_rate', unit: '/min', value: 20 }], first);
    await expect(
      record(AT - 3 * MIN, [{ metric: 'respiratory_rate', unit: '/min', value: 18 }], first),
    ).rejects.toThrow();
  });
});
