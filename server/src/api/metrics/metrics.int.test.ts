import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebhookReceiver } from '../../../test-support/alert-server.ts';
import { buildTestApp, type TestApp } from '../../../test-support/app.ts';

/** The value of one sample line of the exposition text, or undefined. */
function sample(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t?.close());

  it('counts a batch that became a dead letter and times its acknowledgement', async () => {
    const before = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(before.statusCode).toBe(200);
    expect(before.headers['content-type']).toMatch(/^text\/plain/);
    expect(sample(before.body, 'vitals_dead_letters')).toBe(0);
    expect(sample(before.body, 'vitals_ingest_ack_latency_seconds_count')).toBe(0);

    t.services.ingest.submit('vitals/v1/gw/gw-metrics-01/readings', Buffer.from('{"not":"a batch"'));
    await t.services.ingest.drained();

    const after = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(sample(after.body, 'vitals_dead_letters')).toBe(1);
    expect(sample(after.body, 'vitals_ingest_dead_letters_total')).toBe(1);
    expect(sample(after.body, 'vitals_ingest_ack_latency_seconds_count')).toBe(1);
    expect(sample(after.body, 'vitals_ingest_up')).toBe(1);
    expect(after.body).toMatch(/^vitals_nodejs_eventloop_lag_seconds /m);
    expect(after.body).toMatch(/^vitals_stream_clients 0$/m);
  });

  it("times an alert's opening from its reading's arrival and counts its page by channel once delivered", async () => {
    const pager = await new WebhookReceiver(null).start();
    try {
      const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const delivered = 'vitals_notification_deliveries{channel="webhook",status="delivered"}';
      const before = await scrape();
      expect(sample(before, 'vitals_alert_open_latency_seconds_count')).toBe(0);
      expect(sample(before, delivered)).toBeUndefined();

      expect((await t.api('POST', '/api/v1/me/contacts', { channel: 'webhook', address: pager.url })).status).toBe(201);
      expect((await t.api('POST', '/api/v1/gateways', { id: 'gw-metrics-02' })).status).toBe(201);
      const patient = await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Metrics Hanako' });
      const device = 'ble:00:1c:05:aa:bb:01';
      const bound = await t.api('POST', '/api/v1/bindings', {
        deviceId: device,
        patientId: patient.body.id,
        gatewayId: 'gw-metrics-02',
        from: '2020-01-01T00:00:00Z',
      });
      expect(bound.status).toBe(201);
      const policy = await t.api('PUT', `/api/v1/patients/${patient.body.id}/escalation-policy`, {
        reason: 'metrics test',
        steps: [{ targets: [{ type: 'team_role', role: 'attending' }], delayMinutes: 10 }],
      });
      expect(policy.status).toBe(200);
      const batch = {
        v: 1,
        gatewayId: 'gw-metrics-02',
        batchId: 'gw-metrics-02:b:1',
        sentAt: new Date().toISOString(),
        readings: [
          {
            id: 'gw-metrics-02:r:000000000001',
            device: { id: device, transport: 'ble' },
            time: new Date(Date.now() - 1000).toISOString(),
            timeSource: 'device',
            metric: 'bp_systolic',
            value: 196,
            unit: 'mm[Hg]',
          },
        ],
      };
      t.services.ingest.submit('vitals/v1/gw/gw-metrics-02/readings', Buffer.from(JSON.stringify(batch)));
      await t.services.ingest.drained();
      await t.services.alerts.settled();
      await pager.waitFor((r) => r.some((h) => h.body.type === 'alert.page'));

      const after = await scrape();
      expect(sample(after, 'vitals_alert_open_latency_seconds_count')).toBe(1);
      expect(sample(after, 'vitals_alert_open_latency_seconds_sum')).toBeGreaterThan(0);
      expect(sample(after, 'vitals_alert_open_latency_seconds_bucket{le="+Inf"}')).toBe(1);
      // The delivery is recorded just after the receiver answered.
      for (let i = 0; i < 50 && sample(await scrape(), delivered) !== 1; i++)
        await new Promise((r) => setTimeout(r, 100));
      expect(sample(await scrape(), delivered)).toBe(1);
    } finally {
      await pager.close();
    }
  });

  it("exports every series the operator's Grafana dashboard and alert rules in docs/monitoring use", async () => {
    const r = await t.app.inject({ method: 'GET', url: '/metrics' });
    const exported = new Set([...r.body.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    for (const file of ['grafana-dashboard.json', 'vitals-alert-rules.yml']) {
      const text = readFileSync(new URL(`../../../../docs/monitoring/${file}`, import.meta.url), 'utf8');
      const used = new Set([...text.matchAll(/\bvitals_[a-z0-9_]+/g)].map((m) => m[0]));
      expect(used.size).toBeGreaterThan(5);
      // A histogram's series are its name with _bucket, _count or _sum.
      // The connection pool exists only on PostgreSQL (this app runs on the embedded database).
      const known = (name: string) =>
        exported.has(name) ||
        exported.has(name.replace(/_(bucket|count|sum)$/, '')) ||
        name === 'vitals_db_pool_connections';
      for (const name of used) expect([file, name, known(name)]).toEqual([file, name, true]);
    }
  });

  it('never labels a sample with a patient, a person or a gateway', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/metrics' });
    const labels = [...r.body.matchAll(/\{([^}]*)\}/g)].flatMap((m) => m[1]!.split(',').map((kv) => kv.split('=')[0]));
    expect(new Set(labels).size).toBeGreaterThan(0);
    for (const l of labels)
      expect([
        'outcome',
        'channel',
        'status',
        'state',
        'le',
        'kind',
        'type',
        'space',
        'version',
        'major',
        'minor',
        'patch',
        'quantile',
      ]).toContain(l);
    expect(r.body).not.toContain('gw-metrics-01');
  });

  it('asks for the token when VITALS_METRICS_TOKEN is set, and refuses other hosts without one', async () => {
    const withToken = await buildTestApp({ env: { VITALS_METRICS_TOKEN: 'scrape-secret-0123456789' } });
    try {
      const none = await withToken.app.inject({ method: 'GET', url: '/metrics' });
      expect(none.statusCode).toBe(401);
      const wrong = await withToken.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.statusCode).toBe(401);
      const right = await withToken.app.inject({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: 'Bearer scrape-secret-0123456789' },
      });
      expect(right.statusCode).toBe(200);
    } finally {
      await withToken.close();
    }
    const remote = await t.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '192.0.2.10' });
    expect(remote.statusCode).toBe(403);
    expect(JSON.parse(remote.body).error.message).toMatch(/VITALS_METRICS_TOKEN/);
  });
});
