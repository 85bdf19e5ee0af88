/**
 * PATCH /patients/{id} through inject(): name and timezone by the attending physician or the
 * lead, the SpO2 scale and vitals sensitivity by the attending physician alone, 404 for someone
 * who may not see the patient, IANA zones checked, every change audited with before and after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague, joinCareTeam } from '../../../test-support/colleagues.ts';

type Err = { error: { code: string; message: string } };

describe('changing a patient', () => {
  let t: TestApp;
  let patientId: string;
  const people: Record<'attending' | 'lead' | 'member' | 'outsider', Colleague> = {} as never;

  beforeAll(async () => {
    t = await buildTestApp();
    // A nurse registers the patient (and so leads the team); the doctor is added as attending physician.
    people.lead = await addColleague(t, { email: 'lead@patch.test', displayName: 'Lead', profession: 'nurse' });
    people.attending = await addColleague(t, { email: 'dr@patch.test', displayName: 'Dr', profession: 'physician' });
    people.member = await addColleague(t, { email: 'cw@patch.test', displayName: 'CW', profession: 'care_worker' });
    people.outsider = await addColleague(t, { email: 'out@patch.test', displayName: 'Out', profession: 'physician' });
    patientId = (
      await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '田中 花子' }, people.lead.token)
    ).body.id;
    await joinCareTeam(t, patientId, people.attending.id, 'attending', 'physician');
    await joinCareTeam(t, patientId, people.member.id, 'member', 'care_worker');
  }, 300_000);
  afterAll(async () => t?.close());

  const patch = (who: keyof typeof people, body: unknown) =>
    t.api<Err & Record<string, unknown>>('PATCH', `/api/v1/patients/${patientId}`, body, people[who].token);

  it.each([
    ['member', { displayName: 'x' }, 403],
    ['attending', { spo2Scale: 2 }, 200],
    ['attending', { vitalsSensitivity: 'clinical' }, 200],
    ['attending', { displayName: '田中 花子さん', timezone: 'Asia/Tokyo' }, 200],
    ['lead', { displayName: '田中 花子', timezone: 'Europe/London' }, 200],
    ['lead', { spo2Scale: 1 }, 403],
    ['lead', { vitalsSensitivity: 'team' }, 403],
    ['outsider', { displayName: 'x' }, 404],
    ['outsider', { spo2Scale: 1 }, 404],
  ] as const)('answers the %s changing %j with %d', async (who, body, status) => {
    const r = await patch(who, body);
    expect(r.status).toBe(status);
    if (status === 200) expect(r.body).toMatchObject(body);
  });

  it('says who may change the SpO2 scale', async () => {
    const r = await patch('lead', { spo2Scale: 1 });
    expect(r.body.error.message).toBe('only the attending physician of this patient can change spo2Scale; ask them to');
  });

  it.each([
    [{ timezone: 'Mars/Olympus' }, 'timezone must be an IANA time zone'],
    [{ spo2Scale: 3 }, 'spo2Scale'],
    [{ vitalsSensitivity: 'secret' }, 'vitalsSensitivity'],
    [{}, ''],
    [{ birthDate: '1940-01-01' }, ''],
  ])('refuses %j with a 400', async (body, message) => {
    const r = await patch('attending', body);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toContain(message);
  });

  it('shows the changes on the patient and audits each with before and after', async () => {
    const r = await t.api<Record<string, unknown>>(
      'GET',
      `/api/v1/patients/${patientId}`,
      undefined,
      people.attending.token,
    );
    expect(r.body).toMatchObject({
      displayName: '田中 花子',
      timezone: 'Europe/London',
      spo2Scale: 2,
      vitalsSensitivity: 'clinical',
    });
    const audit = await t.sql.query<{
      user_id: string;
      detail: { before: { spo2Scale: number }; after: { spo2Scale: number } };
    }>("SELECT user_id, detail FROM audit_log WHERE patient_id = $1 AND action = 'patient.update' ORDER BY id", [
      patientId,
    ]);
    expect(audit.rows).toHaveLength(4);
    expect(audit.rows[0]).toMatchObject({
      user_id: people.attending.id,
      detail: { before: { spo2Scale: 1 }, after: { spo2Scale: 2 } },
    });
  });

  it('hides the vitals from a member whose clearance no longer reaches them', async () => {
    // The care worker's clearance is `team`; the attending physician raised the vitals to `clinical`.
    expect((await t.api('GET', `/api/v1/patients/${patientId}`, undefined, people.member.token)).status).toBe(404);
  });
});
