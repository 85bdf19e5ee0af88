/** Emergency access through inject(): who may open one, what it allows, how long, and its audit. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague, type Colleague } from '../../../test-support/colleagues.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { addMembership, createOrganisation, createUser } from '../../storage/repos/people.ts';

describe('emergency access', () => {
  let t: TestApp;
  let patient: string;
  let colleague: Colleague;
  let outsiderToken: string;
  const open = (token: string | null, reason = 'called by the family at night, patient breathless') =>
    t.api<{ id: string; expiresAt: string; error?: { code: string } }>(
      'POST',
      `/api/v1/patients/${patient}/emergency-access`,
      { reason },
      token,
    );

  beforeAll(async () => {
    t = await buildTestApp({ env: { VITALS_EMERGENCY_ACCESS_MINUTES: '30' } });
    patient = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '山本 花子' })).body.id;
    colleague = await addColleague(t, { email: 'night@clinic.test', profession: 'physician' });
    const org = await createOrganisation(t.sql, { name: 'Elsewhere', kind: 'clinic' });
    const id = await createUser(t.sql, {
      email: 'x@elsewhere.test',
      displayName: 'x',
      profession: 'physician',
      passwordHash: await hashPassword('outsider-password'),
    });
    await addMembership(t.sql, id, org, 'staff');
    outsiderToken = await t.login('x@elsewhere.test', 'outsider-password');
    // The administrator of the patient's organisation is reached by email.
    expect(
      (await t.api('POST', '/api/v1/me/contacts', { channel: 'email', address: 'admin-pager@clinic.test' })).status,
    ).toBe(201);
  });
  afterAll(async () => t?.close());

  it("refuses someone of no organisation related to the patient with 404, like a patient that doesn't exist", async () => {
    expect((await open(outsiderToken)).status).toBe(404);
    expect((await t.api('GET', `/api/v1/patients/${patient}`, undefined, outsiderToken)).status).toBe(404);
  });

  it('needs a reason of at least 10 characters and a session', async () => {
    expect((await open(colleague.token, 'urgent')).status).toBe(400);
    expect((await open(null)).status).toBe(401);
  });

  it('lets a colleague of the registering organisation read the patient for the configured time, not change it', async () => {
    expect((await t.api('GET', `/api/v1/patients/${patient}/latest`, undefined, colleague.token)).status).toBe(404);
    const before = Date.now();
    const r = await open(colleague.token);
    expect(r.status).toBe(201);
    const minutes = (Date.parse(r.body.expiresAt) - before) / 60_000;
    expect(minutes).toBeGreaterThan(29);
    expect(minutes).toBeLessThan(31);
    expect((await t.api('GET', `/api/v1/patients/${patient}/latest`, undefined, colleague.token)).status).toBe(200);
    const list = await t.api<{ id: string }[]>('GET', '/api/v1/patients', undefined, colleague.token);
    expect(list.body.map((p) => p.id)).toEqual([patient]);
    const write = await t.api(
      'POST',
      `/api/v1/patients/${patient}/silences`,
      { reason: 'noise', expiresAt: new Date(Date.now() + 60_000).toISOString() },
      colleague.token,
    );
    expect(write.status).toBe(403);
    const accesses = await t.api<{ userId: string; active: boolean }[]>(
      'GET',
      `/api/v1/patients/${patient}/emergency-access`,
    );
    expect(accesses.body).toEqual([expect.objectContaining({ active: true })]);
  });

  it('is audited: the opening under the patient’s organisation with the reason, each read marked as an emergency access', async () => {
    const rows = await t.sql.query<{ action: string; organisation_id: string; detail: Record<string, unknown> | null }>(
      `SELECT a.action, a.organisation_id, a.detail FROM audit_log a JOIN users u ON u.id = a.user_id
        WHERE a.patient_id = $1 AND u.email = 'night@clinic.test' ORDER BY a.id`,
      [patient],
    );
    const opened = rows.rows.find((r) => r.action === 'emergency_access.open');
    expect(opened?.detail).toMatchObject({ reason: 'called by the family at night, patient breathless' });
    expect(opened?.detail?.announcedTo).toEqual([expect.any(String)]);
    const read = rows.rows.find((r) => r.action === 'readings.latest');
    expect(read?.detail).toEqual({ emergencyAccess: true });
    expect(rows.rows.filter((r) => r.action === 'access.denied').length).toBeGreaterThan(0);
  });

  it('is announced on the patient’s timeline and to the organisation’s administrators through their contacts', async () => {
    const timeline = await t.api<{
      items: { kind: string; body: string; author?: { id: string }; detail?: Record<string, unknown> }[];
    }>('GET', `/api/v1/patients/${patient}/timeline?kind=event`);
    const item = timeline.body.items.find((i) => i.detail?.event === 'emergency_access.opened');
    expect(item).toMatchObject({
      kind: 'event',
      body: 'called by the family at night, patient breathless',
      author: { id: colleague.id },
    });
    const sent = await t.sql.query<{ event: string; target: string; payload: { text: { subject: string } } }>(
      `SELECT event, target, payload FROM notification_deliveries WHERE event = 'emergency_access.opened'`,
    );
    expect(sent.rows.map((r) => [r.target, r.payload.text.subject])).toEqual([
      ['admin-pager@clinic.test', '緊急アクセス: night@clinic.testさんが山本 花子さんの記録を開きました'],
    ]);
  });

  it('ends by itself', async () => {
    await t.sql.query(
      "UPDATE emergency_access SET started_at = started_at - interval '2 hours', expires_at = started_at - interval '1 hour'",
    );
    expect((await t.api('GET', `/api/v1/patients/${patient}/latest`, undefined, colleague.token)).status).toBe(404);
  });

  it('is refused to someone on the team already (409)', async () => {
    expect((await open(t.token)).status).toBe(409);
  });
});
