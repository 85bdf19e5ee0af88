/**
 * Issue 11 items 1, 5, 6 and 12 through the real broker and database: a gateway writes only
 * its own devices' readings under its own ids, with plausible times, and an id repeated in one
 * batch with another value is recorded as a conflict.
 */
import type { BatchAck, Reading, ReadingBatch } from '@vitals/contract';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestBackend, type TestServer } from '../../test-support/harness.ts';
import { hashSecret, newSecret } from '../auth/secrets.ts';
import { createGateway } from '../storage/repos/gateways.ts';
import { createOrganisation } from '../storage/repos/people.ts';

const A = 'gw-own-a';
const B = 'gw-own-b';
const C = 'gw-own-c'; // of another organisation
const DEVICE_A = 'ble:0a:00:00:00:00:01';
const DEVICE_B = 'ble:0b:00:00:00:00:01';
const REGISTERED = 'ble:0a:00:00:00:00:02'; // registered under the first organisation, no gateway yet

class Gateway {
  private n = 0;
  private constructor(
    readonly id: string,
    private readonly client: MqttClient,
  ) {}

  static async connect(url: string, id: string, password: string): Promise<Gateway> {
    const client = await mqtt.connectAsync(url, { clientId: id, username: id, password, reconnectPeriod: 0 });
    await client.subscribeAsync(`vitals/v1/gw/${id}/ack`, { qos: 1 });
    return new Gateway(id, client);
  }

  reading(device: string, value: number, over: Partial<Reading> = {}): Reading {
    return {
      id: `${this.id}:boot1:${String(++this.n).padStart(12, '0')}`,
      device: { id: device, transport: 'ble' },
      time: new Date(Date.now() - 60_000 + this.n).toISOString(),
      timeSource: 'device',
      metric: 'spo2',
      value,
      unit: '%',
      ...over,
    };
  }

  /** Publishes one batch and resolves with the server's end-to-end ack. */
  send(readings: Reading[], batchId = `${this.id}:boot1:b:${++this.n}`): Promise<BatchAck> {
    const batch: ReadingBatch = { v: 1, gatewayId: this.id, batchId, sentAt: new Date().toISOString(), readings };
    const ack = new Promise<BatchAck>((resolve) => {
      const on = (topic: string, p: Buffer) => {
        const a = JSON.parse(p.toString()) as BatchAck;
        if (topic.endsWith('/ack') && a.batchId === batchId) {
          this.client.off('message', on);
          resolve(a);
        }
      };
      this.client.on('message', on);
    });
    void this.client.publishAsync(`vitals/v1/gw/${this.id}/readings`, JSON.stringify(batch), { qos: 1 });
    return ack;
  }

  /** Publishes a gateway event; resolves once the broker has it. */
  async event(e: Record<string, unknown>): Promise<void> {
    await this.client.publishAsync(`vitals/v1/gw/${this.id}/events`, JSON.stringify(e), { qos: 1 });
  }

  close(): Promise<void> {
    return this.client.endAsync();
  }
}

async function gatewayOf(t: TestServer, id: string): Promise<Gateway> {
  const g = await t.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id });
  expect(g.status).toBe(201);
  return Gateway.connect(t.mqttUrl, id, g.body.mqtt.password);
}

describe.each<TestBackend>(['pglite', 'postgres'])('ingest ownership on %s', (backend) => {
  let t: TestServer;
  let a: Gateway;
  let b: Gateway;
  let c: Gateway;
  let patientId: string;

  const latestSpo2 = async () =>
    (
      await t.api<{ metrics: Record<string, { value: number; time: string }> }>(
        'GET',
        `/api/v1/patients/${patientId}/latest`,
      )
    ).body.metrics.spo2;
  const stored = async (id: string) =>
    (await t.server.sql.query<{ value: number }>('SELECT value FROM readings WHERE id = $1', [id])).rows.map(
      (r) => r.value,
    );
  const deadLetters = async (gatewayId: string, batchId: string) =>
    (
      await t.server.sql.query<{ reason: string }>(
        'SELECT reason FROM dead_letters WHERE gateway_id = $1 AND batch_id = $2 ORDER BY id',
        [gatewayId, batchId],
      )
    ).rows.map((r) => r.reason);

  beforeAll(async () => {
    t = await startTestServer(backend);
    a = await gatewayOf(t, A);
    b = await gatewayOf(t, B);
    const other = await createOrganisation(t.server.sql, { name: 'Other clinic', kind: 'clinic' });
    const password = newSecret();
    await createGateway(t.server.sql, { id: C, secretHash: hashSecret(password), organisationId: other });
    c = await Gateway.connect(t.mqttUrl, C, password);
    const p = await t.api<{ id: string }>('POST', '/api/v1/patients', { displayName: 'Sato Ichiro' });
    patientId = p.body.id;
    const bind = await t.api('POST', '/api/v1/bindings', {
      deviceId: DEVICE_A,
      patientId,
      from: '2026-01-01T00:00:00.000Z',
      gatewayId: A,
    });
    expect(bind.status).toBe(201);
    expect(await a.send([a.reading(DEVICE_A, 96)])).toMatchObject({ accepted: 1, rejected: [] });
    expect(await b.send([b.reading(DEVICE_B, 97)])).toMatchObject({ accepted: 1, rejected: [] });
  });

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close(), c?.close()]);
    await t?.close();
  });

  it("refuses gateway B's reading of gateway A's bound device: not stored, no alert, a dead letter and an event", async () => {
    const before = await latestSpo2();
    const intrusion = b.reading(DEVICE_A, 80);
    const batchId = `${B}:boot1:b:intrusion`;
    const ack = await b.send([intrusion], batchId);
    expect(ack).toEqual({
      v: 1,
      batchId,
      accepted: 0,
      duplicates: 0,
      rejected: [
        {
          id: intrusion.id,
          reason: `device ${DEVICE_A} belongs to another gateway; its readings are stored only from that gateway (a device that moved to another home is re-registered by an administrator)`,
        },
      ],
    });
    expect(await stored(intrusion.id)).toEqual([]);
    expect(await latestSpo2()).toEqual(before);
    await t.server.alerts.settled();
    const alerts = await t.server.sql.query('SELECT 1 FROM alerts WHERE patient_id = $1', [patientId]);
    expect(alerts.rows).toHaveLength(0);
    expect(await deadLetters(B, batchId)).toEqual([ack.rejected[0]!.reason]);
    const events = await t.server.sql.query<{ gateway_id: string; device_id: string; detail: unknown }>(
      `SELECT gateway_id, device_id, detail FROM gateway_events WHERE type = 'foreign_device' ORDER BY gateway_id`,
    );
    expect(events.rows).toEqual([
      { gateway_id: A, device_id: DEVICE_A, detail: { refusedReadings: 1, reportedBy: B } },
      {
        gateway_id: B,
        device_id: DEVICE_A,
        detail: { refusedReadings: 1, reason: 'the device belongs to another gateway' },
      },
    ]);
    const owner = await t.server.sql.query<{ gateway_id: string }>('SELECT gateway_id FROM devices WHERE id = $1', [
      DEVICE_A,
    ]);
    expect(owner.rows[0]!.gateway_id).toBe(A);
    // A's own readings of the device are still stored.
    const own = a.reading(DEVICE_A, 94);
    expect(await a.send([own])).toMatchObject({ accepted: 1, rejected: [] });
    expect(await stored(own.id)).toEqual([94]);
    expect((await latestSpo2())!.value).toBe(94);
  });

  it("refuses gateway B's battery event naming gateway A's device: no battery alert on A's patient", async () => {
    const battery = () => ({ time: new Date().toISOString(), device: DEVICE_A, type: 'battery', detail: { level: 3 } });
    const refusedEvents = async () =>
      (
        await t.server.sql.query<{ reason: string }>(
          `SELECT reason FROM dead_letters WHERE gateway_id = $1 AND topic = $2`,
          [B, `vitals/v1/gw/${B}/events`],
        )
      ).rows.map((r) => r.reason);
    const batteryAlerts = async () =>
      (await t.server.sql.query(`SELECT 1 FROM alerts WHERE patient_id = $1 AND rule = 'battery_low'`, [patientId]))
        .rows.length;
    await b.event(battery());
    await expect
      .poll(refusedEvents)
      .toEqual([`event "battery" names device ${DEVICE_A}, which belongs to another gateway or organisation; refused`]);
    await t.server.alerts.settled();
    expect(await batteryAlerts()).toBe(0);
    const recorded = await t.server.sql.query(
      `SELECT 1 FROM gateway_events WHERE gateway_id = $1 AND type = 'battery'`,
      [B],
    );
    expect(recorded.rows).toHaveLength(0);
    // The same event from the device's own gateway does open the alert.
    await a.event(battery());
    await expect.poll(batteryAlerts).toBe(1);
  });

  it('lets a device registered under an organisation be claimed only by a gateway of that organisation', async () => {
    const org = await t.server.sql.query<{ organisation_id: string }>(
      'SELECT organisation_id FROM gateways WHERE id = $1',
      [A],
    );
    await t.server.sql.query('INSERT INTO devices (id, organisation_id) VALUES ($1, $2)', [
      REGISTERED,
      org.rows[0]!.organisation_id,
    ]);
    const foreign = c.reading(REGISTERED, 90);
    const refused = await c.send([foreign]);
    expect(refused.rejected).toEqual([
      {
        id: foreign.id,
        reason: `device ${REGISTERED} was registered under another organisation; only a gateway of that organisation can report it`,
      },
    ]);
    expect(await stored(foreign.id)).toEqual([]);
    const own = b.reading(REGISTERED, 91);
    expect(await b.send([own])).toMatchObject({ accepted: 1, rejected: [] });
    const owner = await t.server.sql.query<{ gateway_id: string }>('SELECT gateway_id FROM devices WHERE id = $1', [
      REGISTERED,
    ]);
    expect(owner.rows[0]!.gateway_id).toBe(B);
  });

  it("refuses a reading id under another gateway's prefix, and stores that gateway's own reading with the id later", async () => {
    const squatted = `${A}:boot1:999999999999`;
    const squat = b.reading(DEVICE_B, 99, { id: squatted });
    const ack = await b.send([squat]);
    expect(ack.accepted).toBe(0);
    expect(ack.rejected).toEqual([
      {
        id: squatted,
        reason: `readings[0]: id "${squatted}" must begin with "${B}:" (the publishing gateway's id) or be a device record id of ${DEVICE_B}`,
      },
    ]);
    const real = a.reading(DEVICE_A, 95, { id: squatted });
    expect(await a.send([real])).toMatchObject({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await stored(squatted)).toEqual([95]);
  });

  it("refuses a whole batch whose batchId is under another gateway's prefix, naming its readings", async () => {
    const r = b.reading(DEVICE_B, 97);
    const batchId = `${A}:boot1:b:squat`;
    const ack = await b.send([r], batchId);
    const reason = `batch.batchId "${batchId}" must begin with "${B}:" (the publishing gateway's id)`;
    expect(ack).toEqual({ v: 1, batchId, accepted: 0, duplicates: 0, rejected: [{ id: r.id, reason }] });
    expect(await stored(r.id)).toEqual([]);
    expect(await deadLetters(B, batchId)).toEqual([reason]);
  });

  it('refuses readings dated 2100 and 1970 as dead letters, keeps the latest value, and accepts one 5 minutes ahead', async () => {
    const before = await latestSpo2();
    const future = a.reading(DEVICE_A, 81, { time: '2100-01-01T00:00:00.000Z' });
    const past = a.reading(DEVICE_A, 82, { time: '1970-01-01T00:00:00.000Z' });
    const batchId = `${A}:boot1:b:clocks`;
    const ack = await a.send([future, past], batchId);
    expect(ack.accepted).toBe(0);
    expect(ack.rejected.map((r) => r.id)).toEqual([future.id, past.id]);
    expect(ack.rejected[0]!.reason).toMatch(
      /^readings\[0\]: time 2100-01-01T00:00:00.000Z is more than 600 s ahead of the server's clock/,
    );
    expect(ack.rejected[1]!.reason).toBe(
      "readings[1]: time 1970-01-01T00:00:00.000Z is before 2015-01-01T00:00:00.000Z, the earliest plausible measurement time; the device's or the gateway's clock was reset",
    );
    expect(await deadLetters(A, batchId)).toHaveLength(2);
    expect(await stored(future.id)).toEqual([]);
    expect(await stored(past.id)).toEqual([]);
    expect(await latestSpo2()).toEqual(before);

    const ahead = a.reading(DEVICE_A, 93, { time: new Date(Date.now() + 5 * 60_000).toISOString() });
    expect(await a.send([ahead])).toMatchObject({ accepted: 1, rejected: [] });
    expect(await latestSpo2()).toEqual({ value: 93, unit: '%', time: ahead.time });
  });

  it('records a conflict for an id repeated in one batch with another value, and stores the first', async () => {
    const first = a.reading(DEVICE_A, 92);
    const again = { ...first, value: 70 };
    const same = a.reading(DEVICE_A, 91);
    const batchId = `${A}:boot1:b:repeat`;
    const ack = await a.send([first, again, same, { ...same }], batchId);
    expect(ack).toMatchObject({ accepted: 2, duplicates: 2, rejected: [] });
    expect(await stored(first.id)).toEqual([92]);
    const conflicts = await t.server.sql.query<{ reading_id: string; batch_id: string; payload: Reading }>(
      'SELECT reading_id, batch_id, payload FROM reading_conflicts WHERE reading_id = ANY($1::text[])',
      [[first.id, same.id]],
    );
    expect(conflicts.rows).toEqual([{ reading_id: first.id, batch_id: batchId, payload: again }]);
  });
});

describe.each<TestBackend>(['pglite', 'postgres'])('the plausible time window as configured on %s', (backend) => {
  let t: TestServer;
  let a: Gateway;

  beforeAll(async () => {
    t = await startTestServer(backend, {
      VITALS_MAX_CLOCK_SKEW_SECONDS: '60',
      VITALS_EARLIEST_READING_TIME: '2026-01-01T00:00:00Z',
    });
    a = await gatewayOf(t, A);
  });

  afterAll(async () => {
    await a?.close();
    await t?.close();
  });

  it('refuses a reading 5 minutes ahead with a 60-second bound and one before the configured floor', async () => {
    const ahead = a.reading(DEVICE_A, 93, { time: new Date(Date.now() + 5 * 60_000).toISOString() });
    const old = a.reading(DEVICE_A, 94, { time: '2025-12-31T23:59:59.000Z' });
    const within = a.reading(DEVICE_A, 95, { time: new Date(Date.now() + 30_000).toISOString() });
    const ack = await a.send([ahead, old, within]);
    expect(ack.accepted).toBe(1);
    expect(ack.rejected.map((r) => r.id)).toEqual([ahead.id, old.id]);
    expect(ack.rejected[0]!.reason).toMatch(/is more than 60 s ahead of the server's clock/);
    expect(ack.rejected[1]!.reason).toMatch(/is before 2026-01-01T00:00:00.000Z, the earliest plausible/);
  });
});
