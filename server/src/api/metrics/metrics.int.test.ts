import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
