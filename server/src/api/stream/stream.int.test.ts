/**
 * Issue 11 item 11: a live stream (SSE) ends with its session and stops carrying a patient
 * once its user left that patient's care team, within seconds, not at a 30 s refresh.
 * Readings travel the real path: gateway -> broker -> ingest -> database -> live bus -> stream.
 */
import type { BatchAck, Reading, ReadingBatch } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN, startTestServer, type TestBackend, type TestServer } from '../../../test-support/harness.ts';
import { hashSecret } from '../../auth/secrets.ts';

const GATEWAY = 'gw-stream-01';

/** An open event stream: the events seen so far, and whether the server ended it. */
interface OpenStream {
  events: { event: string; data: string }[];
  ended: Promise<void>;
  isEnded(): boolean;
  close(): void;
}

async function openStream(base: string, token: string): Promise<OpenStream> {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/stream`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  expect(res.status).toBe(200);
  const events: { event: string; data: string }[] = [];
  let ended = false;
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const pump = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
          events.push({ event, data });
        }
      }
    } catch {
      // aborted by close()
    }
    ended = true;
  })();
  return { events, ended: pump, isEnded: () => ended, close: () => abort.abort() };
}

function connectGateway(url: string, password: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { clientId: GATEWAY, username: GATEWAY, password, reconnectPeriod: 0 });
    c.once('connect', () => resolve(c));
    c.once('error', reject);
  });
}

let seq = 0;
function reading(deviceId: string, value: number, agoMs = 1000): Reading {
  seq += 1;
  return {
    id: `${GATEWAY}:live:${String(seq).padStart(12, '0')}`,
    device: { id: deviceId, transport: 'ble', model: 'UA-651BLE' },
    time: new Date(Date.now() - agoMs).toISOString(),
    timeSource: 'device',
    metric: 'spo2',
    value,
    unit: '%',
  };
}

/** Publishes one batch and waits for the server's ack, which comes after commit and the live fan-out. */
async function publish(gw: MqttClient, readings: Reading[]): Promise<void> {
  const batchId = `${GATEWAY}:b-${seq}`;
  const batch: ReadingBatch = { v: 1, gatewayId: GATEWAY, batchId, sentAt: new Date().toISOString(), readings };
  const acked = new Promise<BatchAck>((resolve) => {
    const onMsg = (_topic: string, p: Buffer) => {
      const a = JSON.parse(p.toString()) as BatchAck;
      if (a.batchId === batchId) {
        gw.off('message', onMsg);
        resolve(a);
      }
    };
    gw.on('message', onMsg);
  });
  await gw.publishAsync(`vitals/v1/gw/${GATEWAY}/readings`, JSON.stringify(batch), { qos: 1 });
  expect((await acked).accepted).toBe(readings.length);
}

/** Waits until `check` holds, polling; the test's own timeout bounds it. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 50));
}

const readingsOf = (s: OpenStream) =>
  s.events.filter((e) => e.event === 'reading').map((e) => JSON.parse(e.data) as { patientId: string; v: number });

describe.each<TestBackend>(['pglite', 'postgres'])('the live stream follows access as it changes (%s)', (backend) => {
  let t: TestServer;
  let gw: MqttClient;
  let kept: string;
  let removed: string;

  async function login(): Promise<string> {
    return (await t.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN, null)).body.token;
  }

  beforeAll(async () => {
    t = await startTestServer(backend);
    const g = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: GATEWAY });
    gw = await connectGateway(t.mqttUrl, g.body.mqtt.password);
    await gw.subscribeAsync(`vitals/v1/gw/${GATEWAY}/ack`, { qos: 1 });
    kept = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '佐藤 一郎' })).body.id;
    removed = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '鈴木 花子' })).body.id;
    for (const [deviceId, patientId] of [
      ['ble:00:00:00:00:00:01', kept],
      ['ble:00:00:00:00:00:02', removed],
    ])
      expect(
        (
          await t.api('POST', '/api/v1/bindings', {
            deviceId,
            patientId,
            gatewayId: GATEWAY,
            from: new Date(Date.now() - 3_600_000).toISOString(),
          })
        ).status,
      ).toBe(201);
  });
  afterAll(async () => {
    await gw?.endAsync();
    await t?.close();
  });

  it('ends an open stream at once when its session logs out', async () => {
    const token = await login();
    const s = await openStream(t.base, token);
    await until(() => s.events.some((e) => e.event === 'hello'));
    expect((await t.api('POST', '/api/v1/auth/logout', undefined, token)).status).toBe(204);
    await s.ended;
    expect(s.isEnded()).toBe(true);
  });

  it('ends an open stream when its session is gone from the database (another instance, revoked)', async () => {
    const token = await login();
    const s = await openStream(t.base, token);
    await until(() => s.events.some((e) => e.event === 'hello'));
    await t.server.sql.query('DELETE FROM sessions WHERE token_hash = $1', [hashSecret(token)]);
    await s.ended;
    expect(s.isEnded()).toBe(true);
  });

  it("stops sending a patient's readings within seconds of the user leaving the care team", async () => {
    const token = await login();
    const s = await openStream(t.base, token);
    await until(() => s.events.some((e) => e.event === 'hello'));
    await publish(gw, [reading('ble:00:00:00:00:00:01', 91), reading('ble:00:00:00:00:00:02', 92)]);
    await until(() => readingsOf(s).length === 2);

    // There is no team-removal API yet (a later issue adds it): remove the membership directly.
    await t.server.sql.query(
      'DELETE FROM care_team_members WHERE patient_id = $1 AND user_id = (SELECT id FROM users WHERE email = $2)',
      [removed, ADMIN.email],
    );
    // Past the stream's access cache (a couple of seconds), then one reading of each patient.
    await new Promise((r) => setTimeout(r, 2_500));
    await publish(gw, [reading('ble:00:00:00:00:00:02', 93)]);
    await publish(gw, [reading('ble:00:00:00:00:00:01', 94)]);
    await until(() => readingsOf(s).some((r) => r.v === 94));
    const seen = readingsOf(s).sort((a, b) => a.v - b.v);
    expect(seen.map((r) => [r.patientId === kept ? 'kept' : 'removed', r.v])).toEqual([
      ['kept', 91],
      ['removed', 92],
      ['kept', 94],
    ]);
    s.close();
  });

  it("re-checks access at once when the user's care team changes, without waiting for its cache", async () => {
    const leaving = (await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: '高橋 次郎' })).body.id;
    const bound = await t.api('POST', '/api/v1/bindings', {
      deviceId: 'ble:00:00:00:00:00:03',
      patientId: leaving,
      gatewayId: GATEWAY,
      from: new Date(Date.now() - 3_600_000).toISOString(),
    });
    expect(bound.status).toBe(201);
    const token = await login();
    const s = await openStream(t.base, token);
    await until(() => s.events.some((e) => e.event === 'hello'));
    await publish(gw, [reading('ble:00:00:00:00:00:03', 95)]);
    await until(() => readingsOf(s).some((r) => r.v === 95));

    const userId = (await t.api<{ id: string }>('GET', '/api/v1/me', undefined, token)).body.id;
    await t.server.sql.query('DELETE FROM care_team_members WHERE patient_id = $1 AND user_id = $2', [leaving, userId]);
    // What a team-removal route publishes (a later issue adds the route); within the access cache.
    t.server.app.events.publish('care-team.changed', { patientId: leaving, userId });
    await publish(gw, [reading('ble:00:00:00:00:00:03', 96)]);
    await publish(gw, [reading('ble:00:00:00:00:00:01', 97)]);
    await until(() => readingsOf(s).some((r) => r.v === 97));
    expect(readingsOf(s).map((r) => r.v)).toEqual([95, 97]);
    s.close();
  });

  it("forwards the alert changes of the user's patients as they happen", async () => {
    const token = await login();
    const s = await openStream(t.base, token);
    await until(() => s.events.some((e) => e.event === 'hello'));
    // Below 90 % for longer than the rule's two minutes: a high-priority spo2_low alert opens.
    await publish(gw, [
      reading('ble:00:00:00:00:00:01', 85, 200_000),
      reading('ble:00:00:00:00:00:01', 85, 100_000),
      reading('ble:00:00:00:00:00:01', 85, 1_000),
    ]);
    await until(() => s.events.some((e) => e.event === 'alert'));
    const alert = JSON.parse(s.events.find((e) => e.event === 'alert')!.data) as Record<string, unknown>;
    expect(alert).toMatchObject({ patientId: kept, rule: 'spo2_low', transition: 'opened', state: 'firing' });
    s.close();
  });
});
