/**
 * Issue 11, item 7 and the rota half of item 10: escalation reaches only people who may see
 * the patient, when the policy is set and again at every page; acknowledgement links work only
 * for them; rotas list their own organisation's members. Real broker, database and HTTP sinks.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertTestServer,
  type ApiAlert,
  setupHome,
  startAlertServer,
  type TestGateway,
  WebhookReceiver,
} from '../../test-support/alert-server.ts';
import { hashPassword } from '../auth/secrets.ts';
import { setPolicy } from '../storage/repos/escalation-policies.ts';
import { addCareTeamMember } from '../storage/repos/patients.ts';
import { addMembership, createOrganisation, createUser } from '../storage/repos/people.ts';
import { RECIPIENT_GONE } from './outbox.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-24T00:00:00.000Z');

type Err = { error: { code: string; message: string } };
type ApiEvent = { type: string; detail?: Record<string, unknown> };
type ApiDelivery = { userId?: string; event: string; status: string; lastError?: string };

describe.each(['pglite', 'postgres'] as const)('escalation inside the care team on %s', (backend) => {
  let t: AlertTestServer;
  let clinic: string;
  let adminId: string;
  const sinks: WebhookReceiver[] = [];
  const gateways: TestGateway[] = [];
  let homes = 0;

  /** A person of an organisation, logged in, paged through a webhook sink of their own. */
  async function person(name: string, organisationId: string, role: 'admin' | 'staff' = 'staff') {
    const email = `${name.toLowerCase().replace(/[^a-z]/g, '')}@${backend}.test`;
    const id = await createUser(t.server.sql, {
      email,
      displayName: name,
      profession: 'nurse',
      passwordHash: await hashPassword('person-password-1'),
      locale: 'en',
    });
    await addMembership(t.server.sql, id, organisationId, role);
    const token = (
      await t.api<{ token: string }>('POST', '/api/v1/auth/login', { email, password: 'person-password-1' }, null)
    ).body.token;
    const sink = await new WebhookReceiver(null).start();
    sinks.push(sink);
    expect((await t.api('POST', '/api/v1/me/contacts', { channel: 'webhook', address: sink.url }, token)).status).toBe(
      201,
    );
    return { id, token, sink };
  }

  /** A fresh patient with its own gateway and cuff; `team` join the care team. */
  async function patient(team: string[]) {
    const n = String(++homes).padStart(2, '0');
    const cuff = `ble:00:11:22:44:${n}:02`;
    const h = await setupHome(t, { gatewayId: `gw-scope-${n}`, patientName: `Scope Patient ${n}`, devices: [cuff] });
    gateways.push(h.gateway);
    for (const userId of team)
      await addCareTeamMember(t.server.sql, {
        patientId: h.patientId,
        userId,
        teamRole: 'member',
        clearance: 'clinical',
        addedBy: adminId,
      });
    const fire = async (at: number) => {
      t.clock.set(at);
      await h.gateway.send(h.gateway.readings(cuff, 'bp_systolic', 'mm[Hg]', [{ t: at - 1000, v: 192 }]));
      await t.settle();
      const alerts = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${h.patientId}`)).body;
      expect(alerts.map((a) => a.rule)).toEqual(['systolic_high']);
      return alerts[0]!;
    };
    return { ...h, name: `Scope Patient ${n}`, fire };
  }

  const eventsOf = async (alertId: string) => (await t.api<ApiEvent[]>('GET', `/api/v1/alerts/${alertId}/events`)).body;
  const removeFromTeam = (patientId: string, userId: string) =>
    t.server.sql.query('DELETE FROM care_team_members WHERE patient_id = $1 AND user_id = $2', [patientId, userId]);

  beforeAll(async () => {
    t = await startAlertServer({ backend, env: { VITALS_PUBLIC_URL: 'http://vitals.test' } });
    t.clock.set(T0);
    clinic = (await t.server.sql.query<{ id: string }>('SELECT id FROM organisations ORDER BY created_at LIMIT 1'))
      .rows[0]!.id;
    adminId = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    // The administrator is every patient's attending physician, paged by a later step.
    const adminSink = await new WebhookReceiver(null).start();
    sinks.push(adminSink);
    expect((await t.api('POST', '/api/v1/me/contacts', { channel: 'webhook', address: adminSink.url })).status).toBe(
      201,
    );
  });
  afterAll(async () => {
    for (const g of gateways) await g.close().catch(() => {});
    await t?.close();
    for (const s of sinks) await s.close();
  });

  it('refuses a policy naming someone on no team of the patient, an unknown id, or a rota of an organisation not on the team', async () => {
    const member = await person('Nurse Ito', clinic);
    const outsider = await person('Dr Outsider', clinic);
    const far = await createOrganisation(t.server.sql, { name: 'Far clinic', kind: 'clinic', locale: 'en' });
    const farAdmin = await person('Dr Far', far, 'admin');
    const rota = await t.api<{ id: string }>(
      'POST',
      '/api/v1/rotas',
      { name: 'Far on call', members: [farAdmin.id], startDate: '2026-11-01' },
      farAdmin.token,
    );
    expect(rota.status).toBe(201);
    const p = await patient([member.id]);
    const unknown = randomUUID();
    const policy = {
      reason: 'page people outside the team',
      steps: [
        {
          targets: [
            { type: 'user', userId: member.id },
            { type: 'user', userId: outsider.id },
            { type: 'user', userId: unknown },
          ],
          delayMinutes: 10,
        },
        { targets: [{ type: 'rota', rotaId: rota.body.id }], delayMinutes: 10 },
      ],
    };
    const r = await t.api<Err>('PUT', `/api/v1/patients/${p.patientId}/escalation-policy`, policy);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toBe(
      [
        `steps[0].targets[1]: user ${outsider.id} is not on this patient's care team; name care-team members only`,
        `steps[0].targets[2]: user ${unknown} is not on this patient's care team; name care-team members only`,
        `steps[1].targets[0]: rota ${rota.body.id} belongs to an organisation with nobody on this patient's care team`,
      ].join('; '),
    );
    expect((await t.api('GET', `/api/v1/patients/${p.patientId}/escalation-policy`)).body).toMatchObject({
      default: true,
    });
    // Once the far clinic has someone on the team, its rota may be named.
    await addCareTeamMember(t.server.sql, {
      patientId: p.patientId,
      userId: farAdmin.id,
      teamRole: 'member',
      clearance: 'clinical',
      addedBy: adminId,
    });
    const ok = await t.api('PUT', `/api/v1/patients/${p.patientId}/escalation-policy`, {
      reason: 'team member, then the far clinic on call',
      steps: [policy.steps[0]!.targets.slice(0, 1), policy.steps[1]!.targets].map((targets) => ({
        targets,
        delayMinutes: 10,
      })),
    });
    expect(ok.status).toBe(200);
  });

  it('pages nobody outside the care team even when a stored policy names them, and sends them no patient data', async () => {
    const member = await person('Nurse Kondo', clinic);
    const outsider = await person('Dr Stranger', clinic);
    const p = await patient([member.id]);
    // A policy stored before policies were checked.
    await setPolicy(
      t.server.sql,
      p.patientId,
      {
        steps: [
          {
            targets: [
              { type: 'user', userId: outsider.id },
              { type: 'user', userId: member.id },
            ],
            delayMinutes: 10,
          },
        ],
        repeatLimit: 1,
      },
      'stored before the check',
      adminId,
    );
    const a = await p.fire(Date.parse('2026-11-25T03:00:00.000Z'));
    await member.sink.waitFor((r) => r.length === 1);
    expect(member.sink.received[0]!.raw).toContain(p.name);
    expect(outsider.sink.received).toEqual([]);
    const deliveries = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${a.id}/deliveries`)).body;
    expect(deliveries.filter((d) => d.userId === outsider.id)).toEqual([]);
    const paged = (await eventsOf(a.id)).find((e) => e.type === 'paged')!;
    expect(paged.detail).toMatchObject({
      recipients: [member.id],
      skipped: [{ userId: outsider.id, reason: 'may_not_see_patient' }],
    });
  });

  it('stops paging a member removed from the team after the alert opened and refuses their acknowledgement link', async () => {
    const member = await person('Nurse Mori', clinic);
    const p = await patient([member.id]);
    const pol = await t.api('PUT', `/api/v1/patients/${p.patientId}/escalation-policy`, {
      reason: 'the nurse first, then the attending physician',
      steps: [
        { targets: [{ type: 'user', userId: member.id }], delayMinutes: 10 },
        { targets: [{ type: 'team_role', role: 'attending' }], delayMinutes: 10 },
      ],
    });
    expect(pol.status).toBe(200);
    const at = Date.parse('2026-11-26T03:00:00.000Z');
    const a = await p.fire(at);
    await member.sink.waitFor((r) => r.length === 1);
    const token = new URL(member.sink.received[0]!.body.ackUrl!).searchParams.get('token')!;
    await removeFromTeam(p.patientId, member.id);
    // Step 1 (the physician), then round 1: the nurse's step is skipped.
    await t.advance(10 * MIN);
    await t.advance(10 * MIN);
    const escalations = (await eventsOf(a.id)).filter((e) => e.type === 'paged').map((e) => e.detail);
    expect(escalations).toHaveLength(4);
    expect(escalations[2]).toMatchObject({
      step: 0,
      round: 1,
      recipients: [],
      skipped: [{ userId: member.id, reason: 'may_not_see_patient' }],
    });
    expect(member.sink.received).toHaveLength(1);
    const show = await fetch(`${t.base}/api/v1/alerts/ack-link?token=${token}`);
    expect(show.status).toBe(404);
    const html = await show.text();
    expect(html).not.toContain(p.name);
    expect(html).not.toContain('systolic');
    const ack = await t.api<Err>('POST', '/api/v1/alerts/ack-link', { token }, null);
    expect(ack).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${a.id}`)).body.state).toBe('firing');
  });

  it('cancels a queued page whose recipient left the care team before it went out', async () => {
    const member = await person('Nurse Abe', clinic);
    const p = await patient([member.id]);
    await t.api('PUT', `/api/v1/patients/${p.patientId}/escalation-policy`, {
      reason: 'the nurse only',
      steps: [{ targets: [{ type: 'user', userId: member.id }], delayMinutes: 30 }],
      repeatLimit: 1,
    });
    member.sink.failWith = [503];
    const a = await p.fire(Date.parse('2026-11-27T03:00:00.000Z'));
    const before = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${a.id}/deliveries`)).body;
    expect(before.map((d) => [d.userId, d.status])).toEqual([[member.id, 'pending']]);
    await removeFromTeam(p.patientId, member.id);
    await t.advance(MIN); // past the first retry's back-off
    const after = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${a.id}/deliveries`)).body;
    expect(after.map((d) => [d.userId, d.status, d.lastError])).toEqual([[member.id, 'cancelled', RECIPIENT_GONE]]);
    expect(member.sink.received).toEqual([]);
  });

  it("lists a patient's deliveries only to team members whose clearance reaches the patient's vitals", async () => {
    const carer = await person('Carer Ueda', clinic);
    const p = await patient([]);
    await addCareTeamMember(t.server.sql, {
      patientId: p.patientId,
      userId: carer.id,
      teamRole: 'member',
      clearance: 'team',
      addedBy: adminId,
    });
    await t.server.sql.query(`UPDATE patients SET vitals_sensitivity = 'clinical' WHERE id = $1`, [p.patientId]);
    await p.fire(Date.parse('2026-11-29T03:00:00.000Z')); // pages the attending physician
    type Listed = { alertId: string }[];
    const mine = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${p.patientId}`)).body.map((a) => a.id);
    const listed = async (token?: string) =>
      (await t.api<Listed>('GET', '/api/v1/deliveries', undefined, token)).body.filter((d) => mine.includes(d.alertId));
    expect((await listed()).length).toBeGreaterThan(0);
    expect(await listed(carer.token)).toEqual([]);
  });

  it("refuses a rota listing a person of another organisation, and pages no one who left the rota's organisation", async () => {
    const nurse = await person('Nurse Sakai', clinic);
    const other = await createOrganisation(t.server.sql, { name: 'Other station', kind: 'nurse_station' });
    const stranger = await person('Nurse Other', other);
    const created = await t.api<Err>('POST', '/api/v1/rotas', {
      name: 'Mixed rota',
      members: [nurse.id, stranger.id],
      startDate: '2026-11-01',
    });
    expect(created.status).toBe(400);
    expect(created.body.error.message).toBe(`member ${stranger.id} is not an active member of the rota's organisation`);
    const rota = await t.api<{ id: string }>('POST', '/api/v1/rotas', {
      name: 'Clinic nurse on call',
      members: [nurse.id],
      startDate: '2026-11-01',
    });
    expect(rota.status).toBe(201);
    const updated = await t.api<Err>('PUT', `/api/v1/rotas/${rota.body.id}`, {
      name: 'Clinic nurse on call',
      members: [stranger.id],
    });
    expect(updated.status).toBe(400);
    const override = await t.api<Err>('POST', `/api/v1/rotas/${rota.body.id}/overrides`, {
      userId: stranger.id,
      from: '2026-11-28T00:00:00.000Z',
      to: '2026-11-29T00:00:00.000Z',
    });
    expect(override.status).toBe(400);
    // The nurse is on the patient's team but leaves the clinic: the rota no longer pages her.
    const p = await patient([nurse.id]);
    expect(
      (
        await t.api('PUT', `/api/v1/patients/${p.patientId}/escalation-policy`, {
          reason: 'the clinic rota',
          steps: [{ targets: [{ type: 'rota', rotaId: rota.body.id }], delayMinutes: 30 }],
          repeatLimit: 1,
        })
      ).status,
    ).toBe(200);
    await t.server.sql.query('DELETE FROM memberships WHERE user_id = $1', [nurse.id]);
    const a = await p.fire(Date.parse('2026-11-28T03:00:00.000Z'));
    const paged = (await eventsOf(a.id)).find((e) => e.type === 'paged')!;
    expect(paged.detail).toMatchObject({
      recipients: [],
      skipped: [{ userId: nurse.id, reason: 'left_rota_organisation' }],
    });
    expect(nurse.sink.received).toEqual([]);
  });
});
