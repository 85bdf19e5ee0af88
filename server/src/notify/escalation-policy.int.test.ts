/**
 * Issue 14: paging a clinician can trust at 3 a.m. Each priority escalates as its policy says,
 * a silence set while an alert fires stops its pages until it runs out, a person's pages are
 * rate limited (suppressed, never lost), one patient's alerts opening within a minute make one
 * page, a weight trend's page says the rise, and the notify service's own transitions reach a
 * stream client. Real broker, database, HTTP pager; the alert clock is manual.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AlertTestServer,
  type ApiAlert,
  type ApiDelivery,
  type ReceivedHook,
  setupHome,
  startAlertServer,
  type TestGateway,
  WebhookReceiver,
} from '../../test-support/alert-server.ts';
import { applySilences } from './escalation.ts';

/** The live stream (api/stream) as a dashboard reads it: its `alert` events, parsed. */
async function alertStream(base: string, token: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const seen: { alertId: string; transition: string }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: alert$/m.test(block) && data) seen.push(JSON.parse(data));
        }
      }
    } catch {
      // closed
    }
  })();
  return { seen, close: () => abort.abort() };
}

const MIN = 60_000;
const DAY = 86_400_000;
const T0 = Date.parse('2026-11-02T00:00:00.000Z');
const CUFF = 'ble:c4:7c:8d:6a:3f:40';

type Metric = 'bp_systolic' | 'body_temperature' | 'glucose' | 'body_weight' | 'pulse_rate';
const UNIT: Record<Metric, string> = {
  bp_systolic: 'mm[Hg]',
  body_temperature: 'Cel',
  glucose: 'mg/dL',
  body_weight: 'kg',
  pulse_rate: '/min',
};

interface PageBody {
  type: string;
  alert: ApiAlert;
  alerts?: ApiAlert[];
  items?: { alertId: string }[];
  recipient: { locale: 'ja' | 'en' };
  text: { subject: string; body: string };
}

describe.each(['pglite', 'postgres'] as const)('escalation a clinician can trust on %s', (backend) => {
  let t: AlertTestServer;
  let pager: WebhookReceiver;
  const gateways: TestGateway[] = [];
  let homes = 0;

  beforeAll(async () => {
    pager = await new WebhookReceiver(null).start();
    t = await startAlertServer({ backend, env: { VITALS_PAGE_LIMIT: '3' } });
    t.clock.set(T0);
    expect((await t.api('POST', '/api/v1/me/contacts', { channel: 'webhook', address: pager.url })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    for (const g of gateways) await g.close();
    await t?.close();
    await pager?.close();
  });

  /** A patient of their own (the admin is their attending or lead), starting at day `day`. */
  async function patient(day: number) {
    // Earlier cases' alerts would keep paging the same person (and count towards the limit).
    for (const a of (await t.api<ApiAlert[]>('GET', '/api/v1/alerts?state=firing')).body)
      await t.api('POST', `/api/v1/alerts/${a.id}/ack`, {});
    const n = String(++homes).padStart(2, '0');
    const device = CUFF.replace('40', n);
    const h = await setupHome(t, {
      gatewayId: `gw-esc-${backend}-${n}`,
      patientName: `Esc Patient ${n}`,
      devices: [device],
    });
    gateways.push(h.gateway);
    const start = T0 + day * DAY;
    t.clock.set(start);
    return {
      id: h.patientId,
      gateway: h.gateway,
      device,
      start,
      /** One reading measured a second before now on the alert clock, evaluated. */
      async measure(metric: Metric, v: number) {
        const now = t.clock.now().getTime();
        await h.gateway.send(h.gateway.readings(device, metric, UNIT[metric], [{ t: now - 1000, v }]));
        await t.settle();
      },
      alerts: async () => (await t.api<ApiAlert[]>('GET', `/api/v1/alerts?patientId=${h.patientId}`)).body,
      pages: () =>
        pager.received
          .map((r: ReceivedHook) => r.body as unknown as PageBody)
          .filter((b) => b.type === 'alert.page' && b.alert.patientId === h.patientId),
      async policy(delayMinutes: number) {
        const r = await t.api('PUT', `/api/v1/patients/${h.patientId}/escalation-policy`, {
          steps: [
            {
              targets: [
                { type: 'team_role', role: 'attending' },
                { type: 'team_role', role: 'lead' },
              ],
              delayMinutes,
            },
          ],
          repeatLimit: null,
          reason: 'nurse station answers within minutes',
        });
        expect(r.status).toBe(200);
      },
    };
  }

  const deliveries = async (alertId: string) =>
    (
      await t.api<(ApiDelivery & { groupedInto?: number })[]>('GET', `/api/v1/alerts/${alertId}/deliveries`)
    ).body.filter((d) => d.event === 'alert.page');
  const events = async (alertId: string) =>
    (await t.api<{ type: string; detail?: Record<string, unknown> }[]>('GET', `/api/v1/alerts/${alertId}/events`)).body;

  /** Moves the clock minute by minute, letting the timers run each time. */
  async function minutes(n: number, each?: (m: number) => Promise<void>) {
    for (let m = 1; m <= n; m++) {
      await t.advance(MIN);
      if (each) await each(m);
    }
  }

  it.each([
    // priority, systolic value, pages in 61 minutes unacknowledged with a 15-minute step
    { priority: 'high', value: 192, pages: 5, last: 'escalated' },
    { priority: 'medium', value: 165, pages: 2, last: 'escalation_stopped' },
  ])('pages a $priority alert $pages times in an hour when nobody acknowledges', async (c) => {
    const p = await patient(c.priority === 'high' ? 1 : 2);
    await p.measure('bp_systolic', c.value);
    await minutes(62);
    const [a] = await p.alerts();
    expect(a).toMatchObject({ priority: c.priority, state: 'firing' });
    expect(p.pages()).toHaveLength(c.pages);
    expect((await events(a!.id)).filter((e) => e.type !== 'paged').at(-1)?.type).toBe(c.last);
  });

  it('never pages a low-priority alert, and shows it', async () => {
    const p = await patient(3);
    await p.gateway.event({ type: 'battery', device: p.device, detail: { level: 10 } });
    await t.settle();
    await minutes(31);
    const [a] = await p.alerts();
    expect(a).toMatchObject({ rule: 'battery_low', priority: 'low', state: 'firing' });
    expect(p.pages()).toEqual([]);
    expect((await events(a!.id)).map((e) => e.type)).toContain('not_paged');
  });

  it('stops paging an open alert when a silence is set, resumes at its step when it runs out, and audits the expiry once', async () => {
    const p = await patient(4);
    await p.measure('bp_systolic', 192);
    expect(p.pages()).toHaveLength(1);
    const [a] = await p.alerts();
    await t.advance(5 * MIN);
    const s = await t.api<{ id: string }>('POST', `/api/v1/patients/${p.id}/silences`, {
      rule: 'systolic_high',
      priority: 'high',
      reason: 'doctor on the way, knows the pressure',
      expiresAt: new Date(p.start + 45 * MIN).toISOString(),
    });
    expect(s.status).toBe(201);
    await minutes(39); // the 15- and 30-minute steps fall inside the silence
    expect(p.pages()).toHaveLength(1);
    expect((await t.api<ApiAlert>('GET', `/api/v1/alerts/${a!.id}`)).body.silencedBy).toBe(s.body.id);
    await minutes(2); // the silence ran out at 45 minutes, the alert still fires unacknowledged
    const resumed = (await events(a!.id)).filter((e) => e.type === 'escalation_resumed');
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.detail).toMatchObject({ step: 0, round: 0 });
    expect(p.pages()).toHaveLength(2);
    // Several instances recording the expiry at once: one audit row.
    await Promise.all([applySilences(t.server.notify.ctx), applySilences(t.server.notify.ctx)]);
    const audited = await t.server.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_log WHERE action = 'silence.expired' AND target = $1`,
      [s.body.id],
    );
    expect(audited.rows[0]!.n).toBe(1);
  });

  it('suppresses medium pages beyond the per-person limit with the reason, and still sends a high one', async () => {
    const p = await patient(5);
    const opened: [Metric, number][] = [
      ['bp_systolic', 165],
      ['body_temperature', 38.5],
      ['glucose', 350],
    ];
    for (const [metric, v] of opened) {
      await p.measure(metric, v);
      await minutes(2); // each waits out the grouping window: three separate pages
    }
    expect(p.pages()).toHaveLength(3);
    await p.measure('pulse_rate', 115); // the fourth medium page within the hour
    await minutes(2);
    const pulse = (await p.alerts()).find((x) => x.rule === 'pulse_high')!;
    expect(await deliveries(pulse.id)).toMatchObject([
      { status: 'suppressed', lastError: expect.stringMatching(/^rate limit: 3 pages .* last 60 minutes/) },
    ]);
    expect(p.pages()).toHaveLength(3);
    await p.measure('bp_systolic', 190); // the systolic alert rises to high: it pages anyway
    await minutes(2);
    expect(p.pages().map((b) => b.alert.priority)).toEqual(['medium', 'medium', 'medium', 'high']);
  });

  it('sends one page listing the alerts of a patient that open within a minute', async () => {
    const p = await patient(6);
    await p.measure('bp_systolic', 165);
    await t.advance(15_000);
    await p.measure('body_temperature', 38.6);
    await t.advance(15_000);
    await p.measure('glucose', 360);
    await minutes(2);
    const pages = p.pages();
    expect(pages).toHaveLength(1);
    expect(pages[0]!.items).toHaveLength(3);
    expect(pages[0]!.alerts!.map((x) => x.rule).sort()).toEqual(['glucose_high', 'systolic_high', 'temperature_high']);
    // Each alert keeps its own acknowledgement link in the one message.
    expect(pages[0]!.text.body.match(/ack-link\?token=/g)).toHaveLength(3);
    const statuses = await Promise.all(
      (await p.alerts()).map(async (x) => (await deliveries(x.id)).map((d) => d.status)),
    );
    expect(statuses.flat().sort()).toEqual(['delivered', 'grouped', 'grouped']);
  });

  it('says the rise of a weight trend in the page, not the current weight', async () => {
    const p = await patient(7);
    await p.measure('body_weight', 60.0);
    await t.advance(2 * DAY);
    await p.measure('body_weight', 62.1);
    await minutes(2);
    const [page] = p.pages();
    expect(page?.alert.rule).toBe('weight_gain');
    const rise = page!.recipient.locale === 'ja' ? '3日で +2.1 kg' : '+2.1 kg in 3 days';
    expect(page!.text.subject).toContain(rise);
    expect(page!.text.subject).not.toContain('62.1');
  });

  it('shows a stream client the escalation: each page and step once', async () => {
    const p = await patient(8);
    const stream = await alertStream(t.base, t.token);
    try {
      await p.measure('bp_systolic', 195);
      await minutes(16);
      const [a] = await p.alerts();
      const deadline = Date.now() + 5000;
      const of = () => stream.seen.filter((e) => e.alertId === a!.id).map((e) => e.transition);
      while (of().filter((x) => x === 'paged').length < 2 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(of()).toEqual(['opened', 'paged', 'escalated', 'paged']);
    } finally {
      stream.close();
    }
  });

  it('pages a medium alert that cleared within its grouping wait once its condition returns', async () => {
    const p = await patient(9);
    await p.measure('bp_systolic', 165);
    await t.advance(30_000);
    await p.measure('bp_systolic', 120); // cleared before its page went out: nobody heard of it
    expect((await p.alerts())[0]).toMatchObject({ state: 'resolved' });
    await minutes(2);
    expect(p.pages()).toEqual([]);
    await p.measure('bp_systolic', 166); // back within the flap window: the same alert reopens
    await minutes(2);
    expect((await p.alerts())[0]).toMatchObject({ state: 'firing', flapCount: 1 });
    expect(p.pages()).toHaveLength(1);
  });
});
