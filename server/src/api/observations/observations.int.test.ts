/**
 * Observations through inject(): any member of the care team records what a visit measured,
 * possible ranges and times are enforced naming the field, the values are the patient's
 * readings (named by their recorder, told apart from device values), judged by the alert
 * rules and NEWS2, and corrected only by a new observation that supersedes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';

interface Obs {
  id: string;
  time: string;
  recordedBy: { id: string; displayName: string };
  supersedes?: string;
  supersededBy?: string;
  readings: { id: string; metric: string; value?: number; code?: string; unit: string }[];
}
interface ApiAlert {
  rule: string;
  priority: string;
  detail?: { partial?: boolean; missing?: string[]; parameters?: Record<string, { score: number }> };
}
type Err = { error: { code: string; message: string } };

const MIN = 60_000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

describe('observations recorded by the care team', () => {
  let t: TestApp;
  let nurse: Colleague;
  let outsider: Colleague;
  let patientId: string;
  const path = () => `/api/v1/patients/${patientId}/observations`;

  beforeAll(async () => {
    t = await buildTestApp();
    nurse = await addColleague(t, { email: 'nurse@obs.test', displayName: '看護師 山田', profession: 'nurse' });
    outsider = await addColleague(t, { email: 'other@obs.test', displayName: 'Other', profession: 'nurse' });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎' })).body.id;
    await joinCareTeam(t, patientId, nurse.id, 'member');
  }, 300_000);
  afterAll(async () => t?.close());

  it('stores a whole visit from a plain team member, with the recorder named', async () => {
    const time = ago(30 * MIN);
    const r = await t.api<Obs>(
      'POST',
      path(),
      {
        time,
        readings: [
          { metric: 'bp_systolic', value: 128 },
          { metric: 'bp_diastolic', value: 76 },
          { metric: 'pulse_rate', value: 72 },
          { metric: 'spo2', value: 96 },
          { metric: 'inhaled_oxygen_flow', value: 0 },
          { metric: 'respiratory_rate', value: 16 },
          { metric: 'body_temperature', value: 36.7 },
          { metric: 'consciousness', code: 'A' },
          { metric: 'pain_score', value: 2 },
          { metric: 'body_weight', value: 52.4 },
          { metric: 'glucose', value: 110 },
        ],
      },
      nurse.token,
    );
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      time,
      recordedBy: { id: nurse.id, displayName: '看護師 山田' },
      source: 'observation',
    });
    expect(r.body.readings).toHaveLength(11);
    expect(r.body.readings.find((x) => x.metric === 'consciousness')).toEqual({
      id: `obs:${r.body.id}:consciousness`,
      metric: 'consciousness',
      code: 'A',
      unit: '',
    });
    expect(r.body.readings.find((x) => x.metric === 'spo2')).toMatchObject({ value: 96, unit: '%' });
  });

  it.each([
    ['an impossible SpO2', [{ metric: 'spo2', value: -5 }], 'readings[0]: value -5 is outside spo2'],
    ['a pain score that is not whole', [{ metric: 'pain_score', value: 3.5 }], 'readings[0]: value 3.5 of pain_score'],
    ['a pain score above 10', [{ metric: 'pain_score', value: 11 }], 'readings[0]: value 11 is outside pain_score'],
    ['an oxygen flow above 60 L/min', [{ metric: 'inhaled_oxygen_flow', value: 80 }], 'readings[0]: value 80'],
    [
      'an ACVPU code that does not exist',
      [{ metric: 'consciousness', code: 'X' }],
      'readings[0]: code of consciousness',
    ],
    ['consciousness as a number', [{ metric: 'consciousness', value: 1 }], 'readings[0].code is required'],
    ['a value without a number', [{ metric: 'pulse_rate' }], 'readings[0].value is required for pulse_rate'],
    ['a code on a numeric metric', [{ metric: 'pulse_rate', value: 70, code: 'A' }], 'readings[0]: pulse_rate carries'],
    ['a metric a visit does not record', [{ metric: 'bmi', value: 22 }], 'readings[0].metric "bmi" cannot be recorded'],
    ['an unknown metric', [{ metric: 'mood', value: 3 }], 'readings[0].metric "mood"'],
    [
      'the same metric twice',
      [
        { metric: 'pulse_rate', value: 70 },
        { metric: 'pulse_rate', value: 71 },
      ],
      'readings[1].metric pulse_rate appears twice',
    ],
  ])('refuses %s with a 400 naming the field', async (_n, readings, message) => {
    const r = await t.api<Err>('POST', path(), { readings }, nurse.token);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(message);
  });

  it.each([
    ['in the future', new Date(Date.now() + 3_600_000).toISOString(), 'is in the future'],
    ['before the earliest time kept', '2001-01-01T00:00:00.000Z', 'the earliest time kept'],
  ])('refuses a time %s', async (_n, time, message) => {
    const r = await t.api<Err>('POST', path(), { time, readings: [{ metric: 'pulse_rate', value: 70 }] }, nurse.token);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(message);
  });

  it('answers 404 to someone outside the care team, and stores nothing', async () => {
    const r = await t.api('POST', path(), { readings: [{ metric: 'pulse_rate', value: 70 }] }, outsider.token);
    expect(r.status).toBe(404);
    expect((await t.api('GET', path(), undefined, outsider.token)).status).toBe(404);
  });

  it('shows observation values apart from device values in latest and readings, with the code of a coded metric', async () => {
    const latest = await t.api<{ metrics: Record<string, Record<string, unknown>> }>(
      'GET',
      `/api/v1/patients/${patientId}/latest`,
    );
    expect(latest.body.metrics.consciousness).toMatchObject({
      code: 'A',
      source: 'observation',
      recordedBy: { id: nurse.id, displayName: '看護師 山田' },
    });
    expect(latest.body.metrics.consciousness).not.toHaveProperty('value');
    expect(latest.body.metrics.pulse_rate).toMatchObject({ value: 72, source: 'observation' });
    const readings = await t.api<{ points: Record<string, unknown>[] }>(
      'GET',
      `/api/v1/patients/${patientId}/readings?metric=pulse_rate&from=${ago(3_600_000)}`,
    );
    expect(readings.body.points).toEqual([
      { t: expect.any(String), v: 72, source: 'observation', recordedBy: { id: nurse.id, displayName: '看護師 山田' } },
    ]);
  });

  it('corrects an observation only by a new one that supersedes it: the earlier one is kept, marked and audited', async () => {
    const time = ago(20 * MIN);
    const wrong = await t.api<Obs>(
      'POST',
      path(),
      { time, readings: [{ metric: 'pulse_rate', value: 150 }] },
      nurse.token,
    );
    expect(wrong.status).toBe(201);
    const fixed = await t.api<Obs>(
      'POST',
      path(),
      { supersedes: wrong.body.id, readings: [{ metric: 'pulse_rate', value: 75 }] },
      nurse.token,
    );
    expect(fixed.status).toBe(201);
    // A correction is of what was measured then.
    expect(fixed.body).toMatchObject({ time, supersedes: wrong.body.id });
    const again = await t.api<Err>(
      'POST',
      path(),
      { supersedes: wrong.body.id, readings: [{ metric: 'pulse_rate', value: 76 }] },
      nurse.token,
    );
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain(`already corrected by ${fixed.body.id}`);
    const unknown = await t.api<Err>(
      'POST',
      path(),
      { supersedes: '00000000-0000-4000-8000-000000000000', readings: [{ metric: 'pulse_rate', value: 76 }] },
      nurse.token,
    );
    expect(unknown.status).toBe(404);

    const list = await t.api<{ observations: Obs[] }>('GET', path(), undefined, nurse.token);
    const old = list.body.observations.find((o) => o.id === wrong.body.id)!;
    expect(old).toMatchObject({ supersededBy: fixed.body.id, readings: [{ metric: 'pulse_rate', value: 150 }] });
    expect(old.recordedBy.displayName).toBe('看護師 山田');
    const latest = await t.api<{ metrics: Record<string, { value?: number }> }>(
      'GET',
      `/api/v1/patients/${patientId}/latest`,
    );
    expect(latest.body.metrics.pulse_rate!.value).toBe(75);
    const audit = await t.sql.query<{ action: string; target: string }>(
      "SELECT action, target FROM audit_log WHERE patient_id = $1 AND action LIKE 'observation.%' ORDER BY id",
      [patientId],
    );
    expect(audit.rows).toContainEqual({ action: 'observation.supersede', target: wrong.body.id });
    expect(audit.rows).toContainEqual({ action: 'observation.record', target: fixed.body.id });
  });

  it('lists the observations of a time range only, newest first', async () => {
    const r = await t.api<{ observations: Obs[] }>(
      'GET',
      `${path()}?from=${ago(25 * MIN)}&to=${ago(MIN)}`,
      undefined,
      nurse.token,
    );
    expect(r.status).toBe(200);
    // The correction and the observation it corrected; not the visit 30 minutes ago.
    expect(r.body.observations.map((o) => o.readings.map((x) => x.value))).toEqual([[75], [150]]);
  });

  it('has the alert rules and NEWS2 judge observations: a low SpO2 alerts, and NEWS2 names what is missing', async () => {
    const r = await t.api<Obs>(
      'POST',
      path(),
      {
        readings: [
          { metric: 'spo2', value: 85 },
          { metric: 'consciousness', code: 'V' },
          { metric: 'pulse_rate', value: 118 },
        ],
      },
      nurse.token,
    );
    expect(r.status).toBe(201);
    await t.services.alerts.settled();
    const alerts = await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}`);
    expect(alerts.body.find((a) => a.rule === 'spo2_low')).toMatchObject({ priority: 'high' });
    const news2 = alerts.body.find((a) => a.rule === 'news2');
    // SpO2 85 (3) + consciousness V (3) + pulse 118 (2) + the visit's RR 16, temperature 36.7, systolic 128 (0), on air (0).
    expect(news2).toMatchObject({ priority: 'high', detail: { partial: false } });
    expect(news2!.detail!.parameters!.consciousness).toEqual({ value: 'V', score: 3 });
  });
});
