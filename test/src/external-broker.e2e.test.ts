/**
 * External-broker mode against the machine's Mosquitto: two server instances share the
 * ingest through a shared subscription; one is killed with SIGKILL mid-stream; the gateway's
 * outbox re-sends what was not acknowledged, and PostgreSQL ends with every reading once.
 */
import { randomBytes } from 'node:crypto';
import type { Reading } from '@vitals/contract';
import { Link } from '@vitals/gateway/link/link.ts';
import { Outbox } from '@vitals/gateway/outbox/outbox.ts';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  eventually,
  freshDatabaseEnv,
  inSchema,
  readingCounts,
  type ServerProc,
  startServerProcess,
} from './processes.ts';

const MOSQUITTO = process.env.VITALS_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

describe('two server instances behind Mosquitto with a shared subscription', () => {
  const db = freshDatabaseEnv('postgres');
  const group = `vitals-test-${randomBytes(4).toString('hex')}`;
  const gatewayId = `gw-ext-${randomBytes(4).toString('hex')}`;
  const servers: ServerProc[] = [];
  let link: Link | undefined;
  let outbox: Outbox | undefined;

  afterAll(async () => {
    await link?.stop();
    outbox?.close();
    for (const s of servers) await s.kill('SIGTERM');
    await db.drop();
  });

  it('loses and doubles nothing when one instance is killed mid-stream', async () => {
    const env = (instance: string) => ({
      ...db.env,
      VITALS_MQTT_URL: MOSQUITTO,
      VITALS_MQTT_SHARE_GROUP: group,
      VITALS_INSTANCE_ID: `${group}-${instance}`,
    });
    servers.push(await startServerProcess(env('a')));
    servers.push(await startServerProcess(env('b')));
    const [a, b] = servers as [ServerProc, ServerProc];
    const token = (await a.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN)).body.token;
    const patientId = (await a.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Ext' }, token)).body.id;
    await a.api('POST', '/api/v1/gateways', { id: gatewayId }, token);
    await a.api(
      'POST',
      '/api/v1/bindings',
      { deviceId: 'ble:00:1c:05:ee:ee:01', patientId, from: '2020-01-01T00:00:00Z' },
      token,
    );

    // The real gateway outbox and link; Mosquitto here accepts any client (no ACL to test in this mode).
    outbox = new Outbox({ path: ':memory:', gatewayId });
    link = new Link({
      url: MOSQUITTO,
      gatewayId,
      username: gatewayId,
      password: 'unused-by-this-broker',
      outbox,
      log: pino({ level: 'silent' }),
      version: 'test',
      bootId: 'test',
      ackTimeoutMs: 2000,
      maxBatchReadings: 50,
      lingerMs: 20,
      protocolVersion: 5,
    });
    link.start();
    const total = 3000;
    const t0 = Date.parse('2026-11-24T00:00:00Z');
    for (let i = 0; i < total; i++) {
      const r: Reading = {
        id: `${gatewayId}:x:${String(i).padStart(12, '0')}`,
        device: { id: 'ble:00:1c:05:ee:ee:01', transport: 'ble' },
        time: new Date(t0 + i * 1000).toISOString(),
        timeSource: 'device',
        metric: 'spo2',
        value: 90 + (i % 9),
        unit: '%',
      };
      outbox.append([r]);
      link.notify();
      if (i % 100 === 99) await new Promise((res) => setTimeout(res, 20));
      if (i === 1200) await b.kill('SIGKILL'); // mid-stream, without warning
    }
    await eventually(async () => outbox!.size() === 0, 90_000, 'the outbox to drain');
    const schema = db.env.VITALS_DATABASE_SCHEMA!;
    expect(await readingCounts(schema)).toEqual({ n: total, distinct: total, assigned: total });
    // Both instances took part in the ingest before one was killed.
    const batches = await inSchema(schema, (c) =>
      c.query<{ n: number }>('SELECT count(DISTINCT batch_id)::int AS n FROM readings'),
    );
    expect(batches.rows[0]!.n).toBeGreaterThan(1);
  }, 150_000);
});
