/**
 * Alert routes through inject() on the real app: the list, one alert, acknowledging, the
 * timeline, deliveries, the alarm-load report and the one-time acknowledgement link, with their
 * care-team scoping. Alerts are stored directly; the lifecycle behind them is tested through the
 * real broker in alerts/alerts.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { ManualClock } from '../../alerts/clock.ts';
import { hashPassword } from '../../auth/secrets.ts';
import { signAckToken } from '../../notify/ack-link.ts';
import { type AlertRow, insertAlert } from '../../storage/repos/alerts.ts';
import { enqueueDeliveries } from '../../storage/repos/deliveries.ts';
import { addMembership, createUser } from '../../storage/repos/people.ts';

type Err = { error: { code: string; message: string } };
type ApiAlert = { id: string; state: string; patientName?: string; note?: string; rule: string };

const NOW = Date.parse('2026-11-24T03:00:00.000Z');
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('alert routes', () => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  let adminId: string;
  let nurseId: string;
  let nurseToken: string;
  let patientId: string;
  let firing: AlertRow;
  let resolved: AlertRow;

  const store = async (rule: string, state: 'firing' | 'resolved', minutesAgo: number) =>
    (await insertAlert(t.sql, {
      patientId,
      rule,
      metric: 'spo2',
      priority: 'high',
      state,
      onsetAt: new Date(NOW - minutesAgo * 60_000),
      openedAt: new Date(NOW - minutesAgo * 60_000),
      now: new Date(NOW - minutesAgo * 60_000),
      lastValue: 88,
      worstValue: 86,
      ...(state === 'resolved' ? { resolution: 'cleared', conditionClearedAt: new Date(NOW) } : {}),
    }))!;

  beforeAll(async () => {
    t = await buildTestApp({ alertClock: clock });
    adminId = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    const org = (await t.sql.query<{ id: string }>('SELECT id FROM organisations')).rows[0]!.id;
    nurseId = await createUser(t.sql, {
      email: 'nurse@ward.test',
      displayName: 'Nurse Ito',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-1'),
    });
    await addMembership(t.sql, nurseId, org, 'staff');
    nurseToken = await t.login('nurse@ward.test', 'nurse-password-1');
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Yamada Hanako' })).body.id;
    firing = await store('spo2_low', 'firing', 10);
    resolved = await store('pulse_high', 'resolved', 60);
    await enqueueDeliveries(t.sql, [
      {
        idempotencyKey: `page:${firing.id}:0:0:${adminId}`,
        alertId: firing.id,
        patientId,
        event: 'page',
        channel: 'webhook',
        userId: adminId,
        target: 'https://pager.example/hook/secret-token',
        payload: {},
        maxAttempts: 5,
        step: 0,
        round: 0,
        now: new Date(NOW),
        // Due only later on the manual clock, which stays put: the outbox leaves it pending, as listed.
        sendAt: new Date(NOW + 3_600_000),
      },
    ]);
  });
  afterAll(async () => t?.close());

  it('lists the alerts of visible patients, open ones first, naming the patient', async () => {
    const r = await t.api<ApiAlert[]>('GET', '/api/v1/alerts');
    expect(r.status).toBe(200);
    expect(r.body.map((a) => [a.id, a.state, a.patientName])).toEqual([
      [firing.id, 'firing', 'Yamada Hanako'],
      [resolved.id, 'resolved', 'Yamada Hanako'],
    ]);
    const open = await t.api<ApiAlert[]>('GET', `/api/v1/alerts?state=firing&patientId=${patientId}&limit=5`);
    expect(open.body.map((a) => a.id)).toEqual([firing.id]);
  });

  it.each([
    ['a patientId that is not a UUID', '/api/v1/alerts?patientId=nope', 'patientId must be a UUID, got "nope"'],
    ['an unknown state', '/api/v1/alerts?state=open', undefined],
    ['an unknown parameter', '/api/v1/alerts?sort=asc', undefined],
    ['a limit out of range', '/api/v1/alerts?limit=5000', undefined],
  ])('refuses %s with 400', async (_what, url, message) => {
    const r = await t.api<Err>('GET', url);
    expect(r.status).toBe(400);
    if (message) expect(r.body.error.message).toBe(message);
  });

  it('keeps alerts of a patient outside the caller’s care team invisible, and demands a login', async () => {
    expect((await t.api('GET', '/api/v1/alerts', undefined, nurseToken)).body).toEqual([]);
    for (const path of ['', '/events', '/deliveries'])
      expect((await t.api('GET', `/api/v1/alerts/${firing.id}${path}`, undefined, nurseToken)).status).toBe(404);
    expect((await t.api('POST', `/api/v1/alerts/${firing.id}/ack`, {}, nurseToken)).status).toBe(404);
    expect((await t.api('POST', `/api/v1/alerts/${UNKNOWN}/ack`, {}, nurseToken)).status).toBe(404);
    expect((await t.api('GET', '/api/v1/alerts', undefined, null)).status).toBe(401);
    expect((await t.api('GET', '/api/v1/deliveries', undefined, nurseToken)).body).toEqual([]);
  });

  it('answers an unknown or malformed alert id with 404', async () => {
    expect((await t.api<Err>('GET', `/api/v1/alerts/${UNKNOWN}`)).body.error.code).toBe('not_found');
    expect((await t.api('GET', '/api/v1/alerts/not-a-uuid')).status).toBe(404);
    expect((await t.api('POST', '/api/v1/alerts/not-a-uuid/ack', {})).status).toBe(404);
  });

  it('shows one alert in the contract shape', async () => {
    const r = await t.api('GET', `/api/v1/alerts/${firing.id}`);
    expect(r).toEqual({
      status: 200,
      body: expect.objectContaining({
        id: firing.id,
        patientId,
        rule: 'spo2_low',
        metric: 'spo2',
        unit: '%',
        priority: 'high',
        state: 'firing',
        late: false,
        lastValue: 88,
        worstValue: 86,
        escalation: { step: null, round: 0 },
      }),
    });
  });

  it('shows the deliveries of an alert and of the caller, with the webhook target reduced to its host', async () => {
    const mine = await t.api<{ target: string; status: string; alertId: string }[]>(
      'GET',
      `/api/v1/alerts/${firing.id}/deliveries`,
    );
    expect(mine.body).toEqual([
      expect.objectContaining({ alertId: firing.id, channel: 'webhook', target: 'pager.example', status: 'pending' }),
    ]);
    expect((await t.api<unknown[]>('GET', '/api/v1/deliveries?status=pending&limit=10')).body).toHaveLength(1);
    expect((await t.api<unknown[]>('GET', '/api/v1/deliveries?status=delivered')).body).toEqual([]);
    expect((await t.api('GET', '/api/v1/deliveries?status=lost')).status).toBe(400);
  });

  it('acknowledges with a note, records who did it, and refuses a resolved alert with 409', async () => {
    expect((await t.api('POST', `/api/v1/alerts/${firing.id}/ack`, { note: 'x', extra: 1 })).status).toBe(400);
    const r = await t.api<ApiAlert>('POST', `/api/v1/alerts/${firing.id}/ack`, { note: 'called the patient' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'acknowledged', note: 'called the patient', acknowledgedBy: adminId });
    const events = await t.api<{ type: string; userId?: string; userName?: string }[]>(
      'GET',
      `/api/v1/alerts/${firing.id}/events`,
    );
    expect(events.body.at(-1)).toMatchObject({ type: 'acknowledged', userId: adminId });
    // The list names who acknowledged it, for the ward board.
    const listed = await t.api<{ id: string; acknowledgedByName?: string }[]>(
      'GET',
      '/api/v1/alerts?state=acknowledged',
    );
    expect(listed.body.find((a) => a.id === firing.id)?.acknowledgedByName).toEqual(expect.any(String));
    const again = await t.api<Err>('POST', `/api/v1/alerts/${resolved.id}/ack`, null);
    expect(again).toEqual({
      status: 409,
      body: { error: { code: 'conflict', message: 'this alert is already resolved; nothing to acknowledge' } },
    });
  });

  it('reports the alarm load of the visible patients and refuses a reversed range', async () => {
    const r = await t.api<{ rows: { rule: string; count: number; acknowledged: number }[] }>(
      'GET',
      '/api/v1/reports/alarm-load?from=2026-11-01T00:00:00.000Z&to=2026-11-30T00:00:00.000Z',
    );
    expect(r.status).toBe(200);
    expect(r.body.rows.map((x) => [x.rule, x.count, x.acknowledged]).sort()).toEqual([
      ['pulse_high', 1, 0],
      ['spo2_low', 1, 1],
    ]);
    expect(
      (await t.api<{ rows: unknown[] }>('GET', '/api/v1/reports/alarm-load', undefined, nurseToken)).body.rows,
    ).toEqual([]);
    const reversed = await t.api<Err>(
      'GET',
      '/api/v1/reports/alarm-load?from=2026-11-30T00:00:00.000Z&to=2026-11-01T00:00:00.000Z',
    );
    expect(reversed.body.error.message).toBe('from must be before to');
    expect((await t.api('GET', '/api/v1/reports/alarm-load?from=yesterday')).status).toBe(400);
    const ancient = await t.api<Err>('GET', '/api/v1/reports/alarm-load?to=0000-01-01T00:00:00Z');
    expect(ancient.body.error.message).toBe('the report starts in 1970 at the earliest; send a later from or to');
  });

  it('leaves out of the alarm load a patient whose vitals the member’s clearance does not reach', async () => {
    await t.sql.query(
      `INSERT INTO care_team_members (patient_id, user_id, team_role, clearance) VALUES ($1, $2, 'member', 'team')`,
      [patientId, nurseId],
    );
    const report = async () =>
      (
        await t.api<{ rows: { patientId: string }[] }>(
          'GET',
          '/api/v1/reports/alarm-load?from=2026-11-01T00:00:00.000Z&to=2026-11-30T00:00:00.000Z',
          undefined,
          nurseToken,
        )
      ).body.rows.map((x) => x.patientId);
    expect(await report()).toContain(patientId);
    await t.sql.query(`UPDATE patients SET vitals_sensitivity = 'clinical' WHERE id = $1`, [patientId]);
    expect(await report()).toEqual([]);
  });
});

describe('the one-time acknowledgement link', () => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  let adminId: string;
  let patientId: string;
  let outsiderId: string;

  const open = async (rule: string) =>
    (await insertAlert(t.sql, {
      patientId,
      rule,
      priority: 'medium',
      state: 'firing',
      onsetAt: new Date(NOW),
      openedAt: new Date(NOW),
      now: new Date(NOW),
    }))!.id;
  const linkFor = async (alertId: string, userId = adminId, expiresAt = NOW + 3_600_000) =>
    signAckToken(await t.services.alerts.ctx.linkSecret(), { alertId, userId, expiresAt });
  const form = (token: string) =>
    t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/ack-link?token=${encodeURIComponent(token)}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });

  beforeAll(async () => {
    t = await buildTestApp({ alertClock: clock });
    adminId = (await t.api<{ id: string }>('GET', '/api/v1/me')).body.id;
    outsiderId = await createUser(t.sql, {
      email: 'outside@ward.test',
      displayName: 'Nurse Mori',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-2'),
    });
    patientId = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Suzuki Taro' })).body.id;
  });
  afterAll(async () => t?.close());

  it('shows a confirmation page on GET and acknowledges nothing', async () => {
    const id = await open('systolic_high');
    const r = await t.app.inject(`/api/v1/alerts/ack-link?token=${await linkFor(id)}&utm_source=mail`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body).toContain('<form method="post" action="/api/v1/alerts/ack-link?token=');
    expect(r.body).toContain('systolic_high (medium)');
    expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${id}`)).body.state).toBe('firing');
  });

  it('answers a broken or expired link with a page, never a stack or JSON', async () => {
    const bad = await t.app.inject('/api/v1/alerts/ack-link?token=abc.def');
    expect([bad.statusCode, bad.headers['content-type']]).toEqual([400, 'text/html; charset=utf-8']);
    expect(bad.body).toContain('Link not valid');
    const expired = await t.app.inject(`/api/v1/alerts/ack-link?token=${await linkFor(UNKNOWN, adminId, NOW - 1)}`);
    expect(expired.statusCode).toBe(410);
    const gone = await t.app.inject(`/api/v1/alerts/ack-link?token=${await linkFor(UNKNOWN)}`);
    expect([gone.statusCode, gone.body]).toEqual([404, expect.stringContaining('Alert not found')]);
  });

  it('acknowledges once through the page’s form, as the person the link was sent to', async () => {
    const id = await open('pulse_high');
    const token = await linkFor(id);
    const first = await form(token);
    expect([first.statusCode, first.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect(first.body).toContain('Acknowledged');
    expect((await t.api<{ state: string; acknowledgedBy: string }>('GET', `/api/v1/alerts/${id}`)).body).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: adminId,
    });
    const again = await form(token);
    expect([again.statusCode, again.body]).toEqual([409, expect.stringContaining('already used')]);
  });

  it('answers a JSON caller in JSON: the alert, then the contract’s error body', async () => {
    const id = await open('temperature_high');
    const token = await linkFor(id);
    const first = await t.api<ApiAlert>('POST', '/api/v1/alerts/ack-link', { token }, null);
    expect(first).toMatchObject({ status: 200, body: { id, state: 'acknowledged' } });
    const again = await t.api('POST', '/api/v1/alerts/ack-link', { token }, null);
    expect(again).toEqual({
      status: 409,
      body: { error: { code: 'conflict', message: 'this link was already used; it works only once' } },
    });
    const forged = await t.api<Err>('POST', '/api/v1/alerts/ack-link', { token: `${token.split('.')[0]}.AAAA` }, null);
    expect(forged).toEqual({
      status: 400,
      body: { error: { code: 'bad_request', message: 'this link is not valid' } },
    });
  });

  it('stops working once its recipient may no longer see the patient', async () => {
    const id = await open('spo2_low');
    const r = await t.api<Err>('POST', '/api/v1/alerts/ack-link', { token: await linkFor(id, outsiderId) }, null);
    expect(r).toEqual({ status: 404, body: { error: { code: 'not_found', message: 'alert not found' } } });
    expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${id}`)).body.state).toBe('firing');
  });

  it('is documented as HTML pages in the OpenAPI document', async () => {
    const doc = (await t.app.inject('/api/docs/json')).json<{
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>>;
    }>();
    const link = doc.paths['/api/v1/alerts/ack-link']!;
    expect(Object.keys(link.get!.responses['200']!.content!)).toEqual(['text/html']);
    expect(Object.keys(link.post!.responses['200']!.content!).sort()).toEqual(['application/json', 'text/html']);
  });
});
