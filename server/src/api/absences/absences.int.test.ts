/** Planned absence routes through inject(): validation, plan, list, cancel and audit, on the alert clock. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague } from '../../../test-support/colleagues.ts';
import { ManualClock } from '../../alerts/clock.ts';
import { auditTrail } from '../../storage/repos/audit.ts';

type Err = { error: { code: string; message: string } };
type Absence = { id: string; startsAt: string; cancelledAt?: string };

describe('absence routes', () => {
  let t: TestApp;
  let patientId: string;
  let outsider: Colleague;
  const clock = new ManualClock('2026-11-24T00:00:00.000Z');
  const absences = () => `/api/v1/patients/${patientId}/absences`;

  beforeAll(async () => {
    t = await buildTestApp({ alertClock: clock });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    outsider = await addColleague(t, { email: 'outsider@c.test' });
  });
  afterAll(async () => t?.close());

  it.each([
    [
      'an absence that ends before it starts',
      { endsAt: '2026-11-20T00:00:00.000Z', reason: 'ends before' },
      /after startsAt/,
    ],
    ['an absence without a reason', { endsAt: '2026-11-30T00:00:00.000Z' }, /reason/],
    ['an unknown kind', { kind: 'holiday', endsAt: '2026-11-30T00:00:00.000Z', reason: 'trip' }, /kind/],
    ['an end that is not a time', { endsAt: 'next week', reason: 'trip' }, /endsAt/],
  ])('refuses %s', async (_what, body, message) => {
    const r = await t.api<Err>('POST', absences(), body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
  });

  it('plans an absence from now by default, lists it, and cancels it once', async () => {
    const a = await t.api<Absence>('POST', absences(), {
      kind: 'hospital',
      endsAt: '2026-12-01T00:00:00.000Z',
      reason: 'knee operation',
    });
    expect(a).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        patientId,
        kind: 'hospital',
        startsAt: '2026-11-24T00:00:00.000Z',
        endsAt: '2026-12-01T00:00:00.000Z',
        reason: 'knee operation',
        createdBy: expect.any(String),
      },
    });
    expect((await t.api('GET', absences())).body).toEqual([a.body]);
    clock.advance(3_600_000);
    expect((await t.api('DELETE', `${absences()}/${a.body.id}`)).status).toBe(204);
    expect((await t.api<Absence[]>('GET', absences())).body[0]!.cancelledAt).toBe('2026-11-24T01:00:00.000Z');
    expect((await t.api('DELETE', `${absences()}/${a.body.id}`)).status).toBe(404);
    const actions = (await auditTrail(t.sql, patientId)).map((x) => x.action).filter((a) => a !== 'patient.read');
    expect(actions.slice(0, 2)).toEqual(['absence.cancel', 'absence.create']);
  });

  it('answers a malformed absence id, and a patient the caller may not see, with 404', async () => {
    expect((await t.api('DELETE', `${absences()}/not-a-uuid`)).status).toBe(404);
    expect((await t.api('GET', absences(), undefined, outsider.token)).status).toBe(404);
  });
});
