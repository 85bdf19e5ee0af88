import type { BatchAck, Reading, ReadingBatch } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../../test-support/harness.ts';

function connect(url: string, id: string, password: string): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const c = mqtt.connect(url, { clientId: id, username: id, password, reconnectPeriod: 0 });
    c.once('connect', () => resolve(c));
    c.once('error', (e) => {
      c.end(true);
      reject(e);
    });
  });
}

function reading(i: number, over: Partial<Reading> = {}): Reading {
  return {
    id: `gw-ingest-01:abc123:${String(i).padStart(12, '0')}`,
    device: { id: 'ble:c4:7c:8d:6a:3f:21', transport: 'ble', model: 'UA-651BLE' },
    time: new Date(Date.UTC(2026, 10, 24, 0, 0, i)).toISOString(),
    timeSource: 'device',
    metric: 'spo2',
    value: 90 + (i % 8),
    unit: '%',
    ...over,
  };
}

function batch(batchId: string, readings: unknown[]): ReadingBatch {
  return {
    v: 1,
    gatewayId: 'gw-ingest-01',
    batchId,
    sentAt: new Date().toISOString(),
    readings: readings as Reading[],
  };
}

/** Publishes on the gateway's readings topic and waits for the server's end-to-end ack. */
async function publishAndAck(c: MqttClient, payload: string, batchId: string): Promise<BatchAck> {
  const ack = new Promise<BatchAck>((resolve) => {
    const onMsg = (topic: string, p: Buffer) => {
      const a = JSON.parse(p.toString()) as BatchAck;
      if (topic.endsWith('/ack') && a.batchId === batchId) {
        c.off('message', onMsg);
        resolve(a);
      }
    };
    c.on('message', onMsg);
  });
  await c.publishAsync('vitals/v1/gw/gw-ingest-01/readings', payload, { qos: 1 });
  return ack;
}

describe.each<TestBackend>(['pglite', 'postgres'])('ingest through the embedded broker on %s', (backend) => {
  let t: TestServer;
  let gw: MqttClient;
  let password: string;
  let patientId: string;

  beforeAll(async () => {
    t = await startTestServer(backend);
    const g = await t.api<{ id: string; mqtt: { username: string; password: string } }>('POST', '/api/v1/gateways', {
      id: 'gw-ingest-01',
    });
    expect(g.status).toBe(201);
    password = g.body.mqtt.password;
    gw = await connect(t.mqttUrl, 'gw-ingest-01', password);
    await gw.subscribeAsync(['vitals/v1/gw/gw-ingest-01/ack', 'vitals/v1/gw/gw-ingest-01/config'], { qos: 1 });
    const p = await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Yamada Hanako' });
    patientId = p.body.id;
  });

  afterAll(async () => {
    await gw?.endAsync();
    await t?.close();
  });

  it('refuses a gateway with a wrong password', async () => {
    await expect(connect(t.mqttUrl, 'gw-ingest-01', 'wrong')).rejects.toThrow(/Bad username or password/i);
  });

  it('refuses a client id that differs from the gateway id', async () => {
    await expect(
      new Promise((resolve, reject) => {
        const c = mqtt.connect(t.mqttUrl, {
          clientId: 'someone-else',
          username: 'gw-ingest-01',
          password,
          reconnectPeriod: 0,
        });
        c.once('connect', () => {
          c.end(true);
          resolve('connected');
        });
        c.once('error', (e) => {
          c.end(true);
          reject(e);
        });
      }),
    ).rejects.toThrow(/Identifier rejected/i);
  });

  it('stores readings of an unbound device as unassigned and attaches them when the binding comes', async () => {
    const b = batch('gw-ingest-01:b-unbound', [reading(1), reading(2)]);
    const ack = await publishAndAck(gw, JSON.stringify(b), 'gw-ingest-01:b-unbound');
    expect(ack).toEqual({ v: 1, batchId: 'gw-ingest-01:b-unbound', accepted: 2, duplicates: 0, rejected: [] });
    const before = await t.api<{ metrics: Record<string, unknown> }>('GET', `/api/v1/patients/${patientId}/latest`);
    expect(before.body.metrics).toEqual({});
    const bind = await t.api<{ attachedReadings: number }>('POST', '/api/v1/bindings', {
      deviceId: 'ble:c4:7c:8d:6a:3f:21',
      patientId,
      from: '2026-11-01T00:00:00.000Z',
      gatewayId: 'gw-ingest-01',
    });
    expect(bind.status).toBe(201);
    expect(bind.body.attachedReadings).toBe(2);
    const after = await t.api<{ metrics: Record<string, { value: number; time: string }> }>(
      'GET',
      `/api/v1/patients/${patientId}/latest`,
    );
    expect(after.body.metrics.spo2).toEqual({ value: 92, unit: '%', time: '2026-11-24T00:00:02.000Z' });
  });

  it('stores each reading id once when a batch is sent again', async () => {
    const b = batch('gw-ingest-01:b-twice', [reading(10), reading(11), reading(12)]);
    const first = await publishAndAck(gw, JSON.stringify(b), 'gw-ingest-01:b-twice');
    const second = await publishAndAck(gw, JSON.stringify(b), 'gw-ingest-01:b-twice');
    expect(first).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(second).toMatchObject({ accepted: 0, duplicates: 3 });
    const n = await t.server.sql.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM readings WHERE id = ANY($1::text[])`,
      [b.readings.map((r) => r.id)],
    );
    expect(n.rows[0]!.n).toBe(3);
  });

  it('keeps the first value of a re-sent id with a different value and records the conflict', async () => {
    await publishAndAck(
      gw,
      JSON.stringify(batch('gw-ingest-01:b-c1', [reading(20, { value: 95 })])),
      'gw-ingest-01:b-c1',
    );
    const ack = await publishAndAck(
      gw,
      JSON.stringify(batch('gw-ingest-01:b-c2', [reading(20, { value: 70 })])),
      'gw-ingest-01:b-c2',
    );
    expect(ack).toMatchObject({ accepted: 0, duplicates: 1 });
    const stored = await t.server.sql.query<{ value: number }>('SELECT value FROM readings WHERE id = $1', [
      reading(20).id,
    ]);
    expect(stored.rows[0]!.value).toBe(95);
    const c = await t.server.sql.query<{ batch_id: string }>(
      'SELECT batch_id FROM reading_conflicts WHERE reading_id = $1',
      [reading(20).id],
    );
    expect(c.rows.map((r) => r.batch_id)).toEqual(['gw-ingest-01:b-c2']);
  });

  it('dead-letters a bad reading without taking its good neighbours down', async () => {
    const bad = { ...reading(31), metric: 'blood_alcohol', unit: '%' };
    const wrongType = { ...reading(32), value: '97' };
    const ack = await publishAndAck(
      gw,
      JSON.stringify(batch('gw-ingest-01:b-mixed', [reading(30), bad, wrongType])),
      'gw-ingest-01:b-mixed',
    );
    expect(ack.accepted).toBe(1);
    expect(ack.rejected).toEqual([
      { id: bad.id, reason: 'readings[1]: unknown metric "blood_alcohol"' },
      { id: wrongType.id, reason: 'readings[2]: value must be a finite number or left out, got "97"' },
    ]);
    const dl = await t.api<{ reason: string; batchId: string; payload: string }[]>('GET', '/api/v1/dead-letters');
    expect(dl.body.filter((d) => d.batchId === 'gw-ingest-01:b-mixed').map((d) => d.reason)).toEqual([
      'readings[2]: value must be a finite number or left out, got "97"',
      'readings[1]: unknown metric "blood_alcohol"',
    ]);
  });

  it("rejects readings outside their metric's possible range: acknowledged as rejected, dead-lettered, never stored", async () => {
    const impossible: [Reading, string][] = [
      [reading(51, { value: -5 }), "value -5 is outside spo2's possible range 0–100"],
      [
        reading(52, { metric: 'pulse_rate', unit: '/min', value: 0 }),
        "value 0 is outside pulse_rate's possible range 1–350",
      ],
      [
        reading(53, { metric: 'body_temperature', unit: 'Cel', value: 52.5 }),
        "value 52.5 is outside body_temperature's possible range 20–46",
      ],
      [
        reading(54, { metric: 'glucose', unit: 'mg/dL', value: 2400 }),
        "value 2400 is outside glucose's possible range 1–2000",
      ],
    ];
    const good = reading(50, { value: 100 });
    const ack = await publishAndAck(
      gw,
      JSON.stringify(batch('gw-ingest-01:b-impossible', [good, ...impossible.map(([r]) => r)])),
      'gw-ingest-01:b-impossible',
    );
    expect(ack.accepted).toBe(1);
    expect(ack.rejected).toEqual(impossible.map(([r, why], i) => ({ id: r.id, reason: `readings[${i + 1}]: ${why}` })));
    const dl = await t.api<{ reason: string; batchId: string }[]>('GET', '/api/v1/dead-letters');
    expect(
      dl.body
        .filter((d) => d.batchId === 'gw-ingest-01:b-impossible')
        .map((d) => d.reason)
        .sort(),
    ).toEqual(impossible.map(([, why], i) => `readings[${i + 1}]: ${why}`).sort());
    const stored = await t.server.sql.query<{ id: string }>('SELECT id FROM readings WHERE id = ANY($1)', [
      [good, ...impossible.map(([r]) => r)].map((r) => r.id),
    ]);
    expect(stored.rows.map((r) => r.id)).toEqual([good.id]);
  });

  it('dead-letters a payload that is not JSON and stays healthy', async () => {
    await gw.publishAsync('vitals/v1/gw/gw-ingest-01/readings', Buffer.from([0x7b, 0x00, 0xff, 0x22]), { qos: 1 });
    await t.server.ingest.drained();
    const dl = await t.api<{ reason: string; payload: string; gatewayId: string }[]>(
      'GET',
      '/api/v1/dead-letters?limit=1',
    );
    expect(dl.body[0]!.reason).toMatch(/^batch is not valid JSON/);
    expect(dl.body[0]!.payload).toBe('hex:7b00ff22');
    expect(dl.body[0]!.gatewayId).toBe('gw-ingest-01');
    const h = await t.api<{ status: string }>('GET', '/healthz', undefined, null);
    expect(h).toEqual({ status: 200, body: { status: 'ok', checks: { broker: 'ok', database: 'ok', ingest: 'ok' } } });
  });

  it('acknowledges a batch whose gatewayId is not the topic owner as rejected, never stored', async () => {
    const b = { ...batch('gw-other-99:b-spoof', [reading(40)]), gatewayId: 'gw-other-99' };
    const ack = await publishAndAck(gw, JSON.stringify(b), 'gw-other-99:b-spoof');
    expect(ack.accepted).toBe(0);
    expect(ack.rejected).toEqual([
      { id: reading(40).id, reason: 'batch.gatewayId "gw-other-99" differs from the topic\'s "gw-ingest-01"' },
    ]);
  });

  it('publishes the retained config with the bound device', async () => {
    const c = await connect(t.mqttUrl, 'gw-ingest-01', password); // takes over the session
    const cfg = await new Promise<unknown>((resolve) => {
      c.on('message', (topic, p) => topic.endsWith('/config') && resolve(JSON.parse(p.toString())));
      void c.subscribeAsync('vitals/v1/gw/gw-ingest-01/config', { qos: 1 });
    });
    expect(cfg).toEqual({ v: 1, devices: [{ id: 'ble:c4:7c:8d:6a:3f:21', allow: true }], timezone: 'Asia/Tokyo' });
    await c.endAsync();
    gw = await connect(t.mqttUrl, 'gw-ingest-01', password);
    await gw.subscribeAsync(['vitals/v1/gw/gw-ingest-01/ack'], { qos: 1 });
  });

  it("keeps gateway A from publishing as gateway B and from reading B's config", async () => {
    const b = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: 'gw-ingest-02' });
    const a = await connect(t.mqttUrl, 'gw-ingest-01', password);
    for (const topic of ['vitals/v1/gw/gw-ingest-02/config', 'vitals/v1/gw/gw-ingest-02/ack', 'vitals/v1/gw/+/config'])
      await expect(a.subscribeAsync(topic, { qos: 1 })).rejects.toThrow(/Subscribe error/); // SUBACK 0x80
    expect(a.connected).toBe(true);
    const closed = new Promise<void>((resolve) => a.once('close', () => resolve()));
    const spoof = batch('gw-ingest-02:b-as-b', [reading(70)]);
    a.publish('vitals/v1/gw/gw-ingest-02/readings', JSON.stringify({ ...spoof, gatewayId: 'gw-ingest-02' }), {
      qos: 1,
    });
    await closed; // the broker drops a client that publishes where it may not
    a.end(true);
    await t.server.ingest.drained();
    const stored = await t.server.sql.query('SELECT 1 FROM readings WHERE id = $1', [reading(70).id]);
    expect(stored.rowCount).toBe(0);
    // B itself is fine.
    const bc = await connect(t.mqttUrl, 'gw-ingest-02', b.body.mqtt.password);
    await bc.endAsync();
    // `a` took over the suite's session of gw-ingest-01: connect it again.
    gw = await connect(t.mqttUrl, 'gw-ingest-01', password);
    await gw.subscribeAsync(['vitals/v1/gw/gw-ingest-01/ack'], { qos: 1 });
  });

  it('refuses the old password after a rotation and any password after a revocation', async () => {
    await t.api('POST', '/api/v1/gateways', { id: 'gw-ingest-03' });
    const r1 = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways/gw-ingest-03/rotate');
    const live = await connect(t.mqttUrl, 'gw-ingest-03', r1.body.mqtt.password);
    const dropped = new Promise<void>((resolve) => live.once('close', () => resolve()));
    const r2 = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways/gw-ingest-03/rotate');
    await dropped; // the session that used the old password is closed
    live.end(true);
    await expect(connect(t.mqttUrl, 'gw-ingest-03', r1.body.mqtt.password)).rejects.toThrow(
      /Bad username or password/i,
    );
    const ok = await connect(t.mqttUrl, 'gw-ingest-03', r2.body.mqtt.password);
    await ok.endAsync();
    expect((await t.api('POST', '/api/v1/gateways/gw-ingest-03/revoke')).status).toBe(204);
    await expect(connect(t.mqttUrl, 'gw-ingest-03', r2.body.mqtt.password)).rejects.toThrow(
      /Bad username or password/i,
    );
    const list = await t.api<{ id: string; revoked: boolean }[]>('GET', '/api/v1/gateways');
    expect(list.body.find((g) => g.id === 'gw-ingest-03')).toMatchObject({ revoked: true });
  });

  it('serves raw points when few and min/avg/max buckets when many', async () => {
    const many = Array.from({ length: 600 }, (_, i) => reading(1000 + i));
    const ack = await publishAndAck(gw, JSON.stringify(batch('gw-ingest-01:b-many', many)), 'gw-ingest-01:b-many');
    expect(ack.accepted).toBe(600);
    const q = (max: number) =>
      t.api<{ resolution: string; points: { t: string; v?: number; n?: number; min?: number; max?: number }[] }>(
        'GET',
        `/api/v1/patients/${patientId}/readings?metric=spo2&from=2026-11-24T00:16:40.000Z&to=2026-11-24T00:26:40.000Z&maxPoints=${max}`,
      );
    const raw = await q(1000);
    expect(raw.body.resolution).toBe('raw');
    expect(raw.body.points).toHaveLength(600);
    expect(raw.body.points[0]).toEqual({ t: '2026-11-24T00:16:40.000Z', v: 90 });
    const agg = await q(10);
    expect(agg.body.resolution).toBe('1m');
    // 00:16:40 to 00:26:40 touches eleven one-minute buckets; the first holds 20 seconds.
    expect(agg.body.points).toHaveLength(11);
    expect(agg.body.points[0]).toEqual({ t: '2026-11-24T00:16:00.000Z', min: 90, avg: 93.1, max: 97, n: 20 });
  });
});

describe('ingest with a raw retention per metric', () => {
  let t: TestServer;
  let gw: MqttClient;

  beforeAll(async () => {
    t = await startTestServer('pglite', { VITALS_RETENTION_BY_METRIC: 'spo2=30' });
    const g = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: 'gw-ingest-01' });
    gw = await connect(t.mqttUrl, 'gw-ingest-01', g.body.mqtt.password);
    await gw.subscribeAsync(['vitals/v1/gw/gw-ingest-01/ack'], { qos: 1 });
  });
  afterAll(async () => {
    await gw?.endAsync();
    await t?.close();
  });

  it("refuses a reading measured before its metric's retention with the reason, and stores other metrics of that time", async () => {
    const time = new Date(Date.now() - 40 * 86_400_000).toISOString();
    const late = reading(900, { time });
    const weight = reading(901, { time, metric: 'body_weight', unit: 'kg', value: 61.5 });
    const ack = await publishAndAck(
      gw,
      JSON.stringify(batch('gw-ingest-01:b-late', [late, weight])),
      'gw-ingest-01:b-late',
    );
    expect(ack.accepted).toBe(1);
    expect(ack.rejected).toHaveLength(1);
    expect(ack.rejected[0]!.id).toBe(late.id);
    expect(ack.rejected[0]!.reason).toMatch(
      /^readings\[0\]: time .* is before .*, the start of the raw spo2 readings this server keeps \(its retention\)/,
    );
    const dl = await t.api<{ reason: string; batchId: string }[]>('GET', '/api/v1/dead-letters');
    expect(dl.body.filter((d) => d.batchId === 'gw-ingest-01:b-late').map((d) => d.reason)).toEqual([
      ack.rejected[0]!.reason,
    ]);
    const stored = await t.server.sql.query<{ id: string }>('SELECT id FROM readings WHERE id = ANY($1)', [
      [late.id, weight.id],
    ]);
    expect(stored.rows.map((r) => r.id)).toEqual([weight.id]);
  });
});
