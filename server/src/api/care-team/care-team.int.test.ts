/** Care-team routes through inject(): members from any organisation, roles, clearance, audit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague } from '../../../test-support/colleagues.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { addMembership, createOrganisation, createUser } from '../../storage/repos/people.ts';

interface Member {
  userId: string;
  teamRole: string;
  clearance: string;
  organisationId: string | null;
  profession: string;
}

describe('care-team routes', () => {
  let t: TestApp;
  let adminId: string;
  let patient: string;
  let nurse: Colleague;
  let careWorker: Colleague;
  let doctor: Colleague;
  let pharmacist: { id: string; organisationId: string };
  const team = () => `/api/v1/patients/${patient}/team`;

  beforeAll(async () => {
    t = await buildTestApp();
    adminId = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    patient = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '田中 三郎' })).body.id;
    nurse = await addColleague(t, { email: 'nurse@team.test', profession: 'nurse' });
    careWorker = await addColleague(t, { email: 'helper@team.test', profession: 'care_worker' });
    doctor = await addColleague(t, { email: 'doctor@team.test', profession: 'physician' });
    const pharmacy = await createOrganisation(t.sql, { name: 'Pharmacy', kind: 'pharmacy' });
    const id = await createUser(t.sql, {
      email: 'ph@pharmacy.test',
      displayName: '薬剤師',
      profession: 'pharmacist',
      passwordHash: await hashPassword('pharmacist-password'),
    });
    await addMembership(t.sql, id, pharmacy, 'staff');
    pharmacist = { id, organisationId: pharmacy };
  });
  afterAll(async () => t?.close());

  it('starts with the registering physician as attending physician, on the wire as attending_physician', async () => {
    const r = await t.api<Member[]>('GET', team());
    expect(r.status).toBe(200);
    expect(r.body).toEqual([
      expect.objectContaining({ userId: adminId, teamRole: 'attending_physician', clearance: 'restricted' }),
    ]);
  });

  it('adds members from any organisation with the clearance of their profession', async () => {
    const added = await t.api<Member>('POST', team(), { userId: pharmacist.id });
    expect(added).toEqual({
      status: 201,
      body: expect.objectContaining({
        userId: pharmacist.id,
        teamRole: 'member',
        clearance: 'clinical',
        organisationId: pharmacist.organisationId,
      }),
    });
    expect((await t.api<Member>('POST', team(), { userId: careWorker.id })).body.clearance).toBe('team');
    expect((await t.api<Member>('POST', team(), { userId: nurse.id, teamRole: 'lead' })).body).toMatchObject({
      teamRole: 'lead',
      clearance: 'clinical',
    });
    const patients = await t.api<{ id: string }[]>(
      'GET',
      '/api/v1/patients',
      undefined,
      await t.login('ph@pharmacy.test', 'pharmacist-password'),
    );
    expect(patients.body.map((p) => p.id)).toEqual([patient]);
  });

  it('lets only the attending physician or lead change the team; a member gets 403, a stranger 404', async () => {
    expect((await t.api('POST', team(), { userId: doctor.id }, careWorker.token)).status).toBe(403);
    expect((await t.api('DELETE', `${team()}/${pharmacist.id}`, undefined, careWorker.token)).status).toBe(403);
    expect((await t.api('POST', team(), { userId: doctor.id }, doctor.token)).status).toBe(404);
    expect((await t.api('GET', team(), undefined, doctor.token)).status).toBe(404);
  });

  it("gives at most the caller's own clearance: a clinical lead cannot grant restricted", async () => {
    const r = await t.api<{ error: { message: string } }>(
      'POST',
      team(),
      { userId: careWorker.id, clearance: 'restricted' },
      nurse.token,
    );
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/at most your own clearance \(clinical\)/);
    const ok = await t.api<Member>('POST', team(), { userId: careWorker.id, clearance: 'clinical' }, nurse.token);
    expect(ok).toEqual({ status: 200, body: expect.objectContaining({ clearance: 'clinical' }) });
    // A physician added by the clinical lead gets clinical, not the restricted default.
    expect((await t.api<Member>('POST', team(), { userId: doctor.id }, nurse.token)).body.clearance).toBe('clinical');
  });

  it('makes only a physician or dentist the attending physician', async () => {
    const r = await t.api('POST', team(), { userId: nurse.id, teamRole: 'attending_physician' });
    expect(r.status).toBe(400);
  });

  it('refuses to remove or demote the last attending physician (409), and allows it once there is another', async () => {
    const removed = await t.api<{ error: { code: string; message: string } }>('DELETE', `${team()}/${adminId}`);
    expect(removed.status).toBe(409);
    expect(removed.body.error.message).toMatch(/last attending physician.*add another attending physician first/);
    expect((await t.api('POST', team(), { userId: adminId, teamRole: 'lead' })).status).toBe(409);
    expect((await t.api('POST', team(), { userId: doctor.id, teamRole: 'attending_physician' })).status).toBe(200);
    expect((await t.api('POST', team(), { userId: adminId, teamRole: 'lead' })).status).toBe(200);
  });

  it('removes a member, who then no longer sees the patient; an unknown member is 404', async () => {
    expect((await t.api('GET', `/api/v1/patients/${patient}`, undefined, careWorker.token)).status).toBe(200);
    expect((await t.api('DELETE', `${team()}/${careWorker.id}`)).status).toBe(204);
    expect((await t.api('GET', `/api/v1/patients/${patient}`, undefined, careWorker.token)).status).toBe(404);
    expect((await t.api('DELETE', `${team()}/${careWorker.id}`)).status).toBe(404);
    expect((await t.api('POST', team(), { userId: '00000000-0000-0000-0000-000000000000' })).status).toBe(404);
  });

  it('audits every change with before and after, and reads of the team', async () => {
    const rows = await t.sql.query<{ action: string; target: string; detail: Record<string, unknown> | null }>(
      "SELECT action, target, detail FROM audit_log WHERE patient_id = $1 AND action LIKE 'care_team.%' ORDER BY id",
      [patient],
    );
    const actions = rows.rows.map((r) => r.action);
    expect(actions).toContain('care_team.read');
    expect(actions).toContain('care_team.add');
    expect(actions).toContain('care_team.remove');
    const change = rows.rows.find((r) => r.action === 'care_team.change' && r.target === careWorker.id);
    expect(change?.detail).toEqual({
      before: { teamRole: 'member', clearance: 'team' },
      after: { teamRole: 'member', clearance: 'clinical' },
    });
  });
});
