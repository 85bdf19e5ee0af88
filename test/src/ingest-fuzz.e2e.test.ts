/**
 * Issue 11, item 2, fuzzed: three gateways publish thousands of random and mutated messages
 * (random bytes, truncated JSON, NULs, huge numbers, wrong types, impossible dates) while a
 * good gateway streams and re-sends what is not acknowledged. Every good reading must be
 * acknowledged and stored exactly once, no poisoned reading stored, and the server process
 * must never exit. The seed is printed; VITALS_FUZZ_SEED replays a run.
 */
import { join } from 'node:path';
import type { BatchAck, Reading } from '@vitals/contract';
import { openPglite } from '@vitals/server/storage/pglite.ts';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanReading, FuzzGenerator, seededRandom, streamGoodReadings, topicOf } from './ingest-fuzz-kit.ts';
import { ADMIN, eventually, freshDatabaseEnv, startServerProcess, TEST_DATABASE_URL } from './processes.ts';

const SEED = Number(process.env.VITALS_FUZZ_SEED ?? 20261211);
const GOOD = 'gw-fuzz-good';
const BAD = ['gw-fuzz-bad-1', 'gw-fuzz-bad-2', 'gw-fuzz-bad-3'];
const BAD_MESSAGES_EACH = 800;
const GOOD_READINGS = 2000;

interface Row {
  id: string;
  gateway_id: string;
  value: number | null;
  time: Date;
}

describe.each(['pglite', 'postgres'] as const)('ingest fuzzed on %s', (kind) => {
  const db = freshDatabaseEnv(kind);
  afterAll(() => db.drop());

  it('acknowledges and stores every good reading once, stores no poisoned one, and never exits', async () => {
    console.log(`ingest fuzz on ${kind}: seed ${SEED} (VITALS_FUZZ_SEED=${SEED} replays it)`);
    const rand = seededRandom(SEED);
    const server = await startServerProcess(db.env);
    let rows: Row[] = [];
    const clean = new Map<string, Reading>();
    const poisoned = new Map<string, string>();
    const kinds = new Map<string, number>();
    try {
      const login = await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN);
      const password = async (id: string) => {
        const g = await server.api<{ mqtt: { password: string } }>(
          'POST',
          '/api/v1/gateways',
          { id },
          login.body.token,
        );
        expect(g.status).toBe(201);
        return g.body.mqtt.password;
      };
      const good = await streamGoodReadings({
        mqttUrl: server.mqttUrl,
        gatewayId: GOOD,
        password: await password(GOOD),
        deviceId: 'ble:00:00:00:00:fa:00',
        count: GOOD_READINGS,
        batchSize: 10,
        intervalMs: 40,
        resendMs: 5000,
      });
      const bad = await Promise.all(
        BAD.map(async (id, i) => {
          const client = await mqtt.connectAsync(server.mqttUrl, {
            clientId: id,
            username: id,
            password: await password(id),
            reconnectPeriod: 500,
          });
          await client.subscribeAsync(topicOf(id, 'ack'), { qos: 1 });
          return { client, gen: new FuzzGenerator(rand, id, `ble:00:00:00:00:fb:0${i}`), id };
        }),
      );
      try {
        // Bursts from every bad gateway while the good stream runs (~8 s at 40 ms a batch).
        for (let sent = 0; sent < BAD_MESSAGES_EACH; sent += 10) {
          await Promise.all(
            bad.map(async (b) => {
              for (let i = 0; i < 10; i++) {
                const m = b.gen.next(Date.now());
                for (const r of m.clean) clean.set(r.id, r);
                for (const id of m.poisoned) poisoned.set(id, m.kind);
                kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
                await b.client.publishAsync(topicOf(b.id, m.suffix), m.payload, { qos: 1 });
              }
            }),
          );
          await new Promise((r) => setTimeout(r, 25));
          expect(server.child.exitCode, server.output().slice(-3000)).toBeNull();
        }
        // A last clean batch from each bad gateway: its ack says everything before it was
        // processed (one commit at a time on the embedded database).
        const lastAcked = Promise.all(
          bad.map(async (b) => {
            const r = cleanReading(`${b.id}:last:0`, `ble:00:00:00:00:fb:0${BAD.indexOf(b.id)}`, 0, Date.now());
            clean.set(r.id, r);
            const batchId = `${b.id}:last`;
            const acked = new Promise<void>((resolve) =>
              b.client.on('message', (_t, p) => {
                if ((JSON.parse(p.toString()) as BatchAck).batchId === batchId) resolve();
              }),
            );
            await b.client.publishAsync(
              topicOf(b.id, 'readings'),
              JSON.stringify({ v: 1, gatewayId: b.id, batchId, sentAt: new Date().toISOString(), readings: [r] }),
              { qos: 1 },
            );
            await acked;
          }),
        );
        await Promise.race([
          lastAcked,
          new Promise((_, reject) =>
            setTimeout(
              () => reject(new Error('the last batches of the bad gateways unacknowledged after 90 s')),
              90_000,
            ),
          ),
        ]);
        await Promise.race([
          good.finished,
          new Promise((_, reject) =>
            setTimeout(() => reject(new Error(`good batches still unacknowledged after 90 s`)), 90_000),
          ),
        ]);
        expect(good.problems).toEqual([]);
        expect(server.child.exitCode).toBeNull();
        const h = await server.api('GET', '/healthz');
        expect(h.status).toBe(200);
      } finally {
        await good.close();
        await Promise.all(bad.map((b) => b.client.endAsync()));
      }
      console.log(
        `ingest fuzz on ${kind}: ${BAD.length * BAD_MESSAGES_EACH} bad messages (${kinds.size} kinds), ${good.resent} good batches re-sent`,
      );
      if (kind === 'postgres') {
        // Two commits run side by side on a database server: the last marker may overtake a
        // commit still isolating poison, so wait for the clean readings before reading.
        const schema = db.env.VITALS_DATABASE_SCHEMA!;
        await eventually(
          async () => (await readRows(schema)).filter((r) => clean.has(r.id)).length >= clean.size,
          60_000,
          'the clean readings of the bad gateways',
        ).catch(() => {});
        rows = await readRows(schema);
      }
    } finally {
      expect(server.child.exitCode, 'the server exited during the fuzz').toBeNull();
      await server.kill('SIGTERM');
    }
    // The embedded database can be read once its server has let go of it.
    if (kind === 'pglite') rows = await readPgliteRows(join(db.env.VITALS_DATA_DIR!, 'db'));

    const byId = new Map(rows.map((r) => [r.id, r]));
    const goodRows = rows.filter((r) => r.gateway_id === GOOD);
    expect(goodRows).toHaveLength(GOOD_READINGS);
    const wrong: string[] = [];
    for (let i = 0; i < GOOD_READINGS; i++) {
      const r = byId.get(`${GOOD}:s:${i}`);
      if (!r || r.value !== 50 + (i % 100)) wrong.push(`${GOOD}:s:${i}: ${JSON.stringify(r)}`);
    }
    expect(wrong.slice(0, 10)).toEqual([]);
    const stolen = rows.filter((r) => r.gateway_id !== GOOD && r.id.startsWith(`${GOOD}:`));
    expect(stolen).toEqual([]);
    const poisonStored = rows.filter((r) => poisoned.has(r.id)).map((r) => `${r.id} (${poisoned.get(r.id)})`);
    expect(poisonStored).toEqual([]);
    // Whatever a bad gateway got stored is exactly a clean reading it sent.
    const strays = rows.filter((r) => {
      if (r.gateway_id === GOOD) return false;
      const c = clean.get(r.id);
      return !c || c.value !== r.value || Date.parse(c.time) !== r.time.getTime();
    });
    expect(strays).toEqual([]);
    // Poison isolates the message at fault, not its neighbours: the clean readings got in too.
    const cleanStored = rows.filter((r) => clean.has(r.id)).length;
    expect(cleanStored).toBe(clean.size);
  }, 240_000);
});

async function readRows(schema: string): Promise<Row[]> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<Row>(`SELECT id, gateway_id, value, time FROM "${schema}".readings`)).rows;
  } finally {
    await c.end();
  }
}

async function readPgliteRows(dir: string): Promise<Row[]> {
  const sql = await openPglite(dir);
  try {
    return (await sql.query<Row>('SELECT id, gateway_id, value, time FROM readings')).rows;
  } finally {
    await sql.close();
  }
}
