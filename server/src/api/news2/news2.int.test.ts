/**
 * GET /patients/{id}/news2 through inject(): the latest device reading or observation of each
 * parameter within the hour before `at`, oxygen and consciousness from observations, the
 * patient's SpO2 scale; what is not known is missing, never assumed normal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';

interface News2 {
  score: number;
  band: string;
  partial: boolean;
  missing: string[];
  parameters: Record<string, { value: number | string; score: number; time: string }>;
  spo2Scale: number;
  time: string;
}

const MIN = 60_000;
const T = Date.now() - 6 * 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const ALL = [
  'respiratoryRate',
  'spo2',
  'airOrOxygen',
  'systolicBloodPressure',
  'pulse',
  'consciousness',
  'temperature',
];

describe('a patient NEWS2 score', () => {
  let t: TestApp;
  let nurse: Colleague;
  let outsider: Colleague;
  let patientId: string;
  let copdId: string;

  const observe = (patient: string, time: number, readings: { metric: string; value?: number; code?: string }[]) =>
    t.api('POST', `/api/v1/patients/${patient}/observations`, { time: iso(time), readings }, nurse.token);
  const score = async (patient: string, at: number) => {
    const r = await t.api<News2>('GET', `/api/v1/patients/${patient}/news2?at=${iso(at)}`, undefined, nurse.token);
    expect(r.status).toBe(200);
    return r.body;
  };

  beforeAll(async () => {
    t = await buildTestApp();
    nurse = await addColleague(t, { email: 'nurse@news2.test', displayName: 'Nurse', profession: 'nurse' });
    outsider = await addColleague(t, { email: 'out@news2.test', displayName: 'Out', profession: 'nurse' });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'A' })).body.id;
    copdId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'COPD' })).body.id;
    for (const p of [patientId, copdId]) await joinCareTeam(t, p, nurse.id, 'member');
    // The administrator registered them as a physician: the attending physician prescribes scale 2.
    expect((await t.api('PATCH', `/api/v1/patients/${copdId}`, { spo2Scale: 2 })).status).toBe(200);

    expect((await observe(patientId, T, [{ metric: 'spo2', value: 85 }])).status).toBe(201);
    await observe(patientId, T + 10 * MIN, [
      { metric: 'respiratory_rate', value: 22 },
      { metric: 'consciousness', code: 'A' },
      { metric: 'inhaled_oxygen_flow', value: 2 },
      { metric: 'bp_systolic', value: 120 },
      { metric: 'pulse_rate', value: 80 },
      { metric: 'body_temperature', value: 37 },
    ]);
    await observe(patientId, T + 20 * MIN, [{ metric: 'consciousness', code: 'C' }]);
    await observe(copdId, T, [
      { metric: 'spo2', value: 95 },
      { metric: 'pulse_rate', value: 80 },
    ]);
    await observe(copdId, T + 10 * MIN, [{ metric: 'inhaled_oxygen_flow', value: 0 }]);
    await observe(copdId, T + 20 * MIN, [{ metric: 'inhaled_oxygen_flow', value: 2 }]);
  }, 300_000);
  afterAll(async () => t?.close());

  it('is 0, low and partial with every parameter missing when nothing is known', async () => {
    expect(await score(patientId, T - MIN)).toEqual({
      score: 0,
      band: 'low',
      partial: true,
      missing: ALL,
      parameters: {},
      spo2Scale: 1,
      time: iso(T - MIN),
    });
  });

  it('surfaces a single red parameter as low-medium while the others are missing', async () => {
    const r = await score(patientId, T + MIN);
    expect(r).toMatchObject({ score: 3, band: 'low-medium', partial: true });
    expect(r.parameters).toEqual({ spo2: { value: 85, score: 3, time: iso(T) } });
    expect(r.missing).toEqual(ALL.filter((p) => p !== 'spo2'));
  });

  it.each([
    // [minutes after T, score, band, consciousness]
    [10, 3 + 2 + 2, 'high', 'A'], // SpO2 85 (3), RR 22 (2), oxygen (2)
    [20, 3 + 2 + 2 + 3, 'high', 'C'], // new confusion (3) from the latest assessment
  ])(
    'scores everything known %d minutes on, with oxygen and consciousness from observations',
    async (m, s, band, code) => {
      const r = await score(patientId, T + m * MIN);
      expect(r).toMatchObject({ score: s, band, partial: false, missing: [] });
      expect(r.parameters.airOrOxygen).toEqual({ value: 2, score: 2, time: iso(T + 10 * MIN) });
      expect(r.parameters.consciousness!.value).toBe(code);
    },
  );

  it('forgets values older than an hour: consciousness is missing again, never assumed alert', async () => {
    const r = await score(patientId, T + 75 * MIN);
    expect(r.missing).toEqual([
      'respiratoryRate',
      'spo2',
      'airOrOxygen',
      'systolicBloodPressure',
      'pulse',
      'temperature',
    ]);
    expect(r.parameters).toEqual({ consciousness: { value: 'C', score: 3, time: iso(T + 20 * MIN) } });
    expect(r.band).toBe('low-medium');
  });

  it.each([
    [5, 'oxygen unknown: SpO2 95 % cannot be scored on scale 2', undefined, ['spo2', 'airOrOxygen']],
    [15, 'on air: 95 % scores 0', 0, []],
    [25, 'on oxygen: 95 % scores 2', 2, []],
  ])('scores SpO2 on scale 2 %d minutes on (%s)', async (m, _n, spo2Points, missing) => {
    const r = await score(copdId, T + m * MIN);
    expect(r.spo2Scale).toBe(2);
    expect(r.parameters.spo2?.score).toBe(spo2Points);
    for (const p of missing) expect(r.missing).toContain(p);
    if (missing.length === 0) expect(r.missing).not.toContain('spo2');
  });

  it.each([
    ['a time that is not ISO 8601', `/api/v1/patients/PID/news2?at=yesterday`, 400],
    ['someone outside the care team', `/api/v1/patients/PID/news2`, 404],
  ])('answers %s with an error', async (_n, url, status) => {
    const token = status === 404 ? outsider.token : nurse.token;
    expect((await t.api('GET', url.replace('PID', patientId), undefined, token)).status).toBe(status);
  });
});
