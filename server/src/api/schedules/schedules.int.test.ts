/** Measurement schedule routes through inject(): validation, add, list, remove, history and audit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';
import { auditTrail } from '../../storage/repos/audit.ts';

type Err = { error: { code: string; message: string } };

describe('schedule routes', () => {
  let t: TestApp;
  let patientId: string;
  let member: Colleague;
  let outsider: Colleague;
  const schedules = () => `/api/v1/patients/${patientId}/schedules`;

  beforeAll(async () => {
    t = await buildTestApp();
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    member = await addColleague(t, { email: 'member@c.test' });
    await joinCareTeam(t, patientId, member.id, 'member');
    outsider = await addColleague(t, { email: 'outsider@c.test' });
  });
  afterAll(async () => t?.close());

  it.each([
    ['a due time past midnight', { metric: 'bp_systolic', dueTime: '25:00' }, /local times "HH:MM"/],
    [
      'a window that starts after its due time',
      { metric: 'bp_systolic', windowStart: '11:00', dueTime: '10:00' },
      /before dueTime/,
    ],
    ['an unknown metric', { metric: 'mood', dueTime: '10:00' }, /unknown metric/],
    ['a weekday out of range', { metric: 'bp_systolic', dueTime: '10:00', weekdays: [7] }, /weekdays/],
  ])('refuses %s', async (_what, body, message) => {
    const r = await t.api<Err>('POST', schedules(), body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
  });

  it('adds a schedule with its defaults, lists it, and lets any care-team member remove it once', async () => {
    const s = await t.api<{ id: string }>(
      'POST',
      schedules(),
      { metric: 'bp_systolic', dueTime: '10:00' },
      member.token,
    );
    expect(s).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        patientId,
        metric: 'bp_systolic',
        windowStart: '00:00',
        dueTime: '10:00',
        weekdays: [0, 1, 2, 3, 4, 5, 6],
        priority: 'low',
      },
    });
    expect((await t.api('GET', schedules())).body).toEqual([s.body]);
    expect((await t.api('DELETE', `${schedules()}/${s.body.id}`, undefined, member.token)).status).toBe(204);
    expect((await t.api('GET', schedules())).body).toEqual([]);
    expect((await t.api('DELETE', `${schedules()}/${s.body.id}`)).status).toBe(404);
    const h = await t.api<{ what: string; reason: string }[]>(
      'GET',
      `/api/v1/patients/${patientId}/alert-settings/history`,
    );
    expect(h.body.map((x) => [x.what, x.reason])).toEqual([
      [`schedule:${s.body.id}`, 'schedule removed'],
      [`schedule:${s.body.id}`, 'schedule added'],
    ]);
    const actions = (await auditTrail(t.sql, patientId)).map((a) => a.action).filter((a) => a !== 'patient.read');
    expect(actions.slice(0, 2)).toEqual(['schedule.remove', 'schedule.create']);
  });

  it('answers a malformed or unknown schedule id, and a patient the caller may not see, with 404', async () => {
    expect((await t.api('DELETE', `${schedules()}/not-a-uuid`)).status).toBe(404);
    expect((await t.api('DELETE', `${schedules()}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
    expect((await t.api('GET', schedules(), undefined, outsider.token)).status).toBe(404);
    expect((await t.api('POST', schedules(), { metric: 'bp_systolic', dueTime: '10:00' }, outsider.token)).status).toBe(
      404,
    );
  });
});
