/**
 * Issue 17: webhooks per organisation and event type. An administrator subscribes a receiver;
 * an observation and an alert of a patient of the organisation, and a gateway going offline,
 * reach it through the delivery outbox (retried after a failure, every attempt in the log),
 * signed so that the signature verifies and a replay is refused, with ids and links only.
 * One app for the file; the outbox runs on a manual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReceivedHook, WebhookReceiver } from '../../../test-support/alert-server.ts';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { addColleague } from '../../../test-support/colleagues.ts';
import { ManualClock } from '../../alerts/clock.ts';
import { verifyWebhookSignature } from '../../notify/webhook-signature.ts';

const NAME = '鈴木 一郎';

/** What an organisation webhook carries (the receiver kit types alert pages). */
const dataOf = (h: ReceivedHook) => (h.body as unknown as { data: Record<string, unknown> }).data;

describe('webhooks per organisation and event type', () => {
  let t: TestApp;
  let clock: ManualClock;
  let receiver: WebhookReceiver;
  let orgId: string;
  let patientId: string;
  let sub: { id: string; secret: string };

  const deliver = () => t.services.notify.deliver();

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    t = await buildTestApp({ alertClock: clock });
    receiver = await new WebhookReceiver(null).start();
    const me = await t.api<{ organisations: { organisationId: string }[] }>('GET', '/api/v1/me');
    orgId = me.body.organisations[0]!.organisationId;
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: NAME })).body.id;
  });
  afterAll(async () => {
    await t?.close();
    await receiver?.close();
  });

  it('lets an administrator subscribe (secret shown once), and refuses plain http and internal addresses', async () => {
    const r = await t.api<{ id: string; secret: string; events: string[] }>(
      'POST',
      `/api/v1/organisations/${orgId}/webhooks`,
      {
        url: receiver.url,
        events: ['observation.recorded', 'alert.opened', 'gateway.offline', 'timeline.posted'],
        label: 'EHR inbox',
      },
    );
    expect(r.status).toBe(201);
    expect(r.body.secret.length).toBeGreaterThan(20);
    sub = r.body;
    const list = await t.api<Record<string, unknown>[]>('GET', `/api/v1/organisations/${orgId}/webhooks`);
    expect(list.body.map((s) => s.id)).toEqual([sub.id]);
    expect(JSON.stringify(list.body)).not.toContain(sub.secret);
    for (const url of ['http://ehr.example.com/hook', 'https://10.0.0.8/hook', 'https://169.254.169.254/latest'])
      expect(
        (await t.api('POST', `/api/v1/organisations/${orgId}/webhooks`, { url, events: ['alert.opened'] })).status,
        url,
      ).toBe(400);
  });

  it('refuses the subscription routes to staff who do not administer the organisation', async () => {
    const staff = await addColleague(t, { email: 'staff@clinic.test' });
    expect((await t.api('GET', `/api/v1/organisations/${orgId}/webhooks`, undefined, staff.token)).status).toBe(403);
    expect(
      (
        await t.api(
          'POST',
          `/api/v1/organisations/${orgId}/webhooks`,
          { url: receiver.url, events: ['alert.opened'] },
          staff.token,
        )
      ).status,
    ).toBe(403);
  });

  it('delivers a recorded observation as ids and links, retrying after the receiver failed, with every attempt in the log', async () => {
    receiver.failWith = [503];
    const obs = await t.api('POST', `/api/v1/patients/${patientId}/observations`, {
      readings: [{ metric: 'respiratory_rate', value: 18 }],
    });
    expect(obs.status).toBe(201);
    await deliver();
    expect(receiver.of('observation.recorded')).toHaveLength(0);
    let log = await t.api<{ status: string; attempts: number; lastError?: string }[]>(
      'GET',
      `/api/v1/organisations/${orgId}/webhooks/${sub.id}/deliveries`,
    );
    expect(log.body[0]).toMatchObject({ status: 'pending', attempts: 1, lastError: 'target answered 503' });
    clock.advance(10_000);
    await deliver();
    await receiver.waitFor((all) => all.some((h) => h.body.type === 'observation.recorded'));
    log = await t.api('GET', `/api/v1/organisations/${orgId}/webhooks/${sub.id}/deliveries`);
    expect(log.body[0]).toMatchObject({ status: 'delivered', attempts: 2 });

    const hook = receiver.of('observation.recorded')[0]!;
    const data = dataOf(hook) as {
      patientId: string;
      observations: { id: string; url: string; readings?: unknown }[];
    };
    expect(data.patientId).toBe(patientId);
    expect(data.observations).toHaveLength(1);
    expect(data.observations[0]!.url).toMatch(/\/fhir\/R4\/Observation\/[0-9a-f]{32}$/);
    expect(data.observations[0]!.readings).toBeUndefined();
    expect(hook.raw).not.toContain(NAME);
    expect(hook.raw).not.toContain('"value"');
    // The linked Observation is the one the FHIR API serves.
    const fhir = await t.app.inject({
      method: 'GET',
      url: `/fhir/R4/Observation/${data.observations[0]!.id}`,
      headers: { authorization: `Bearer ${t.token}` },
    });
    expect(fhir.statusCode).toBe(200);
  });

  it('signs every delivery so that it verifies, and a replayed, stale or altered one is refused', () => {
    const hook = receiver.of('observation.recorded')[0]!;
    const header = String(hook.headers['x-vitals-signature']);
    const deliveryId = String(hook.headers['x-vitals-delivery']);
    const t0 = Number(/^t=(\d+)/.exec(header)![1]);
    const seen = new Set<string>();
    const check = (o: { body?: string; now?: number; secret?: string }) =>
      verifyWebhookSignature({
        secret: o.secret ?? sub.secret,
        header,
        body: o.body ?? hook.raw,
        now: o.now ?? t0 + 2,
        deliveryId,
        seen,
      });
    expect(check({})).toEqual({ ok: true });
    expect(check({})).toEqual({ ok: false, reason: 'replayed' });
    expect(check({ now: t0 + 301 })).toEqual({ ok: false, reason: 'stale' });
    expect(check({ body: hook.raw.replace(patientId, '00000000-0000-4000-8000-000000000000') })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ secret: 'another secret' })).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('delivers an opened alert and a gateway going offline, and nothing of event types not subscribed to', async () => {
    const obs = await t.api('POST', `/api/v1/patients/${patientId}/observations`, {
      readings: [{ metric: 'spo2', value: 84 }],
    });
    expect(obs.status).toBe(201);
    await t.api('POST', '/api/v1/gateways', { id: 'gw-hooks-01' });
    t.services.events.publish('gateway.status', {
      gatewayId: 'gw-hooks-01',
      status: { state: 'offline', time: new Date().toISOString() },
    });
    await receiver.waitFor(
      (all) => ['alert.opened', 'gateway.offline'].every((type) => all.some((h) => h.body.type === type)),
      15_000,
    );
    const alert = receiver.of('alert.opened')[0]!;
    expect(dataOf(alert)).toMatchObject({
      patientId,
      rule: expect.any(String),
      links: { page: expect.stringContaining(`/p/${patientId}`) },
    });
    expect(alert.raw).not.toContain(NAME);
    expect(dataOf(receiver.of('gateway.offline')[0]!)).toMatchObject({ gatewayId: 'gw-hooks-01' });
    expect(
      receiver.received
        .map((h) => h.body.type)
        .filter((x) => !['observation.recorded', 'alert.opened', 'gateway.offline'].includes(String(x))),
    ).toEqual([]);
  });

  it('delivers a team post of the timeline as ids and links, and nothing of a clinical one', async () => {
    const team = await t.api<{ id: string }>('POST', `/api/v1/patients/${patientId}/posts`, {
      body: '来週からデイサービス開始',
      sensitivity: 'team',
    });
    const clinical = await t.api<{ id: string }>('POST', `/api/v1/patients/${patientId}/posts`, {
      body: '褥瘡の処置',
      sensitivity: 'clinical',
    });
    expect([team.status, clinical.status]).toEqual([201, 201]);
    await receiver.waitFor((all) => all.some((h) => h.body.type === 'timeline.posted'));
    await deliver();
    const posts = receiver.of('timeline.posted');
    expect(posts.map((h) => dataOf(h).itemId)).toEqual([team.body.id]);
    expect(posts[0]!.raw).not.toContain('デイサービス');
  });

  it('ends a subscription: nothing more is sent to it', async () => {
    expect((await t.api('DELETE', `/api/v1/organisations/${orgId}/webhooks/${sub.id}`)).status).toBe(204);
    const before = receiver.received.length;
    await t.api('POST', `/api/v1/patients/${patientId}/observations`, {
      readings: [{ metric: 'respiratory_rate', value: 20 }],
    });
    await deliver();
    expect(receiver.received.length).toBe(before);
  });
});
