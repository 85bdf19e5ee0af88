/**
 * Late data (issue 14): what a backlog delivers is judged on measurement time like live data,
 * but nobody is paged for it. A high-priority episode found in a backlog is not resolved at
 * once: it stays `firing` with `late: true` until someone acknowledges it; medium and low
 * ones are resolved as `late`. An alert cleared by a reading that arrived late says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertTestServer,
  type ApiAlert,
  setupHome,
  startAlertServer,
  type TestGateway,
  WebhookReceiver,
} from '../../test-support/alert-server.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-11-25T00:00:00.000Z');

const NOTIFY_EVENTS = new Set(['paged', 'escalated', 'escalation_exhausted', 'delivery_failed', 'silenced']);

interface Event {
  type: string;
  detail?: Record<string, unknown>;
}

/** What a step sends: readings of the oximeter at measurement times, with the clock at `now`. */
interface Step {
  now: number;
  points: { t: number; v: number; flags?: string[] }[];
}

/** One value per second from `from` for `seconds`, continuous; `low` gives the value at second i. */
const oximeter = (from: number, seconds: number, value: (i: number) => number) =>
  Array.from({ length: seconds }, (_, i) => ({ t: from + i * 1000, v: value(i), flags: ['continuous'] }));

interface Case {
  name: string;
  steps: (start: number) => Step[];
  alert: Partial<ApiAlert> & Record<string, unknown>;
  events: string[];
  paged: boolean;
  /** The detail of the last lifecycle event, when it matters. */
  lastDetail?: Record<string, unknown>;
}

const CASES: Case[] = [
  {
    name: 'a high-priority dip found in a 6-hour backlog stays firing and late, unpaged',
    steps: (s) => [{ now: s + 6 * HOUR, points: oximeter(s, 420, (i) => (i >= 60 && i < 300 ? 86 : 97)) }],
    alert: { priority: 'high', state: 'firing', late: true },
    events: ['opened', 'late'],
    paged: false,
    lastDetail: { needsReview: true, page: false },
  },
  {
    name: 'a high-priority dip a backlog delivers in two parts stays firing and late, unpaged',
    steps: (s) => {
      const pts = oximeter(s, 420, (i) => (i >= 60 && i < 300 ? 86 : 97));
      return [
        { now: s + HOUR, points: pts.slice(0, 250) },
        { now: s + HOUR, points: pts.slice(250) },
      ];
    },
    alert: { priority: 'high', state: 'firing', late: true },
    events: ['opened', 'late'],
    paged: false,
  },
  {
    name: 'a late high-priority alert that fresh data shows holding again pages and is no longer late',
    steps: (s) => [
      { now: s + HOUR, points: oximeter(s, 420, (i) => (i >= 60 && i < 300 ? 86 : 97)) },
      { now: s + HOUR + 200_000, points: oximeter(s + HOUR, 200, () => 86) },
    ],
    alert: { priority: 'high', state: 'firing', late: false },
    events: ['opened', 'late', 'condition_returned'],
    paged: true,
  },
  {
    name: 'a medium dip found in a backlog is resolved as late, unpaged',
    steps: (s) => [{ now: s + HOUR, points: oximeter(s, 420, (i) => (i >= 60 && i < 300 ? 91 : 97)) }],
    alert: { priority: 'medium', state: 'resolved', late: true, resolution: 'late' },
    events: ['late'],
    paged: false,
  },
  {
    name: 'a paged medium alert cleared by a reading that arrived 35 minutes late says so',
    steps: (s) => [
      { now: s, points: [{ t: s, v: 91 }] },
      { now: s + 40 * MIN, points: [{ t: s + 5 * MIN, v: 97 }] },
    ],
    alert: { priority: 'medium', state: 'resolved', late: false, resolution: 'cleared' },
    events: ['opened', 'resolved'],
    paged: true,
    lastDetail: {
      resolution: 'cleared',
      late: true,
      clearedAt: new Date(5 * MIN).toISOString(), // shifted by the case's start below
      arrivedAfterSeconds: 35 * 60,
    },
  },
  {
    name: 'a paged medium alert cleared by a timely reading is not marked late',
    steps: (s) => [
      { now: s, points: [{ t: s, v: 91 }] },
      { now: s + 5 * MIN + 1000, points: [{ t: s + 5 * MIN, v: 97 }] },
    ],
    alert: { priority: 'medium', state: 'resolved', late: false, resolution: 'cleared' },
    events: ['opened', 'resolved'],
    paged: true,
    lastDetail: { resolution: 'cleared' },
  },
  {
    name: 'a paged high alert whose condition a late reading cleared stays latched and says so',
    steps: (s) => [
      { now: s, points: [{ t: s, v: 85 }] },
      { now: s + 40 * MIN, points: [{ t: s + 5 * MIN, v: 97 }] },
    ],
    alert: { priority: 'high', state: 'firing', late: false },
    events: ['opened', 'condition_cleared'],
    paged: true,
    lastDetail: { late: true, arrivedAfterSeconds: 35 * 60 },
  },
];

describe.each(['pglite', 'postgres'] as const)('late data on %s', (backend) => {
  let t: AlertTestServer;
  let pager: WebhookReceiver;
  const gateways: TestGateway[] = [];

  beforeAll(async () => {
    pager = await new WebhookReceiver('pager-secret-0123456789').start();
    // Pages go out at once (no grouping wait): the cases jump the clock past the wait in one step.
    t = await startAlertServer({ backend, env: { VITALS_PAGE_GROUP_SECONDS: '0' } });
    t.clock.set(T0);
    const c = await t.api('POST', '/api/v1/me/contacts', {
      channel: 'webhook',
      address: pager.url,
      secret: 'pager-secret-0123456789',
    });
    expect(c.status).toBe(201);
  });
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await t?.close();
    await pager?.close();
  });

  it.each(CASES.map((c, i) => [c.name, c, i] as const))('%s', async (_name, c, i) => {
    const ox = `ble:c4:7c:8d:6a:40:${String(i).padStart(2, '0')}`;
    const home = await setupHome(t, { gatewayId: `gw-late-${i}`, patientName: `Late ${i}`, devices: [ox] });
    gateways.push(home.gateway);
    const start = T0 + i * 12 * HOUR;
    for (const step of c.steps(start)) {
      t.clock.set(step.now);
      await home.gateway.send(home.gateway.readings(ox, 'spo2', '%', step.points));
      await t.settle();
    }
    // SpO2 alone can also open a NEWS2 alert (a single red parameter surfaces): these cases are about spo2_low.
    const alerts = (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${home.patientId}`)).body.filter(
      (a) => a.rule === 'spo2_low',
    );
    expect(alerts).toHaveLength(1);
    const a = alerts[0]!;
    expect(a).toMatchObject({ rule: 'spo2_low', ...c.alert });
    // The lifecycle's events; paging and escalation are asserted through the pager.
    const events = (await t.api<Event[]>('GET', `/api/v1/alerts/${a.id}/events`)).body.filter(
      (e) => !NOTIFY_EVENTS.has(e.type),
    );
    expect(events.map((e) => e.type)).toEqual(c.events);
    if (c.lastDetail) {
      const expected = { ...c.lastDetail };
      if (typeof expected.clearedAt === 'string')
        expected.clearedAt = new Date(start + Date.parse(expected.clearedAt)).toISOString();
      expect(events.at(-1)!.detail).toEqual(expect.objectContaining(expected));
      if (!('late' in c.lastDetail)) expect(events.at(-1)!.detail).not.toHaveProperty('late');
    }
    if (c.paged) await pager.waitFor((r) => r.some((x) => x.body.alert?.id === a.id));
    await t.settle();
    expect(pager.received.some((x) => x.body.alert?.id === a.id)).toBe(c.paged);
  });

  it('resolves a late high-priority alert once someone acknowledges it, still without a page', async () => {
    const late = (await t.api<ApiAlert[]>('GET', '/api/v1/alerts?state=firing')).body.filter(
      (a) => a.late && a.rule === 'spo2_low',
    );
    expect(late.length).toBe(2);
    for (const a of late) {
      const r = await t.api<ApiAlert>('POST', `/api/v1/alerts/${a.id}/ack`, {
        note: 'seen in the backlog, patient fine',
      });
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ state: 'resolved', resolution: 'acknowledged', late: true });
    }
    await t.settle();
    expect(pager.received.filter((x) => late.some((a) => a.id === x.body.alert?.id))).toEqual([]);
  });
});
