/**
 * Issue 15: system items in the same feed as posts, in order: an alert opened, acknowledged
 * from the timeline with a comment (the same action as from a page) and resolved; observations
 * recorded by the team; planned absences; a gateway's clock corrected; the daily digest at the
 * team's time, made once however many makers run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';
import { ManualClock } from '../../alerts/clock.ts';

interface Item {
  id: string;
  kind: string;
  time: string;
  body: string;
  author?: { id: string; displayName: string };
  detail?: Record<string, unknown>;
}

describe('system items on the timeline', () => {
  let t: TestApp;
  const clock = new ManualClock('2026-12-01T01:00:00Z');
  const feed = async (patientId: string, query = '') =>
    (await t.api<{ items: Item[] }>('GET', `/api/v1/patients/${patientId}/timeline?limit=200${query}`)).body.items;
  const patient = async (name: string) =>
    (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: name })).body.id;

  beforeAll(async () => {
    t = await buildTestApp({ alertClock: clock });
  });
  afterAll(async () => t?.close());

  it('shows an observation and the alert it opened, and acknowledges the alert from the timeline with a comment', async () => {
    const p = await patient('システム 一郎');
    clock.set(Date.now());
    const obs = await t.api<{ id: string }>('POST', `/api/v1/patients/${p}/observations`, {
      readings: [{ metric: 'spo2', value: 85 }],
    });
    expect(obs.status).toBe(201);
    await t.services.alerts.settled();
    const items = await feed(p);
    const observation = items.find((i) => i.kind === 'observation');
    expect(observation?.detail).toMatchObject({ observationId: obs.body.id, values: [{ metric: 'spo2', value: 85 }] });
    const opened = items.find((i) => i.kind === 'alert' && i.detail?.rule === 'spo2_low');
    expect(opened?.detail).toMatchObject({ transition: 'opened', priority: 'high' });

    clock.advance(60_000);
    const ack = await t.api('POST', `/api/v1/timeline/${opened!.id}/ack`, { note: '電話で確認、安静にて改善' });
    expect(ack.status).toBe(204);
    const alert = await t.api<{ state: string; note?: string }>('GET', `/api/v1/alerts/${opened!.detail!.alertId}`);
    expect(alert.body.state).toMatch(/acknowledged|resolved/);
    const after = await feed(p, '&kind=alert');
    const acknowledged = after.find((i) => i.detail?.transition === 'acknowledged' && i.detail?.rule === 'spo2_low');
    expect(acknowledged).toMatchObject({
      body: '電話で確認、安静にて改善',
      author: { displayName: expect.any(String) },
    });
    // Newest first: the acknowledgement above the opening.
    expect(after.indexOf(acknowledged!)).toBeLessThan(after.findIndex((i) => i.id === opened!.id));
    expect((await t.api('POST', `/api/v1/timeline/${observation!.id}/ack`, {})).status).toBe(400);
  });

  it('shows a planned absence with its reason and period', async () => {
    const p = await patient('システム 二郎');
    const a = await t.api<{ id: string }>('POST', `/api/v1/patients/${p}/absences`, {
      kind: 'short_stay',
      reason: 'ショートステイ',
      endsAt: '2026-12-08T00:00:00Z',
    });
    expect(a.status).toBe(201);
    const absence = (await feed(p)).find((i) => i.kind === 'absence');
    expect(absence).toMatchObject({ body: 'ショートステイ', detail: { absenceId: a.body.id, absence: 'short_stay' } });
  });

  it('shows a corrected gateway clock to the patients whose devices hang on that gateway, once', async () => {
    const p = await patient('システム 三郎');
    await t.sql.query(`INSERT INTO gateways (id, secret_hash) VALUES ('gw-timeline', 'x')`);
    await t.sql.query(`INSERT INTO devices (id, gateway_id) VALUES ('ble:timeline', 'gw-timeline')`);
    await t.sql.query(
      `INSERT INTO bindings (id, device_id, patient_id, valid_from) VALUES (gen_random_uuid(), 'ble:timeline', $1, '2026-01-01')`,
      [p],
    );
    const event = { time: '2026-12-01T00:30:00Z', type: 'clock_adjusted', detail: { clock: 'gateway', stepMs: 93000 } };
    await t.services.timeline.onGatewayEvent('gw-timeline', event);
    await t.services.timeline.onGatewayEvent('gw-timeline', event);
    await t.services.timeline.onGatewayEvent('gw-timeline', { ...event, type: 'outbox_backlog' });
    const events = (await feed(p)).filter((i) => i.kind === 'event');
    expect(events).toHaveLength(1);
    expect(events[0]!.detail).toMatchObject({ gatewayId: 'gw-timeline', event: 'clock_adjusted' });
  });

  it('posts the daily digest of yesterday at the team’s time, once however many makers run', async () => {
    const p = await patient('システム 四郎');
    // Tokyo 2026-12-01: two readings in the day.
    await t.api('POST', `/api/v1/patients/${p}/observations`, {
      time: '2026-11-30T23:00:00Z',
      readings: [{ metric: 'pulse_rate', value: 70 }],
    });
    await t.api('POST', `/api/v1/patients/${p}/observations`, {
      time: '2026-12-01T09:00:00Z',
      readings: [{ metric: 'pulse_rate', value: 96 }],
    });
    expect((await t.api('PUT', `/api/v1/patients/${p}/timeline/digest`, { time: '08:30' })).status).toBe(200);
    clock.set('2026-12-01T23:00:00Z'); // Tokyo 2026-12-02 08:00: not yet
    await t.services.timeline.makeDueDigests();
    expect((await feed(p, '&kind=digest')).length).toBe(0);
    clock.set('2026-12-01T23:45:00Z'); // Tokyo 08:45
    await Promise.all([t.services.timeline.makeDueDigests(), t.services.timeline.makeDueDigests()]);
    await t.services.timeline.makeDueDigests();
    const digests = await feed(p, '&kind=digest');
    expect(digests).toHaveLength(1);
    expect(digests[0]!.detail).toMatchObject({
      day: '2026-12-01',
      values: [expect.objectContaining({ metric: 'pulse_rate', min: 70, max: 96, count: 2 })],
    });
    const text = await t.api<{ text: string }>('GET', `/api/v1/timeline/${digests[0]!.id}/text?lang=ja`);
    expect(text.body.text).toContain('バイタル日報');
    expect(text.body.text).toContain('脈拍 70–96 /分');
  });
});
