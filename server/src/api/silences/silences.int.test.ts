/** Silence routes through inject(): validation on the alert clock, set, list, end, scoping and audit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague } from '../../../test-support/colleagues.ts';
import { ManualClock } from '../../alerts/clock.ts';
import { auditTrail } from '../../storage/repos/audit.ts';

type Err = { error: { code: string; message: string } };
type Silence = { id: string; endedAt?: string };

describe('silence routes', () => {
  let t: TestApp;
  let patientId: string;
  let outsider: Colleague;
  const clock = new ManualClock('2026-11-24T00:00:00.000Z');
  const silences = () => `/api/v1/patients/${patientId}/silences`;

  beforeAll(async () => {
    t = await buildTestApp({ alertClock: clock });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    outsider = await addColleague(t, { email: 'outsider@c.test' });
  });
  afterAll(async () => t?.close());

  it.each([
    ['a silence without a reason', { priority: 'high', expiresAt: '2026-11-24T06:00:00.000Z' }, /reason/],
    ['a silence of more than 7 days', { reason: 'too long', expiresAt: '2026-12-24T06:00:00.000Z' }, /7 days at most/],
    ['a silence that has already expired', { reason: 'in the past', expiresAt: '2026-11-23T06:00:00.000Z' }, /future/],
  ])('refuses %s', async (_what, body, message) => {
    const r = await t.api<Err>('POST', silences(), body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(message);
  });

  it('silences a rule up to a priority, lists it, and ends it early', async () => {
    const s = await t.api<Silence>('POST', silences(), {
      rule: 'spo2_low',
      priority: 'medium',
      reason: 'oximeter being replaced',
      expiresAt: '2026-11-24T06:00:00.000Z',
    });
    expect(s).toEqual({
      status: 201,
      body: {
        id: expect.any(String),
        patientId,
        rule: 'spo2_low',
        priority: 'medium',
        reason: 'oximeter being replaced',
        startsAt: '2026-11-24T00:00:00.000Z',
        expiresAt: '2026-11-24T06:00:00.000Z',
        createdBy: expect.any(String),
      },
    });
    const all = await t.api<Silence>('POST', silences(), { reason: 'night visit', expiresAt: '2026-11-24T02:00:00Z' });
    expect(all.body).toMatchObject({ rule: null, priority: 'low' });
    expect((await t.api<Silence[]>('GET', silences())).body.map((x) => x.id).sort()).toEqual(
      [s.body.id, all.body.id].sort(),
    );
    clock.advance(60_000);
    expect((await t.api('DELETE', `/api/v1/silences/${s.body.id}`)).status).toBe(204);
    const ended = (await t.api<Silence[]>('GET', silences())).body.find((x) => x.id === s.body.id)!;
    expect(ended.endedAt).toBe('2026-11-24T00:01:00.000Z');
    const actions = (await auditTrail(t.sql, patientId)).map((x) => x.action).filter((a) => a !== 'patient.read');
    expect(actions.slice(0, 3)).toEqual(['silence.end', 'silence.create', 'silence.create']);
  });

  it('answers a silence of a patient the caller may not see as one that does not exist', async () => {
    const s = await t.api<Silence>('POST', silences(), { reason: 'hidden', expiresAt: '2026-11-24T03:00:00Z' });
    const hidden = await t.api<Err>('DELETE', `/api/v1/silences/${s.body.id}`, undefined, outsider.token);
    const unknown = await t.api<Err>('DELETE', '/api/v1/silences/00000000-0000-4000-8000-000000000000');
    expect(hidden).toEqual(unknown);
    expect(hidden.status).toBe(404);
    expect((await t.api('DELETE', '/api/v1/silences/not-a-uuid')).status).toBe(404);
    expect((await t.api('GET', silences(), undefined, outsider.token)).status).toBe(404);
  });
});
