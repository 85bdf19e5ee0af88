/**
 * GET /api/v1/audit and its CSV export (issue 13): organisation administrators read the rows of
 * their organisation and of the patients it registered or has a member on the care team of;
 * another organisation's administrator sees none of them; reading is itself audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague } from '../../../test-support/colleagues.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { audit } from '../../storage/repos/audit.ts';
import { addCareTeamMember } from '../../storage/repos/patients.ts';
import { addMembership, createOrganisation, createUser } from '../../storage/repos/people.ts';

interface Entry {
  id: number;
  time: string;
  userId: string | null;
  organisationId?: string;
  patientId?: string;
  action: string;
  target?: string;
  detail?: unknown;
}

describe('the audit log for organisation administrators', () => {
  let t: TestApp;
  let orgA: string;
  let orgB: string;
  let adminA: string;
  let nurseA: Colleague;
  let patientA: string;
  let adminB: { id: string; token: string };
  let nurseB: string;

  beforeAll(async () => {
    t = await buildTestApp();
    const me = await t.api<{ id: string; organisations: { organisationId: string }[] }>('GET', '/api/v1/me');
    adminA = me.body.id;
    orgA = me.body.organisations[0]!.organisationId;
    nurseA = await addColleague(t, { email: 'nurse@a.test', displayName: '看護師の山田さん' });
    patientA = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Takahashi Jiro' })).body.id;
    orgB = await createOrganisation(t.sql, { name: 'Station B', kind: 'nurse_station' });
    const password = 'admin-b-password-1';
    const idB = await createUser(t.sql, {
      email: 'admin@b.test',
      displayName: 'Admin B',
      passwordHash: await hashPassword(password),
    });
    await addMembership(t.sql, idB, orgB, 'admin');
    adminB = { id: idB, token: await t.login('admin@b.test', password) };
    nurseB = await createUser(t.sql, { email: 'nurse@b.test', displayName: 'Nurse B', passwordHash: 'x' });
    await addMembership(t.sql, nurseB, orgB, 'staff');
    await audit(t.sql, { userId: nurseA.id, patientId: patientA, action: 'patient.read.latest', ip: '192.0.2.10' });
    await audit(t.sql, { userId: nurseA.id, action: 'auth.login.ok', ip: '192.0.2.10' });
    await audit(t.sql, {
      userId: nurseA.id,
      patientId: patientA,
      action: 'patient.note',
      target: '=HYPERLINK("http://evil.test","看護記録")',
    });
    await audit(t.sql, { userId: nurseB, action: 'auth.login.ok', ip: '198.51.100.2' });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  const list = (query: string, token?: string) => t.api<Entry[]>('GET', `/api/v1/audit${query}`, undefined, token);

  it("shows an administrator their organisation's rows, with the organisation and patient of each", async () => {
    const r = await list('');
    expect(r.status).toBe(200);
    const actions = r.body.map((e) => `${e.userId === nurseA.id ? 'nurseA' : e.userId}:${e.action}`);
    expect(actions).toEqual(expect.arrayContaining(['nurseA:patient.read.latest', 'nurseA:auth.login.ok']));
    const read = r.body.find((e) => e.action === 'patient.read.latest')!;
    expect(read).toMatchObject({ organisationId: orgA, patientId: patientA, ip: '192.0.2.10' });
    expect(r.body.some((e) => e.userId === nurseB)).toBe(false);
    // Newest first.
    expect(r.body.map((e) => e.id)).toEqual([...r.body.map((e) => e.id)].sort((a, b) => b - a));
  });

  it("shows another organisation's administrator none of its rows, in JSON or CSV", async () => {
    const r = await list('?limit=1000', adminB.token);
    expect(r.status).toBe(200);
    expect(r.body.filter((e) => e.organisationId === orgA || e.patientId === patientA)).toEqual([]);
    expect(r.body.some((e) => e.userId === nurseB && e.action === 'auth.login.ok')).toBe(true);
    const byPatient = await list(`?patientId=${patientA}`, adminB.token);
    expect(byPatient.body).toEqual([]);
    const csv = await t.app.inject({ url: '/api/v1/audit.csv', headers: { authorization: `Bearer ${adminB.token}` } });
    expect(csv.statusCode).toBe(200);
    // Only B's administrator's own search names the patient (and shows A who looked).
    const lines = csv.body.split('\r\n').filter((l) => !l.includes(`"${adminB.id}"`));
    expect(lines.filter((l) => l.includes(patientA) || l.includes(nurseA.id) || l.includes(orgA))).toEqual([]);
    expect((await list(`?userId=${adminB.id}`)).body.map((e) => e.action)).toContain('audit.read');
  });

  it('shows an administrator the rows of a patient once a member of their organisation joins its care team', async () => {
    await addCareTeamMember(t.sql, {
      patientId: patientA,
      userId: nurseB,
      teamRole: 'member',
      clearance: 'clinical',
      addedBy: adminA,
    });
    try {
      const r = await list(`?patientId=${patientA}`, adminB.token);
      expect(r.body.map((e) => e.action)).toEqual(expect.arrayContaining(['patient.read.latest', 'patient.note']));
      // The staff of the other organisation stay theirs: their sign-ins are not about the patient.
      expect((await list(`?userId=${nurseA.id}`, adminB.token)).body.map((e) => e.action)).not.toContain(
        'auth.login.ok',
      );
    } finally {
      await t.sql.query('DELETE FROM care_team_members WHERE patient_id = $1 AND user_id = $2', [patientA, nurseB]);
    }
  });

  it("shows an administrator their staff's refused attempt on another organisation's patient without naming the patient", async () => {
    await audit(t.sql, {
      userId: nurseB,
      patientId: patientA,
      action: 'access.denied',
      target: patientA,
      detail: { route: 'GET /api/v1/patients/:id/latest', status: 404 },
    });
    const seenByB = (await list(`?userId=${nurseB}`, adminB.token)).body.find((e) => e.action === 'access.denied')!;
    expect(seenByB).toMatchObject({ userId: nurseB, organisationId: orgB });
    expect(seenByB).not.toHaveProperty('patientId');
    expect(seenByB).not.toHaveProperty('target');
    expect(seenByB).not.toHaveProperty('detail');
    const seenByA = (await list(`?userId=${nurseB}`)).body.find((e) => e.action === 'access.denied')!;
    expect(seenByA).toMatchObject({ patientId: patientA, target: patientA });
  });

  it('refuses a member who administers no organisation with 403', async () => {
    const r = await list('', nurseA.token);
    expect(r.status).toBe(403);
  });

  it('pages with before and limit and filters by user, patient and time', async () => {
    const first = await list(`?userId=${nurseA.id}&limit=2`);
    expect(first.body).toHaveLength(2);
    const next = await list(`?userId=${nurseA.id}&limit=2&before=${first.body[1]!.id}`);
    expect(next.body.length).toBeGreaterThanOrEqual(1);
    expect(next.body[0]!.id).toBeLessThan(first.body[1]!.id);
    expect([...first.body, ...next.body].every((e) => e.userId === nurseA.id)).toBe(true);
    expect((await list(`?patientId=${patientA}`)).body.every((e) => e.patientId === patientA)).toBe(true);
    expect((await list('?to=2001-01-01T00:00:00Z')).body).toEqual([]);
    expect((await list('?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z')).status).toBe(400);
  });

  it('audits every reading of the log as audit.read, with the filters', async () => {
    await list(`?patientId=${patientA}`);
    const r = await list('?limit=1');
    // The row of the read before this one; this one's row is written after its answer is read.
    expect(r.body[0]).toMatchObject({
      userId: adminA,
      organisationId: orgA,
      action: 'audit.read',
      patientId: patientA,
    });
    expect(r.body[0]!.detail).toEqual({ patientId: patientA });
  });

  it('exports CSV with a byte-order mark, a header row, Japanese intact and formulas defused, and audits it', async () => {
    for (const url of ['/api/v1/audit.csv', '/api/v1/audit?format=csv']) {
      const r = await t.app.inject({ url, headers: { authorization: `Bearer ${t.token}` } });
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(r.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
      const lines = r.body.slice(1).split('\r\n');
      expect(lines[0]).toBe('"id","time","userId","organisationId","patientId","action","target","ip","detail"');
      const note = lines.find((l) => l.includes('patient.note'))!;
      expect(note).toContain(`"'=HYPERLINK(""http://evil.test"",""看護記録"")"`);
      expect(lines.at(-1)).toBe('');
    }
    const exports = (await list('')).body.filter((e) => e.action === 'audit.export');
    expect(exports.length).toBeGreaterThanOrEqual(1);
    expect(exports[0]).toMatchObject({ userId: adminA, organisationId: orgA });
  });

  it('exports every page, not only the first thousand rows', async () => {
    await t.sql.query(
      `INSERT INTO audit_log (user_id, organisation_id, action) SELECT $1, $2, 'bulk.row' FROM generate_series(1, 2100)`,
      [nurseA.id, orgA],
    );
    const r = await t.app.inject({
      url: `/api/v1/audit.csv?userId=${nurseA.id}`,
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(r.body.split('\r\n').filter((l) => l.includes('"bulk.row"'))).toHaveLength(2100);
  }, 60_000);
});
