/**
 * Alert scenarios of issue 7: readings go through the real broker and database; the alert
 * clock is moved by hand so minutes pass in milliseconds. Notifications arrive at a real
 * HTTP receiver (HMAC-checked) and a real SMTP server process.
 */

import { hashPassword } from '@vitals/server/auth/secrets.ts';
import { addCareTeamMember } from '@vitals/server/storage/repos/patients.ts';
import { addMembership, createOrganisation, createUser } from '@vitals/server/storage/repos/people.ts';
import {
  ALERT_ADMIN,
  type AlertTestServer,
  type ApiAlert,
  type ApiDelivery,
  SmtpSink,
  setupHome,
  startAlertServer,
  TestGateway,
  WebhookReceiver,
} from '@vitals/server/test-support/alert-server.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-11-24T00:00:00.000Z'); // 09:00 in Tokyo

describe.each(['postgres', 'pglite'] as const)('alert scenarios through the real broker on %s', (backend) => {
  let t: AlertTestServer;
  let site: WebhookReceiver;
  let pager: WebhookReceiver;
  let smtp: SmtpSink;
  let nurse: { id: string; token: string };
  let rotaId: string;
  let homes = 0;
  const gateways: TestGateway[] = [];

  /** A fresh home and patient for each scenario; the nurse joins the care team. */
  async function home() {
    const n = String(++homes).padStart(2, '0');
    const dev = { OX: `ble:00:11:22:33:${n}:01`, CUFF: `ble:00:11:22:33:${n}:02`, SCALE: `ble:00:11:22:33:${n}:03` };
    const h0 = await setupHome(t, {
      gatewayId: `gw-scenario-${n}`,
      patientName: `Patient ${homes}`,
      devices: Object.values(dev),
    });
    const h = { ...h0, ...dev };
    await addCareTeamMember(t.server.sql, {
      patientId: h.patientId,
      userId: nurse.id,
      teamRole: 'member',
      clearance: 'clinical',
      addedBy: nurse.id,
    });
    gateways.push(h.gateway);
    return h;
  }
  // Typed as at least two so destructuring reads well; an empty list fails the test anyway.
  // Cases about one parameter leave out NEWS2: SpO2 alone can open one (a single red parameter
  // surfaces as low-medium, priority low, never paged). NEWS2's own cases ask for it.
  const alertsOf = async (patientId: string, o: { news2?: boolean } = {}) =>
    (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${patientId}`)).body.filter(
      (a) => o.news2 || a.rule !== 'news2',
    ) as [ApiAlert, ApiAlert, ...ApiAlert[]];
  const pagesFor = (alertId: string) =>
    pager.received.filter((r) => r.body.type === 'alert.page' && r.body.alert.id === alertId);
  const mailsFor = (alertId: string) =>
    smtp.mails.filter((m) => m.headers['x-vitals-idempotency-key']?.includes(alertId));

  /** Sends a series in slices, moving the clock along with the measurement times. */
  async function stream(
    gw: TestGateway,
    device: string,
    metric: 'spo2' | 'pulse_rate',
    pts: { t: number; v: number }[],
    slice = 30,
  ) {
    for (let i = 0; i < pts.length; i += slice) {
      const part = pts.slice(i, i + slice);
      t.clock.set(part.at(-1)!.t + 1000);
      // A continuous oximeter: the gateway flags each reading `continuous`.
      const flagged = part.map((p) => ({ ...p, flags: ['continuous'] }));
      await gw.send(gw.readings(device, metric, metric === 'spo2' ? '%' : '/min', flagged));
      await t.settle();
    }
  }

  beforeAll(async () => {
    site = await new WebhookReceiver('site-secret-0123456789').start();
    pager = await new WebhookReceiver('pager-secret-0123456789').start();
    smtp = await SmtpSink.start();
    t = await startAlertServer({
      backend,
      env: {
        // These scenarios jump the clock between readings: pages go out at once, without the
        // grouping wait (grouping: server/src/notify/escalation-policy.int.test.ts).
        VITALS_PAGE_GROUP_SECONDS: '0',
        VITALS_ALERT_WEBHOOK_URL: site.url,
        VITALS_ALERT_WEBHOOK_SECRET: 'site-secret-0123456789',
        VITALS_SMTP_URL: smtp.url,
        VITALS_SMTP_FROM: 'vitals <alerts@clinic.test>',
        VITALS_PUBLIC_URL: 'https://vitals.clinic.test',
      },
    });
    t.clock.set(T0);
    // The physician (admin) is paged through the clinic's paging webhook.
    expect(
      (
        await t.api('POST', '/api/v1/me/contacts', {
          channel: 'webhook',
          address: pager.url,
          secret: 'pager-secret-0123456789',
        })
      ).status,
    ).toBe(201);
    // A nurse of another organisation, on call for the visiting-nurse station, reached by email.
    const sql = t.server.sql;
    const station = await createOrganisation(sql, {
      name: 'Visiting nurse station',
      kind: 'nurse_station',
      locale: 'en',
    });
    const nurseId = await createUser(sql, {
      email: 'yamada@station.test',
      displayName: 'Nurse Yamada',
      profession: 'nurse',
      passwordHash: await hashPassword('nurse-password-1'),
      locale: 'en',
    });
    await addMembership(sql, nurseId, station, 'admin');
    const login = await t.api<{ token: string }>(
      'POST',
      '/api/v1/auth/login',
      { email: 'yamada@station.test', password: 'nurse-password-1' },
      null,
    );
    nurse = { id: nurseId, token: login.body.token };
    expect(
      (await t.api('POST', '/api/v1/me/contacts', { channel: 'email', address: 'yamada@station.test' }, nurse.token))
        .status,
    ).toBe(201);
    const rota = await t.api<{ id: string }>(
      'POST',
      '/api/v1/rotas',
      { name: '24-hour phone', members: [nurseId], handoverTime: '09:00', startDate: '2026-11-01' },
      nurse.token,
    );
    expect(rota.status).toBe(201);
    rotaId = rota.body.id;
  });

  afterAll(async () => {
    for (const g of gateways) await g.close().catch(() => {});
    await t?.close();
    await site?.close();
    await pager?.close();
    await smtp?.stop();
  });

  it('pages once for a 4-minute SpO2 dip to 88 % and keeps the high alert latched after recovery', async () => {
    const { patientId, gateway, OX } = await home();
    const start = T0 + 10 * MIN;
    const pts = Array.from({ length: 420 }, (_, i) => ({ t: start + i * 1000, v: i >= 60 && i < 300 ? 88 : 97 }));
    await stream(gateway, OX, 'spo2', pts);
    const [a, ...more] = await alertsOf(patientId);
    expect(more).toEqual([]);
    expect(a).toMatchObject({
      rule: 'spo2_low',
      priority: 'high',
      state: 'firing',
      worstValue: 88,
      repeatCount: expect.any(Number),
    });
    expect(a.openedAt).toBe(new Date(start + 180_000).toISOString()); // 2 minutes into the dip
    expect(a.conditionClearedAt).toBe(new Date(start + 300_000).toISOString());
    expect(pagesFor(a.id)).toHaveLength(1);
    expect(pagesFor(a.id)[0]!.signatureValid).toBe(true);
    expect(site.of('alert.opened').filter((r) => r.body.alert.id === a.id)).toHaveLength(1);
  });

  it('gives one alert and one notification for values flapping around a threshold', async () => {
    const { patientId, gateway, OX, CUFF } = await home();
    // Spot checks every 2 minutes alternating 105 and 115 /min: twenty crossings of 110.
    const start = T0 + 30 * MIN;
    for (let i = 0; i < 20; i++) {
      t.clock.set(start + i * 2 * MIN + 1000);
      await gateway.send(
        gateway.readings(CUFF, 'pulse_rate', '/min', [{ t: start + i * 2 * MIN, v: i % 2 ? 105 : 115 }]),
      );
      await t.settle();
    }
    // A continuous oximeter hovering around 92/93 % for ten minutes.
    const s2 = start + 60 * MIN;
    await stream(
      gateway,
      OX,
      'spo2',
      Array.from({ length: 600 }, (_, i) => ({ t: s2 + i * 1000, v: i % 2 ? 92 : 93 })),
      60,
    );
    const list = (await alertsOf(patientId)).sort((a, b) => a.rule.localeCompare(b.rule));
    expect(list.map((a) => [a.rule, a.priority])).toEqual([
      ['pulse_high', 'medium'],
      ['spo2_low', 'medium'],
    ]);
    const pulse = list.find((a) => a.rule === 'pulse_high')!;
    expect(pulse.flapCount).toBe(9);
    expect(pagesFor(pulse.id)).toHaveLength(1);
    expect(pagesFor(list.find((a) => a.rule === 'spo2_low')!.id)).toHaveLength(1);
  });

  it('raises a missed morning blood pressure at 10:00 Tokyo time and resolves it when taken', async () => {
    const { patientId, gateway, CUFF } = await home();
    const s = await t.api('POST', `/api/v1/patients/${patientId}/schedules`, {
      metric: 'bp_systolic',
      windowStart: '05:00',
      dueTime: '10:00',
      label: 'morning blood pressure',
    });
    expect(s.status).toBe(201);
    t.clock.set('2026-11-25T00:59:00.000Z'); // 09:59 in Tokyo
    await t.settle();
    expect(await alertsOf(patientId)).toEqual([]);
    await t.advance(2 * MIN);
    const [a] = await alertsOf(patientId);
    expect(a).toMatchObject({
      rule: 'missed_measurement',
      metric: 'bp_systolic',
      priority: 'low',
      state: 'firing',
      openedAt: '2026-11-25T01:00:00.000Z',
    });
    expect(pagesFor(a.id)).toEqual([]); // low priority: shown, never paged (issue 14)
    await t.advance(30 * MIN);
    await gateway.send(gateway.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: t.clock.now().getTime(), v: 128 }]));
    await t.settle();
    expect((await alertsOf(patientId))[0]).toMatchObject({ id: a.id, state: 'resolved', resolution: 'cleared' });
    // A planned hospital stay pauses the check the next morning.
    const away = await t.api('POST', `/api/v1/patients/${patientId}/absences`, {
      kind: 'hospital',
      endsAt: '2026-11-28T00:00:00.000Z',
      reason: 'admitted for pneumonia',
    });
    expect(away.status).toBe(201);
    t.clock.set('2026-11-26T01:05:00.000Z');
    await t.settle();
    expect((await alertsOf(patientId)).filter((x) => x.state !== 'resolved')).toEqual([]);
  });

  it('raises gateway offline after 15 minutes of an unplugged gateway and resolves it when it is back', async () => {
    const h = await home();
    const start = Date.parse('2026-11-26T03:00:00.000Z');
    t.clock.set(start);
    await h.gateway.status('online');
    await t.settle();
    h.gateway.unplug();
    const offline = async () =>
      (
        await t.server.sql.query<{ state: string }>('SELECT state FROM gateway_liveness WHERE gateway_id = $1', [
          h.gateway.id,
        ])
      ).rows[0]?.state;
    for (let i = 0; i < 100 && (await offline()) !== 'offline'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await offline()).toBe('offline');
    await t.advance(14 * MIN);
    expect(await alertsOf(h.patientId)).toEqual([]);
    await t.advance(2 * MIN);
    const [a] = await alertsOf(h.patientId);
    expect(a).toMatchObject({ rule: 'gateway_offline', ruleKey: h.gateway.id, priority: 'medium', state: 'firing' });
    expect(pagesFor(a.id)).toHaveLength(1);
    await t.advance(4 * MIN); // plugged back in after 20 minutes
    const again = await TestGateway.connect(t.mqttUrl, h.gateway.id, h.password);
    gateways.push(again);
    await again.status('online');
    await t.settle();
    for (let i = 0; i < 100 && (await alertsOf(h.patientId))[0].state !== 'resolved'; i++) await t.settle();
    expect((await alertsOf(h.patientId))[0]).toMatchObject({ id: a.id, state: 'resolved', resolution: 'cleared' });
    expect(pagesFor(a.id)).toHaveLength(1);
  });

  it('raises weight gain of 2.1 kg over 3 days', async () => {
    const { patientId, gateway, SCALE } = await home();
    const day0 = Date.parse('2026-11-23T22:00:00.000Z'); // 07:00 Tokyo
    const weights = [60.0, 60.6, 61.3, 62.1];
    for (let d = 0; d < weights.length; d++) {
      t.clock.set(day0 + d * 24 * HOUR + 5 * MIN);
      await gateway.send(
        gateway.readings(SCALE, 'body_weight', 'kg', [
          { t: day0 + d * 24 * HOUR + (d === 3 ? 20 * MIN : 0), v: weights[d]! },
        ]),
      );
      await t.settle();
      if (d < 3) expect(await alertsOf(patientId)).toEqual([]);
    }
    const [a] = await alertsOf(patientId);
    expect(a).toMatchObject({
      rule: 'weight_gain',
      metric: 'body_weight',
      priority: 'medium',
      state: 'firing',
      lastValue: 62.1,
      detail: { riseKg: 2.1 },
    });
    expect(pagesFor(a.id)).toHaveLength(1);
  });

  it('keeps a dip inside a 6-hour backlog visible as late without paging, and pages once it is still going on', async () => {
    const { patientId, gateway, OX } = await home();
    const now = Date.parse('2026-11-27T06:00:00.000Z');
    const start = now - 6 * HOUR;
    // One reading every 5 s for 6 hours: a 5-minute dip to 85 % at hour 1, and 84 % in the last 4 minutes.
    const pts = Array.from({ length: (6 * HOUR) / 5000 }, (_, i) => {
      const at = start + i * 5000;
      const low = (at >= start + HOUR && at < start + HOUR + 5 * MIN) || at >= now - 4 * MIN;
      return { t: at, v: low ? 84 : 97, flags: ['continuous'] };
    });
    t.clock.set(now);
    const acks = await gateway.send(gateway.readings(OX, 'spo2', '%', pts));
    expect(acks.reduce((n, a) => n + a.accepted, 0)).toBe(pts.length);
    await t.settle();
    // The high-priority dip of hour 1 is not resolved as late at once: it stays open (one open
    // alert per patient and rule), and the dip still going on at the end pages it, live again.
    const list = await alertsOf(patientId);
    expect(list.map((a) => [a.rule, a.state, a.late])).toEqual([['spo2_low', 'firing', false]]);
    const [current] = list;
    expect(current.openedAt).toBe(new Date(start + HOUR + 2 * MIN).toISOString());
    expect(site.of('alert.late').map((r) => r.body.alert.id)).toContain(current.id);
    const types = (await t.api<{ type: string }[]>('GET', `/api/v1/alerts/${current.id}/events`)).body.map(
      (e) => e.type,
    );
    expect(types.slice(0, 3)).toEqual(['opened', 'late', 'condition_returned']);
    expect(pagesFor(current.id)).toHaveLength(1);
    const stored = await t.api<{ points: unknown[] }>(
      'GET',
      `/api/v1/patients/${patientId}/readings?metric=spo2&from=${new Date(start).toISOString()}&to=${new Date(now).toISOString()}&maxPoints=10000`,
    );
    expect(stored.body.points).toHaveLength(pts.length);
  });

  it('judges readings taken before the binding when the binding attaches them: a past dip is late and visible, not paged', async () => {
    const { patientId, gateway } = await home();
    const loose = `ble:00:11:22:33:${String(homes).padStart(2, '0')}:09`; // not bound yet
    const now = Date.parse('2026-11-27T12:00:00.000Z');
    const start = now - 2 * HOUR;
    // Every 5 s for an hour: a 5-minute dip to 84 % at 20 minutes, normal otherwise.
    const pts = Array.from({ length: HOUR / 5000 }, (_, i) => {
      const at = start + i * 5000;
      return { t: at, v: at >= start + 20 * MIN && at < start + 25 * MIN ? 84 : 97, flags: ['continuous'] };
    });
    t.clock.set(now);
    await gateway.send(gateway.readings(loose, 'spo2', '%', pts));
    await t.settle();
    expect(await alertsOf(patientId)).toEqual([]);
    const bind = await t.api<{ attachedReadings: number }>('POST', '/api/v1/bindings', {
      deviceId: loose,
      patientId,
      from: new Date(start - HOUR).toISOString(),
    });
    expect(bind.body.attachedReadings).toBe(pts.length);
    await t.settle();
    const list = await alertsOf(patientId);
    expect(list.map((a) => [a.rule, a.state, a.late])).toEqual([['spo2_low', 'firing', true]]);
    expect(list[0].openedAt).toBe(new Date(start + 22 * MIN).toISOString());
    expect(pagesFor(list[0].id)).toEqual([]);
  });

  it('escalates to the second step across organisations when the first does not acknowledge', async () => {
    const { patientId, gateway, CUFF } = await home();
    const pol = await t.api('PUT', `/api/v1/patients/${patientId}/escalation-policy`, {
      reason: 'nurse station first, then the attending physician',
      steps: [
        { targets: [{ type: 'rota', rotaId }], delayMinutes: 10 },
        { targets: [{ type: 'team_role', role: 'attending' }], delayMinutes: 10 },
      ],
    });
    expect(pol.status).toBe(200);
    const at = Date.parse('2026-11-27T12:00:00.000Z');
    t.clock.set(at);
    await gateway.send(gateway.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: at - 2000, v: 192 }]));
    await t.settle();
    const [a] = await alertsOf(patientId);
    expect(a).toMatchObject({
      rule: 'systolic_high',
      priority: 'high',
      state: 'firing',
      escalation: { step: 0, round: 0 },
    });
    await smtp.waitFor(() => mailsFor(a.id).length === 1);
    const mail = mailsFor(a.id)[0]!;
    expect(mail.to).toEqual(['yamada@station.test']);
    expect(mail.subject).toBe(`[HIGH] Patient ${homes}: High systolic pressure 192 mm[Hg]`);
    expect(mail.text).toContain('https://vitals.clinic.test/api/v1/alerts/ack-link?token=');
    expect(pagesFor(a.id)).toEqual([]);
    await t.advance(9 * MIN);
    expect(pagesFor(a.id)).toEqual([]);
    await t.advance(1 * MIN);
    await pager.waitFor(() => pagesFor(a.id).length === 1);
    expect(pagesFor(a.id)[0]!.body).toMatchObject({ step: 1, round: 0, recipient: { displayName: 'Dr. Sato' } });
    // The physician acknowledges: no further pages, whoever is next.
    expect((await t.api('POST', `/api/v1/alerts/${a.id}/ack`, { note: 'on my way' })).body).toMatchObject({
      state: 'acknowledged',
    });
    await t.advance(60 * MIN);
    expect(pagesFor(a.id)).toHaveLength(1);
    expect(mailsFor(a.id)).toHaveLength(1);
    const deliveries = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${a.id}/deliveries`)).body;
    expect(deliveries.filter((d) => d.event === 'alert.page').map((d) => [d.channel, d.status, d.step])).toEqual([
      ['email', 'delivered', 0],
      ['webhook', 'delivered', 1],
    ]);
  });

  it('turns an undeliverable page into a technical alert and goes to the next step', async () => {
    const { patientId, gateway, CUFF } = await home();
    const broken = await new WebhookReceiver(null).start();
    broken.failWith = Array.from({ length: 100 }, () => 503);
    const sql = t.server.sql;
    const org = (await sql.query<{ id: string }>('SELECT id FROM organisations ORDER BY created_at LIMIT 1')).rows[0]!
      .id;
    const kato = await createUser(sql, {
      email: 'kato@clinic.test',
      displayName: 'Dr. Kato',
      profession: 'physician',
      passwordHash: await hashPassword('kato-password-1'),
      locale: 'en',
    });
    await addMembership(sql, kato, org, 'staff');
    // A policy names care-team members only (issue 11, item 7).
    await addCareTeamMember(sql, {
      patientId,
      userId: kato,
      teamRole: 'member',
      clearance: 'restricted',
      addedBy: kato,
    });
    const katoToken = (
      await t.api<{ token: string }>(
        'POST',
        '/api/v1/auth/login',
        { email: 'kato@clinic.test', password: 'kato-password-1' },
        null,
      )
    ).body.token;
    expect(
      (await t.api('POST', '/api/v1/me/contacts', { channel: 'webhook', address: broken.url }, katoToken)).status,
    ).toBe(201);
    await t.api('PUT', `/api/v1/patients/${patientId}/escalation-policy`, {
      reason: 'Dr. Kato first, nurse station second',
      steps: [
        { targets: [{ type: 'user', userId: kato }], delayMinutes: 30 },
        { targets: [{ type: 'rota', rotaId }], delayMinutes: 30 },
      ],
    });
    const at = Date.parse('2026-11-27T15:00:00.000Z');
    t.clock.set(at);
    await gateway.send(gateway.readings(CUFF, 'glucose', 'mg/dL', [{ t: at - 1000, v: 55 }]));
    await t.settle();
    const [a] = await alertsOf(patientId);
    expect(a.rule).toBe('glucose_low');
    for (let i = 0; i < 6; i++) await t.advance(2 * MIN);
    const deliveries = (await t.api<ApiDelivery[]>('GET', `/api/v1/alerts/${a.id}/deliveries`)).body.filter(
      (d) => d.event === 'alert.page',
    );
    expect(deliveries[0]).toMatchObject({
      channel: 'webhook',
      status: 'failed',
      attempts: 5,
      lastError: expect.stringContaining('503'),
    });
    await smtp.waitFor(() => mailsFor(a.id).length === 1);
    const list = (await alertsOf(patientId)).sort((x, y) => x.rule.localeCompare(y.rule));
    expect(list.map((x) => [x.rule, x.priority])).toEqual([
      ['delivery_failed', 'medium'],
      ['glucose_low', 'high'],
    ]);
    expect(list[1]!.escalation.step).toBe(1);
    await broken.close();
  });

  it('does not page for a rule silenced at its priority, and never hides a higher one', async () => {
    const { patientId, gateway, CUFF } = await home();
    const at = Date.parse('2026-11-27T18:00:00.000Z');
    t.clock.set(at);
    const s = await t.api<{ id: string }>('POST', `/api/v1/patients/${patientId}/silences`, {
      rule: 'temperature_high',
      priority: 'medium',
      reason: 'known infection, on antibiotics',
      expiresAt: new Date(at + 6 * HOUR).toISOString(),
    });
    expect(s.status).toBe(201);
    await gateway.send(gateway.readings(CUFF, 'body_temperature', 'Cel', [{ t: at, v: 38.4 }]));
    await t.settle();
    const [a] = await alertsOf(patientId);
    expect(a).toMatchObject({ priority: 'medium', silencedBy: s.body.id });
    expect(pagesFor(a.id)).toEqual([]);
    t.clock.set(at + 5 * MIN);
    await gateway.send(gateway.readings(CUFF, 'body_temperature', 'Cel', [{ t: at + 4 * MIN, v: 39.4 }]));
    await t.settle();
    expect((await alertsOf(patientId))[0]).toMatchObject({ id: a.id, priority: 'high' });
    expect(pagesFor(a.id)).toHaveLength(1);
  });

  it('keeps the COPD target range of 88–92 % from alarming at 89 % and says who changed it and why', async () => {
    const { patientId, gateway, OX } = await home();
    const r = await t.api('PUT', `/api/v1/patients/${patientId}/targets/spo2`, {
      low: 88,
      high: 92,
      reason: 'COPD with hypercapnia; BTS target 88-92 %',
    });
    expect(r.status).toBe(200);
    const at = Date.parse('2026-11-27T20:00:00.000Z');
    t.clock.set(at);
    await gateway.send(gateway.readings(OX, 'spo2', '%', [{ t: at, v: 89 }]));
    await t.settle();
    expect(await alertsOf(patientId)).toEqual([]);
    const h = (await t.api<Record<string, unknown>[]>('GET', `/api/v1/patients/${patientId}/alert-settings/history`))
      .body;
    expect(h[0]).toMatchObject({
      what: 'target:spo2',
      after: { low: 88, high: 92 },
      reason: 'COPD with hypercapnia; BTS target 88-92 %',
      changedByName: 'Dr. Sato',
    });
    expect(
      (
        await t.api(
          'PUT',
          `/api/v1/patients/${patientId}/targets/spo2`,
          { low: 85, reason: 'not allowed for a member' },
          nurse.token,
        )
      ).status,
    ).toBe(403);
  });

  it('scores NEWS2 from the parameters a home has and lists the missing ones', async () => {
    const { patientId, gateway, OX, CUFF } = await home();
    const at = Date.parse('2026-11-28T01:00:00.000Z');
    t.clock.set(at + 1000);
    await gateway.send([
      ...gateway.readings(OX, 'spo2', '%', [{ t: at - 60_000, v: 91 }]),
      ...gateway.readings(OX, 'pulse_rate', '/min', [{ t: at - 60_000, v: 115 }]),
      ...gateway.readings(CUFF, 'bp_systolic', 'mm[Hg]', [{ t: at - 30_000, v: 105 }]),
      ...gateway.readings(CUFF, 'body_temperature', 'Cel', [{ t: at, v: 38.5 }]),
    ]);
    await t.settle();
    const news = (await alertsOf(patientId, { news2: true })).find((a) => a.rule === 'news2')!;
    expect(news).toMatchObject({ priority: 'high', lastValue: 7 });
    // Nothing is assumed: oxygen and consciousness unknown are missing, and the score is a lower bound.
    expect(news.detail).toMatchObject({
      score: 7,
      partial: true,
      missing: ['respiratoryRate', 'airOrOxygen', 'consciousness'],
      parameters: {
        spo2: { value: 91, score: 3 },
        pulse: { value: 115, score: 2 },
        systolicBloodPressure: { value: 105, score: 1 },
        temperature: { value: 38.5, score: 1 },
      },
    });
  });

  it('finds a NEWS2 episode inside a 3-hour backlog and keeps it visible as late, unpaged', async () => {
    const { patientId, gateway, OX, CUFF } = await home();
    const now = Date.parse('2026-11-28T09:00:00.000Z');
    const start = now - 3 * HOUR;
    // Ill from 1:00 to 1:20 into the backlog: SpO2 91 (3), pulse 125 (2), 39.5 °C (2), systolic 105 (1).
    const ill = (at: number) => at >= start + HOUR && at < start + HOUR + 20 * MIN;
    const every = (ms: number) => Array.from({ length: (3 * HOUR) / ms }, (_, i) => start + i * ms);
    t.clock.set(now);
    await gateway.send([
      ...gateway.readings(
        OX,
        'spo2',
        '%',
        every(30_000).map((at) => ({ t: at, v: ill(at) ? 91 : 97, flags: ['continuous'] })),
      ),
      ...gateway.readings(
        OX,
        'pulse_rate',
        '/min',
        every(30_000).map((at) => ({ t: at, v: ill(at) ? 125 : 70, flags: ['continuous'] })),
      ),
      ...gateway.readings(
        CUFF,
        'body_temperature',
        'Cel',
        every(10 * MIN).map((at) => ({ t: at, v: ill(at) ? 39.5 : 36.6 })),
      ),
      ...gateway.readings(
        CUFF,
        'bp_systolic',
        'mm[Hg]',
        every(10 * MIN).map((at) => ({ t: at, v: 105 })),
      ),
    ]);
    await t.settle();
    const news = (await alertsOf(patientId, { news2: true })).filter((a) => a.rule === 'news2');
    expect(news).toHaveLength(1);
    expect(news[0]).toMatchObject({ priority: 'high', state: 'firing', late: true, worstValue: 8 });
    // Scored at the newest reading of each minute. The oximeter's values count once they have held
    // for two minutes (from 1:02:00): the first minute scored after that is at 1:02:30.
    expect(news[0]!.openedAt).toBe(new Date(start + HOUR + 150_000).toISOString());
    expect(pagesFor(news[0]!.id)).toEqual([]);
  });

  it('raises a low battery from a gateway event and clears it when the battery is replaced', async () => {
    const { patientId, gateway, CUFF } = await home();
    t.clock.set(Date.parse('2026-11-28T02:00:00.000Z'));
    await gateway.event({
      type: 'battery',
      device: CUFF,
      detail: { level: 12, low: true },
      time: t.clock.now().toISOString(),
    });
    const waitFor = async (pred: (a: ApiAlert[]) => boolean) => {
      for (let i = 0; i < 100 && !pred(await alertsOf(patientId)); i++) await t.settle();
      return alertsOf(patientId);
    };
    const [a] = await waitFor((l) => l.length > 0);
    expect(a).toMatchObject({ rule: 'battery_low', ruleKey: CUFF, priority: 'low', state: 'firing', lastValue: 12 });
    await gateway.event({ type: 'battery', device: CUFF, detail: { level: 95 }, time: t.clock.now().toISOString() });
    const [b] = await waitFor((l) => l[0]?.state === 'resolved');
    expect(b).toMatchObject({ id: a.id, state: 'resolved' });
  });

  it('raises a continuous device silent for the minutes the doctor set', async () => {
    const { patientId, gateway, OX } = await home();
    const at = Date.parse('2026-11-28T03:00:00.000Z');
    expect(
      (
        await t.api('PUT', `/api/v1/patients/${patientId}/alert-rules/device_silent`, {
          minutes: 10,
          reason: 'overnight oximetry',
        })
      ).status,
    ).toBe(200);
    t.clock.set(at);
    await gateway.send(gateway.readings(OX, 'spo2', '%', [{ t: at - 1000, v: 97 }]));
    await t.settle();
    await t.advance(9 * MIN);
    expect((await alertsOf(patientId)).filter((a) => a.ruleKey === OX)).toEqual([]);
    await t.advance(2 * MIN);
    const [a] = (await alertsOf(patientId)).filter((x) => x.rule === 'device_silent');
    expect(a).toMatchObject({ rule: 'device_silent', ruleKey: OX, priority: 'low', state: 'firing' });
    await gateway.send(gateway.readings(OX, 'spo2', '%', [{ t: t.clock.now().getTime(), v: 97 }]));
    await t.settle();
    expect((await alertsOf(patientId)).find((x) => x.id === a!.id)).toMatchObject({ state: 'resolved' });
  });

  it('reports the alarm load per rule and patient', async () => {
    const r = await t.api<{ rows: { rule: string }[] }>(
      'GET',
      '/api/v1/reports/alarm-load?from=2026-11-01T00:00:00.000Z&to=2026-12-31T00:00:00.000Z',
    );
    expect(r.status).toBe(200);
    const spo2 = r.body.rows.filter((x) => x.rule === 'spo2_low');
    expect(spo2.length).toBeGreaterThan(0);
    expect(spo2[0]).toEqual({
      patientId: expect.any(String),
      patientName: expect.any(String),
      rule: 'spo2_low',
      count: expect.any(Number),
      acknowledged: expect.any(Number),
      medianSecondsToAcknowledge: null,
      selfClearedWithin2Minutes: expect.any(Number),
    });
    expect(ALERT_ADMIN.email).toBe('admin@alerts.test');
  });
});
