/**
 * The rotas a patient's escalation policy may name (GET /api/v1/patients/{id}/rotas): those of
 * every organisation with someone on the care team, across organisations, for anyone on the
 * team; nobody else learns of the patient; the read is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { addMembership, createOrganisation, createUser } from '../../storage/repos/people.ts';

type ApiRota = { id: string; organisationId: string; name: string };

describe("a patient's rotas", () => {
  let t: TestApp;
  let patientId: string;
  let stationAdmin: { id: string; token: string };
  let pharmacyAdmin: { id: string; token: string };

  const person = async (email: string, organisationId: string) => {
    const id = await createUser(t.sql, {
      email,
      displayName: `Person ${email}`,
      profession: 'nurse',
      passwordHash: await hashPassword('person-password-1'),
    });
    await addMembership(t.sql, id, organisationId, 'admin');
    return { id, token: await t.login(email, 'person-password-1') };
  };
  const rota = async (name: string, token?: string) =>
    (await t.api<ApiRota>('POST', '/api/v1/rotas', { name, members: [] }, token)).body;

  beforeAll(async () => {
    t = await buildTestApp();
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Mori Haruko' })).body.id;
    stationAdmin = await person(
      'admin@station.test',
      await createOrganisation(t.sql, { name: 'Station', kind: 'nursing_station' }),
    );
    pharmacyAdmin = await person(
      'admin@pharmacy.test',
      await createOrganisation(t.sql, { name: 'Pharmacy', kind: 'pharmacy' }),
    );
    expect((await t.api('POST', `/api/v1/patients/${patientId}/team`, { userId: stationAdmin.id })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it("lists the rotas of every organisation on the care team, and none of another's", async () => {
    const clinic = await rota('Clinic doctor on call');
    const station = await rota('Station 24-hour phone', stationAdmin.token);
    const pharmacy = await rota('Pharmacy night', pharmacyAdmin.token);
    // The clinic's lead sees the station's rota, which GET /api/v1/rotas (own organisations) does not list.
    const own = await t.api<ApiRota[]>('GET', '/api/v1/rotas');
    expect(own.body.map((r) => r.id)).not.toContain(station.id);
    const r = await t.api<ApiRota[]>('GET', `/api/v1/patients/${patientId}/rotas`);
    expect(r.status).toBe(200);
    expect(r.body.map((x) => x.id).sort()).toEqual([clinic.id, station.id].sort());
    expect(r.body.map((x) => x.id)).not.toContain(pharmacy.id);
    // What the list offers, a policy accepts.
    const set = await t.api('PUT', `/api/v1/patients/${patientId}/escalation-policy`, {
      reason: 'station first, then the clinic',
      steps: [
        { delayMinutes: 10, targets: [{ type: 'rota', rotaId: station.id }] },
        { delayMinutes: 15, targets: [{ type: 'rota', rotaId: clinic.id }] },
      ],
    });
    expect(set.status).toBe(200);
  });

  it('answers someone off the care team as if the patient did not exist, and audits the read', async () => {
    expect((await t.api('GET', `/api/v1/patients/${patientId}/rotas`, undefined, pharmacyAdmin.token)).status).toBe(
      404,
    );
    const rows = await t.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE patient_id = $1 AND action = 'patient.read' AND target = 'GET /api/v1/patients/:id/rotas'`,
      [patientId],
    );
    expect(rows.rows[0]!.n).toBeGreaterThan(0);
  });
});
