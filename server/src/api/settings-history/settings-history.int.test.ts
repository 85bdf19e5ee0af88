/** The settings history through inject(): every kind of change, newest first, with reason and author. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague } from '../../../test-support/colleagues.ts';

type Change = {
  id: number;
  what: string;
  before: unknown;
  after: unknown;
  reason: string;
  changedBy: string | null;
  changedByName: string | null;
  changedAt: string;
};

describe('settings history route', () => {
  let t: TestApp;
  let patientId: string;
  let outsider: Colleague;
  const history = (token?: string) =>
    t.api<Change[]>('GET', `/api/v1/patients/${patientId}/alert-settings/history`, undefined, token);

  beforeAll(async () => {
    t = await buildTestApp({ env: { VITALS_ADMIN_NAME: 'Dr. Sato' } });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    outsider = await addColleague(t, { email: 'outsider@c.test' });
  });
  afterAll(async () => t?.close());

  it('starts empty', async () => {
    expect(await history()).toEqual({ status: 200, body: [] });
  });

  it('lists rule, target, schedule and escalation policy changes newest first, with who and why', async () => {
    const me = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    await t.api('PUT', `/api/v1/patients/${patientId}/targets/spo2`, { low: 88, reason: 'COPD' });
    await t.api('PUT', `/api/v1/patients/${patientId}/alert-rules/news2`, { enabled: false, reason: 'palliative' });
    const s = await t.api<{ id: string }>('POST', `/api/v1/patients/${patientId}/schedules`, {
      metric: 'bp_systolic',
      windowStart: '05:00',
      dueTime: '10:00',
      label: 'morning blood pressure',
    });
    await t.api('PUT', `/api/v1/patients/${patientId}/escalation-policy`, {
      reason: 'lead first',
      steps: [{ targets: [{ type: 'team_role', role: 'lead' }], delayMinutes: 10 }],
    });
    const h = await history();
    expect(h.status).toBe(200);
    expect(h.body.map((c) => [c.what, c.reason])).toEqual([
      ['escalation_policy', 'lead first'],
      [`schedule:${s.body.id}`, 'morning blood pressure'],
      ['rule:news2', 'palliative'],
      ['target:spo2', 'COPD'],
    ]);
    expect(h.body[3]).toEqual({
      id: expect.any(Number),
      what: 'target:spo2',
      before: null,
      after: { low: 88 },
      reason: 'COPD',
      changedBy: me,
      changedByName: 'Dr. Sato',
      changedAt: expect.any(String),
    });
    expect(h.body[0]!.after).toEqual({
      steps: [{ targets: [{ type: 'team_role', role: 'lead' }], delayMinutes: 10 }],
      repeatLimit: null,
    });
  });

  it('hides the history of a patient the caller may not see', async () => {
    expect((await history(outsider.token)).status).toBe(404);
  });
});
