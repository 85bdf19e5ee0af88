/**
 * Issue 11, item 2: a malformed message from one gateway must never stop ingest for the
 * others. Each poison is published by a bad gateway together with a good gateway's batch, so
 * both land in the same commit; the good batch must be acknowledged and stored once, the
 * poison kept as a dead letter with a reason, and /healthz must stay 200.
 */
import type { BatchAck, Reading } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../../test-support/harness.ts';

const GOOD = 'gw-good-01';
const BAD = 'gw-bad-01';
const topic = (gw: string, suffix: string) => `vitals/v1/gw/${gw}/${suffix}`;

interface Gw {
  client: MqttClient;
  acks: BatchAck[];
}

async function connectGateway(t: TestServer, id: string): Promise<Gw> {
  const g = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id });
  expect(g.status).toBe(201);
  const client = await mqtt.connectAsync(t.mqttUrl, {
    clientId: id,
    username: id,
    password: g.body.mqtt.password,
    reconnectPeriod: 0,
  });
  const acks: BatchAck[] = [];
  await client.subscribeAsync(topic(id, 'ack'), { qos: 1 });
  client.on('message', (_t, p) => acks.push(JSON.parse(p.toString()) as BatchAck));
  return { client, acks };
}

let seq = 0;
function reading(gw: string, over: Partial<Reading> = {}): Reading {
  seq++;
  return {
    id: `${gw}:poison:${String(seq).padStart(8, '0')}`,
    device: { id: gw === GOOD ? 'ble:00:00:00:00:0b:01' : 'ble:00:00:00:00:0b:02', transport: 'ble' },
    time: new Date(Date.now() - 60_000 + seq).toISOString(),
    timeSource: 'device',
    metric: 'pulse_rate',
    value: 60 + (seq % 40),
    unit: '/min',
    ...over,
  };
}

const batchJson = (gw: string, batchId: string, readings: unknown[]) =>
  JSON.stringify({ v: 1, gatewayId: gw, batchId, sentAt: new Date().toISOString(), readings });

describe.each<TestBackend>(['pglite', 'postgres'])('a poisoned message on %s', (backend) => {
  let t: TestServer;
  let good: Gw;
  let bad: Gw;
  let batchNo = 0;

  beforeAll(async () => {
    t = await startTestServer(backend);
    good = await connectGateway(t, GOOD);
    bad = await connectGateway(t, BAD);
  });
  afterAll(async () => {
    await good?.client.endAsync();
    await bad?.client.endAsync();
    await t?.close();
  });

  const ackOf = async (gw: Gw, batchId: string) => {
    await expect.poll(() => gw.acks.find((a) => a.batchId === batchId), { timeout: 15_000 }).toBeDefined();
    return gw.acks.find((a) => a.batchId === batchId)!;
  };
  const storedIds = async (ids: string[]) =>
    (await t.server.sql.query<{ id: string }>('SELECT id FROM readings WHERE id = ANY($1::text[])', [ids])).rows.map(
      (r) => r.id,
    );
  const deadLetters = async (gatewayId: string, since: number) =>
    (
      await t.server.sql.query<{ topic: string; batch_id: string | null; reason: string; payload: string }>(
        'SELECT topic, batch_id, reason, payload FROM dead_letters WHERE gateway_id = $1 AND id > $2 ORDER BY id',
        [gatewayId, since],
      )
    ).rows;
  const lastDeadLetterId = async () =>
    (await t.server.sql.query<{ id: number | null }>('SELECT max(id)::int AS id FROM dead_letters')).rows[0]!.id ?? 0;

  /**
   * Publishes the poison messages and a good batch at once, then checks that the good batch is
   * acknowledged and stored exactly once, and that ingest still says it is healthy.
   */
  async function withGoodNeighbour(poison: { suffix: string; payload: string | Buffer }[]) {
    const batchId = `${GOOD}:good-${++batchNo}`;
    const goodReadings = [reading(GOOD), reading(GOOD), reading(GOOD)];
    await Promise.all([
      ...poison.map((p) => bad.client.publishAsync(topic(BAD, p.suffix), p.payload, { qos: 1 })),
      good.client.publishAsync(topic(GOOD, 'readings'), batchJson(GOOD, batchId, goodReadings), { qos: 1 }),
    ]);
    const ack = await ackOf(good, batchId);
    expect(ack).toEqual({ v: 1, batchId, accepted: 3, duplicates: 0, rejected: [] });
    const ids = goodReadings.map((r) => r.id);
    expect((await storedIds(ids)).sort()).toEqual([...ids].sort());
    const h = await t.api<{ status: string }>('GET', '/healthz', undefined, null);
    expect(h.status).toBe(200);
  }

  it('keeps binary payloads with NUL on the readings, status and events topics as dead letters', async () => {
    const since = await lastDeadLetterId();
    const bytes = Buffer.from([0x00, 0xff, 0x7b, 0x22, 0x00, 0xc3, 0x28, 0x01]);
    await withGoodNeighbour([
      { suffix: 'readings', payload: bytes },
      { suffix: 'status', payload: bytes },
      { suffix: 'events', payload: bytes },
    ]);
    await expect.poll(async () => (await deadLetters(BAD, since)).length).toBe(3);
    const letters = await deadLetters(BAD, since);
    expect(letters.map((l) => l.topic.split('/').pop()).sort()).toEqual(['events', 'readings', 'status']);
    for (const l of letters) {
      expect(l.reason).not.toContain('\u0000');
      expect(l.payload).toBe(`hex:${bytes.toString('hex')}`);
    }
  });

  it('rejects a reading whose id holds a NUL and stores the rest of its batch', async () => {
    const since = await lastDeadLetterId();
    const poisoned = reading(BAD, { id: `${BAD}:poison:\u0000x` });
    const fine = reading(BAD);
    await withGoodNeighbour([{ suffix: 'readings', payload: batchJson(BAD, `${BAD}:bad-id`, [poisoned, fine]) }]);
    const ack = await ackOf(bad, `${BAD}:bad-id`);
    expect(ack.accepted).toBe(1);
    expect(ack.rejected).toHaveLength(1);
    expect(ack.rejected[0]!.reason).toMatch(/NUL/);
    const batchRows = await t.server.sql.query<{ id: string }>('SELECT id FROM readings WHERE batch_id = $1', [
      `${BAD}:bad-id`,
    ]);
    expect(batchRows.rows.map((r) => r.id)).toEqual([fine.id]);
    const letters = await deadLetters(BAD, since);
    expect(letters).toHaveLength(1);
    expect(letters[0]!.reason).toMatch(/id .*NUL/);
  });

  it('rejects a reading whose metric holds a NUL', async () => {
    const since = await lastDeadLetterId();
    const poisoned = reading(BAD, { metric: 'pulse\u0000rate' as Reading['metric'] });
    await withGoodNeighbour([{ suffix: 'readings', payload: batchJson(BAD, `${BAD}:bad-metric`, [poisoned]) }]);
    const ack = await ackOf(bad, `${BAD}:bad-metric`);
    expect(ack).toMatchObject({ accepted: 0, rejected: [{ id: poisoned.id, reason: expect.stringMatching(/NUL/) }] });
    expect(await storedIds([poisoned.id])).toEqual([]);
    expect((await deadLetters(BAD, since)).map((l) => l.reason)).toEqual([expect.stringMatching(/metric .*NUL/)]);
  });

  it('keeps an event whose type holds a NUL as a dead letter', async () => {
    const since = await lastDeadLetterId();
    const event = { time: new Date().toISOString(), type: 'device_\u0000lost' };
    await withGoodNeighbour([{ suffix: 'events', payload: JSON.stringify(event) }]);
    await expect
      .poll(async () => (await deadLetters(BAD, since)).map((l) => l.reason))
      .toEqual([expect.stringMatching(/type .*NUL/)]);
    const stored = await t.server.sql.query('SELECT 1 FROM gateway_events WHERE gateway_id = $1', [BAD]);
    expect(stored.rows).toEqual([]);
  });

  it('keeps a status whose version holds a NUL as a dead letter', async () => {
    const since = await lastDeadLetterId();
    const status = { state: 'online', time: new Date().toISOString(), version: '1.0\u0000', bootId: 'b1' };
    await withGoodNeighbour([{ suffix: 'status', payload: JSON.stringify(status) }]);
    await expect
      .poll(async () => (await deadLetters(BAD, since)).map((l) => l.reason))
      .toEqual([expect.stringMatching(/version .*NUL/)]);
  });

  it('keeps a status the database refuses (a time it cannot hold) as a dead letter with its reason', async () => {
    const since = await lastDeadLetterId();
    const status = { state: 'online', time: '0000-01-01T00:00:00Z', version: '1.0', bootId: 'b2' };
    await withGoodNeighbour([{ suffix: 'status', payload: JSON.stringify(status) }]);
    await expect
      .poll(async () => (await deadLetters(BAD, since)).map((l) => l.reason))
      .toEqual([expect.stringMatching(/out of range|time/)]);
  });

  it('rejects a reading dated 0000-01-01 and stores the rest of its batch', async () => {
    const since = await lastDeadLetterId();
    const poisoned = reading(BAD, { time: '0000-01-01T00:00:00.000Z' });
    const fine = reading(BAD);
    await withGoodNeighbour([{ suffix: 'readings', payload: batchJson(BAD, `${BAD}:bad-year`, [fine, poisoned]) }]);
    const ack = await ackOf(bad, `${BAD}:bad-year`);
    expect(ack).toMatchObject({ accepted: 1, rejected: [{ id: poisoned.id }] });
    expect(await storedIds([fine.id, poisoned.id])).toEqual([fine.id]);
    expect(await deadLetters(BAD, since)).toHaveLength(1);
  });

  it('isolates the one reading the database refuses and stores and acknowledges the rest of its batch', async () => {
    // A constraint stands in for any data error the validator does not foresee (333/min is a
    // possible pulse rate, so the validator lets it through to the database).
    await t.server.sql.exec('ALTER TABLE readings ADD CONSTRAINT poison_test CHECK (value IS DISTINCT FROM 333)');
    try {
      const since = await lastDeadLetterId();
      const rs = [reading(BAD), reading(BAD), reading(BAD, { value: 333 }), reading(BAD), reading(BAD)];
      await withGoodNeighbour([{ suffix: 'readings', payload: batchJson(BAD, `${BAD}:bad-check`, rs) }]);
      const ack = await ackOf(bad, `${BAD}:bad-check`);
      expect(ack).toMatchObject({
        accepted: 4,
        duplicates: 0,
        rejected: [{ id: rs[2]!.id, reason: expect.stringMatching(/poison_test/) }],
      });
      expect((await storedIds(rs.map((r) => r.id))).sort()).toEqual(
        rs
          .filter((_, i) => i !== 2)
          .map((r) => r.id)
          .sort(),
      );
      const letters = await deadLetters(BAD, since);
      expect(letters).toMatchObject([{ batch_id: `${BAD}:bad-check`, reason: expect.stringMatching(/poison_test/) }]);
      expect(JSON.parse(letters[0]!.payload)).toMatchObject({ id: rs[2]!.id, value: 333 });
    } finally {
      await t.server.sql.exec('ALTER TABLE readings DROP CONSTRAINT poison_test');
    }
  });
});
