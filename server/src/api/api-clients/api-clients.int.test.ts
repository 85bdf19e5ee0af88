/**
 * Issue 17: API clients for machines. An organisation administrator creates a client limited to
 * chosen patients, scopes and a clearance; the client trades its id and secret for an access
 * token (OAuth 2.0 client credentials) that the FHIR API accepts; it sees only its patients,
 * reads are audited under the client; rotation and revocation end the old credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';

interface Client {
  id: string;
  secret: string;
  tokenUrl: string;
  scopes: string[];
}

describe('API clients reading through the FHIR API', () => {
  let t: TestApp;
  let orgId: string;
  let mine: string;
  let other: string;
  let clinicalOnly: string;
  let client: Client;

  const token = async (body: string, headers: Record<string, string> = {}) => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/fhir/R4/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: body,
    });
    return {
      status: r.statusCode,
      body: JSON.parse(r.body) as { access_token: string; error?: string; scope: string },
    };
  };
  const fhir = async (url: string, bearer: string) => {
    const r = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${bearer}` } });
    return { status: r.statusCode, body: JSON.parse(r.body) as { resourceType: string; issue?: { code: string }[] } };
  };
  const credentials = (c: Client) =>
    `grant_type=client_credentials&client_id=${c.id}&client_secret=${encodeURIComponent(c.secret)}`;

  beforeAll(async () => {
    t = await buildTestApp();
    orgId = (await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me')).body.organisations[0]!
      .organisationId;
    const patient = async (displayName: string) =>
      (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName })).body.id;
    [mine, other, clinicalOnly] = [await patient('患者 一'), await patient('患者 二'), await patient('患者 三')];
    await t.api('PATCH', `/api/v1/patients/${clinicalOnly}`, { vitalsSensitivity: 'clinical' });
  });
  afterAll(async () => t?.close());

  it('lets an administrator create a client whose secret is shown once', async () => {
    const r = await t.api<Client>('POST', `/api/v1/organisations/${orgId}/api-clients`, {
      name: 'Regional EHR',
      scopes: ['patient/Observation.read', 'patient/Patient.read'],
      patientIds: [mine, clinicalOnly],
    });
    expect(r.status).toBe(201);
    client = r.body;
    expect(client.tokenUrl).toMatch(/\/fhir\/R4\/auth\/token$/);
    const list = await t.api<unknown[]>('GET', `/api/v1/organisations/${orgId}/api-clients`);
    expect(list.body).toHaveLength(1);
    expect(JSON.stringify(list.body)).not.toContain(client.secret);
  });

  it('refuses unknown scopes, patients of other organisations, and callers who do not administer the organisation', async () => {
    const bad = await t.api('POST', `/api/v1/organisations/${orgId}/api-clients`, {
      name: 'x',
      scopes: ['user/*.*'],
      patientIds: [],
    });
    expect(bad.status).toBe(400);
    const staff = await addColleague(t, { email: 'staff-ac@clinic.test' });
    const refused = await t.api(
      'POST',
      `/api/v1/organisations/${orgId}/api-clients`,
      { name: 'x', scopes: ['patient/*.read'], patientIds: [] },
      staff.token,
    );
    expect(refused.status).toBe(403);
    const foreign = await t.api('POST', `/api/v1/organisations/${orgId}/api-clients`, {
      name: 'x',
      scopes: ['patient/*.read'],
      patientIds: ['00000000-0000-4000-8000-000000000001'],
    });
    expect(foreign.status).toBe(400);
  });

  it('issues a token for the client credentials (form or HTTP Basic) and refuses a wrong secret or a scope not given', async () => {
    const r = await token(credentials(client));
    expect(r.status).toBe(200);
    expect(r.body.scope).toBe('patient/Observation.read patient/Patient.read');
    const basic = Buffer.from(`${client.id}:${client.secret}`).toString('base64');
    expect((await token('grant_type=client_credentials', { authorization: `Basic ${basic}` })).status).toBe(200);
    expect((await token(`grant_type=client_credentials&client_id=${client.id}&client_secret=nope`)).body.error).toBe(
      'invalid_client',
    );
    expect((await token(`${credentials(client)}&scope=patient/Device.read`)).body.error).toBe('invalid_scope');
  });

  it('shows the client only its patients at its clearance, only in its scopes, and audits each read under the client', async () => {
    const bearer = (await token(credentials(client))).body.access_token;
    expect((await fhir(`/fhir/R4/Patient/${mine}`, bearer)).status).toBe(200);
    expect((await fhir(`/fhir/R4/Observation?patient=${mine}`, bearer)).body.resourceType).toBe('Bundle');
    for (const url of [
      `/fhir/R4/Patient/${other}`,
      `/fhir/R4/Observation?patient=${other}`,
      `/fhir/R4/Patient/${clinicalOnly}`,
    ]) {
      const r = await fhir(url, bearer);
      expect(r.status, url).toBe(404);
      expect(r.body.issue![0]!.code).toBe('not-found');
    }
    expect((await fhir('/fhir/R4/Device/dev-00000000000000000000000000000000', bearer)).status).toBe(403);
    const rows = await t.sql.query<{ action: string; patient_id: string | null; user_id: string | null }>(
      "SELECT action, patient_id, user_id FROM audit_log WHERE detail->>'apiClientId' = $1 ORDER BY seq",
      [client.id],
    );
    expect(rows.rows.filter((x) => x.action === 'fhir.read' && x.patient_id === mine)).toHaveLength(1);
    expect(rows.rows.filter((x) => x.action === 'fhir.search' && x.patient_id === mine)).toHaveLength(1);
    expect(rows.rows.filter((x) => x.action === 'access.denied')).toHaveLength(3);
    expect(rows.rows.every((x) => x.user_id === null)).toBe(true);
  });

  it('reads the clinical patient once the administrator gives the client clinical clearance', async () => {
    const c = await t.api<Client>('POST', `/api/v1/organisations/${orgId}/api-clients`, {
      name: 'Clinic record',
      scopes: ['patient/*.read'],
      patientIds: [clinicalOnly],
      clearance: 'clinical',
    });
    const bearer = (await token(credentials(c.body))).body.access_token;
    expect((await fhir(`/fhir/R4/Patient/${clinicalOnly}`, bearer)).status).toBe(200);
  });

  it('ends the old secret and its tokens on rotation, and every token on revocation', async () => {
    const before = (await token(credentials(client))).body.access_token;
    const rotated = await t.api<Client>('POST', `/api/v1/organisations/${orgId}/api-clients/${client.id}/rotate`);
    expect(rotated.status).toBe(200);
    expect((await token(credentials(client))).status).toBe(401);
    expect((await fhir(`/fhir/R4/Patient/${mine}`, before)).status).toBe(401);
    const after = (await token(credentials(rotated.body))).body.access_token;
    expect((await fhir(`/fhir/R4/Patient/${mine}`, after)).status).toBe(200);
    expect((await t.api('POST', `/api/v1/organisations/${orgId}/api-clients/${client.id}/revoke`)).status).toBe(204);
    expect((await fhir(`/fhir/R4/Patient/${mine}`, after)).status).toBe(401);
    expect((await token(credentials(rotated.body))).status).toBe(401);
  });

  it('accepts a client token on the FHIR API only', async () => {
    const c = await t.api<Client>('POST', `/api/v1/organisations/${orgId}/api-clients`, {
      name: 'Only FHIR',
      scopes: ['patient/*.read'],
      patientIds: [mine],
    });
    const bearer = (await token(credentials(c.body))).body.access_token;
    expect((await t.api('GET', `/api/v1/patients/${mine}`, undefined, bearer)).status).toBe(401);
  });
});
