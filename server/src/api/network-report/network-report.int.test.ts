/**
 * GET /api/v1/reports/network (issue 13) with known numbers: two organisations, two patients,
 * acknowledged alerts and pages delivered, counted per organisation and for the region.
 */
import { randomUUID } from 'node:crypto';
import type { Static } from 'typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';
import { insertAlert } from '../../storage/repos/alerts.ts';
import { addMembership, createOrganisation, createUser } from '../../storage/repos/people.ts';
import type { NetworkReport } from './schemas.ts';

const FROM = '2026-11-01T00:00:00.000Z';
const TO = '2026-11-15T00:00:00.000Z'; // two weeks

describe('the network report', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let nurse1: Colleague;
  let physician1: Colleague;

  beforeAll(async () => {
    t = await buildTestApp();
    const me = await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me');
    orgA = me.body.organisations[0]!.organisationId; // its administrator is a physician
    physician1 = await addColleague(t, { email: 'doc@a.test', profession: 'physician' });
    nurse1 = await addColleague(t, { email: 'n1@a.test', profession: 'nurse' });
    const nurse2 = await addColleague(t, { email: 'n2@a.test', profession: 'nurse' });
    await addColleague(t, { email: 'n3@a.test', profession: 'nurse' });
    await addColleague(t, { email: 'n4@a.test', profession: 'nurse' });
    await addColleague(t, { email: 'cm@a.test', profession: 'care_manager' });
    orgB = await createOrganisation(t.sql, { name: 'Station B', kind: 'nurse_station' });
    const nurseB = await createUser(t.sql, {
      email: 'nb@b.test',
      displayName: 'B',
      profession: 'nurse',
      passwordHash: 'x',
    });
    await addMembership(t.sql, nurseB, orgB, 'staff');

    const p1 = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'P1' })).body.id;
    const p2 = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'P2' })).body.id;
    await joinCareTeam(t, p1, physician1.id, 'member', 'physician');
    await joinCareTeam(t, p1, nurse1.id, 'member');
    await joinCareTeam(t, p1, nurse2.id, 'member');
    await joinCareTeam(t, p2, nurseB, 'member');

    // Three alerts of P1 acknowledged in the period, one before it.
    for (const [i, ackedAt] of [
      '2026-11-02T10:00:00Z',
      '2026-11-05T10:00:00Z',
      '2026-11-14T23:00:00Z',
      '2026-10-20T10:00:00Z',
    ].entries()) {
      const at = new Date(new Date(ackedAt).getTime() - 600_000);
      const a = (await insertAlert(t.sql, {
        patientId: p1,
        rule: 'spo2_low',
        metric: 'spo2',
        priority: 'high',
        state: 'resolved',
        onsetAt: at,
        openedAt: at,
        now: at,
      }))!;
      await t.sql.query('UPDATE alerts SET acknowledged_at = $2 WHERE id = $1', [a.id, ackedAt]);
      // Pages: nurse 1 gets steps 0 and 1 of the first two alerts (step 0 of the first by two
      // channels: still one page); physician 1 gets step 2 of the first two; the fourth is outside.
      const pages: [string, number, string][] =
        i < 2
          ? [
              [nurse1.id, 0, 'email'],
              [nurse1.id, 0, 'webpush'],
              [nurse1.id, 1, 'email'],
              [physician1.id, 2, 'email'],
            ]
          : i === 3
            ? [[nurse1.id, 0, 'email']]
            : [];
      for (const [userId, step, channel] of pages)
        await t.sql.query(
          `INSERT INTO notification_deliveries (idempotency_key, alert_id, patient_id, event, channel, user_id, target,
             payload, status, attempts, max_attempts, next_attempt_at, created_at, delivered_at, step, round)
           VALUES ($1, $2, $3, 'alert.opened', $4, $5, 'x', '{}', 'delivered', 1, 5, $6, $6, $6, $7, 0)`,
          [randomUUID(), a.id, p1, channel, userId, at, step],
        );
    }
  }, 120_000);

  afterAll(async () => t?.close());

  it('counts members per physician, team sizes, posts and acknowledgements per patient-week and pages per paged person per week', async () => {
    // Posts of patient 1: two in the period, one withdrawn, one before it; a system item is no post.
    const patient = (await t.sql.query<{ id: string }>("SELECT id FROM patients WHERE display_name = 'P1'")).rows[0]!
      .id;
    for (const [time, kind, withdrawn] of [
      ['2026-11-02T09:00:00Z', 'post', false],
      ['2026-11-10T09:00:00Z', 'post', false],
      ['2026-11-11T09:00:00Z', 'post', true],
      ['2026-10-30T09:00:00Z', 'post', false],
      ['2026-11-03T09:00:00Z', 'alert', false],
    ] as const)
      await t.sql.query(
        `INSERT INTO timeline_items (id, patient_id, kind, time, sensitivity, withdrawn_at)
         VALUES ($1, $2, $3, $4, 'team', $5)`,
        [randomUUID(), patient, kind, time, withdrawn ? time : null],
      );
    const r = await t.api<Static<typeof NetworkReport>>('GET', `/api/v1/reports/network?from=${FROM}&to=${TO}`);
    expect(r.status).toBe(200);
    expect(r.body.weeks).toBe(2);
    expect(r.body.notice.en).toMatch(/More users or more posts is not success/);
    expect(r.body.organisations).toHaveLength(1);
    const a = r.body.organisations[0]!;
    expect(a.organisationId).toBe(orgA);
    expect(a.indicators).toEqual({
      members: {
        total: 7,
        byProfession: { physician: 2, nurse: 4, care_manager: 1 },
        perPhysician: { physician: 1, nurse: 2, care_manager: 0.5 },
      },
      patients: 2,
      teamSize: { mean: 3, median: 3, min: 2, max: 4 },
      // 2 posts in the period / (2 patients × 2 weeks)
      posts: { available: true, count: 2, perPatientWeek: 0.5, note: expect.stringMatching(/withdrawn/) },
      // 3 acknowledged in the period / (2 patients × 2 weeks)
      acknowledgements: { count: 3, perPatientWeek: 0.75 },
      // nurse 1: 4 pages, physician 1: 2 pages, over 2 weeks
      alarmLoad: { people: 2, pages: 6, perPersonWeek: 1.5, maxPerPersonWeek: 2 },
    });
    // The region adds station B, whose nurse is on P2's team.
    expect(r.body.region.organisations.map((o) => o.organisationId).sort()).toEqual([orgA, orgB].sort());
    expect(r.body.region.indicators.members.byProfession).toEqual({ physician: 2, nurse: 5, care_manager: 1 });
    expect(r.body.region.indicators.members.perPhysician.nurse).toBe(2.5);
    expect(r.body.region.indicators.patients).toBe(2);
  });

  it('is for organisation administrators only', async () => {
    const r = await t.api('GET', '/api/v1/reports/network', undefined, nurse1.token);
    expect(r.status).toBe(403);
  });
});
