/**
 * `pnpm -s bench fleet [--gateways 10000] [--rate 2000] [--seconds 20] [--only embedded|mosquitto] [--inflight N]`
 * (`--inflight`: Mosquitto's max_inflight_messages, default its own 20)
 *
 * A regional fleet (issue 18): N simulated gateways, registered in bulk through storage with a
 * password each, hold idle MQTT connections the way real gateways do (subscribed to their
 * `config` and `ack`, a retained `online` birth, keep-alive 60 s) while a subset sends R
 * readings/s (each sender 10 readings/s in one batch a second, its own device, not bound to a
 * patient) and waits for the server's end-to-end `ack`. Two set-ups, one run:
 *
 * 1. embedded: one server instance with its embedded aedes broker (the gateways connect to the
 *    server): memory per idle connection = the server's RSS delta / N.
 * 2. mosquitto: a private Mosquitto started by the bench (password file and ACL pattern file,
 *    as docs/server.md describes), one server instance, then two instances sharing the ingest
 *    through a shared subscription: memory per idle connection is the broker's RSS delta / N
 *    (the servers hold no gateway connection in this mode).
 *
 * For each: sustained readings/s at the offered rate, ack latency p50/p99 (publish → the
 * server's ack after its commit), the PUBACK latency of the same publishes (the broker alone:
 * the raw MQTT baseline), and the capacity (every sender as fast as acks come back, two
 * batches of 100 in flight), and a settings push (the organisation's default changed through the
 * API: the call's time and until every connected gateway has the new config). Baselines in the same run: the broker's PUBACK round trip, and a
 * raw INSERT rate of the same rows into the same database. The two-vs-one ratio compares the
 * capacity of two instances with one behind the same Mosquitto.
 *
 * File descriptors: every idle connection costs one in this process and one in the broker (the
 * server, or Mosquitto). The bench checks `ulimit -n` and stops with what to set when it is too low.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BatchAck, type Reading, topicFor } from '@vitals/contract';
import { hashSecret } from '@vitals/server/auth/secrets.ts';
import { openPostgres } from '@vitals/server/storage/postgres.ts';
import { createGateways } from '@vitals/server/storage/repos/gateways.ts';
import { findUserByEmail, membershipsOf } from '@vitals/server/storage/repos/people.ts';
import type { Sql } from '@vitals/server/storage/sql.ts';
import { dropTestSchema } from '@vitals/server/test-support/harness.ts';
import mqtt, { type MqttClient } from 'mqtt';
import { ADMIN, type ServerProc, startServerProcess, TEST_DATABASE_URL } from '../../test/src/processes.ts';
import { log, percentile, round } from './stats.ts';

const READINGS_PER_SENDER = 10;
const CONNECT_CONCURRENCY = 100;

interface Gw {
  id: string;
  password: string;
  client?: MqttClient;
  device: string;
  seq: number;
}

interface Load {
  offered: number;
  sustained: number;
  ackP50Ms: number;
  ackP99Ms: number;
  pubackP50Ms: number;
  pubackP99Ms: number;
  unacked: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident memory of a process in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

function openFilesLimit(): number {
  const m = readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+(\d+|unlimited)/);
  return !m || m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Registers the fleet in bulk through storage, each gateway with its own password. */
async function registerFleet(sql: Sql, gws: Gw[]): Promise<void> {
  const admin = await findUserByEmail(sql, ADMIN.email);
  const org = (await membershipsOf(sql, admin!.id))[0]!.organisation_id;
  for (let i = 0; i < gws.length; i += 2000) {
    const chunk = gws.slice(i, i + 2000);
    await createGateways(
      sql,
      chunk.map((g) => ({ id: g.id, secretHash: hashSecret(g.password), organisationId: org })),
    );
  }
}

/** Connects every gateway as a real one would: own credentials, config and ack subscribed, retained birth. */
async function connectFleet(
  url: string,
  gws: Gw[],
  acks: (gw: Gw, ack: BatchAck) => void,
  configs: (gw: Gw, config: { settings?: { revision?: number } }) => void = () => {},
): Promise<number> {
  let next = 0;
  let connected = 0;
  let failed = 0;
  const t0 = performance.now();
  const one = async (gw: Gw) => {
    const c = await mqtt.connectAsync(url, {
      clientId: gw.id,
      username: gw.id,
      password: gw.password,
      keepalive: 60,
      reconnectPeriod: 0,
      connectTimeout: 60_000,
      protocolVersion: 4,
      will: {
        topic: topicFor(gw.id, 'status'),
        payload: Buffer.from(
          JSON.stringify({ state: 'offline', time: new Date().toISOString(), version: 'bench', bootId: 'b' }),
        ),
        qos: 1,
        retain: true,
      },
    });
    c.on('message', (topic, p) => {
      if (topic.endsWith('/ack')) acks(gw, JSON.parse(p.toString()) as BatchAck);
      else if (topic.endsWith('/config')) configs(gw, JSON.parse(p.toString()));
    });
    c.on('error', () => {});
    await c.subscribeAsync([topicFor(gw.id, 'config'), topicFor(gw.id, 'ack')], { qos: 1 });
    await c.publishAsync(
      topicFor(gw.id, 'status'),
      JSON.stringify({ state: 'online', time: new Date().toISOString(), version: 'bench', bootId: 'b' }),
      { qos: 1, retain: true },
    );
    gw.client = c;
  };
  const worker = async () => {
    while (next < gws.length) {
      const gw = gws[next++]!;
      try {
        await one(gw);
        connected++;
      } catch (e) {
        failed++;
        if (failed <= 3) log(`  connect of ${gw.id} failed: ${(e as Error).message}`);
      }
      if ((connected + failed) % 1000 === 0)
        log(
          `  connected ${connected}/${gws.length} (${failed} failed), ${Math.round(connected / ((performance.now() - t0) / 1000))}/s`,
        );
    }
  };
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return connected;
}

function batch(gw: Gw, size: number, now: number) {
  const batchId = `${gw.id}:fleet:b:${gw.seq}`;
  const readings: Reading[] = Array.from({ length: size }, (_, i) => ({
    id: `${gw.id}:fleet:${String(gw.seq++).padStart(12, '0')}`,
    device: { id: gw.device, transport: 'ble' },
    time: new Date(now - 1000 + i).toISOString(),
    timeSource: 'device',
    metric: 'spo2',
    value: 95 + (i % 4),
    unit: '%',
  }));
  return {
    batchId,
    payload: JSON.stringify({ v: 1, gatewayId: gw.id, batchId, sentAt: new Date().toISOString(), readings }),
  };
}

class AckBook {
  readonly sent = new Map<string, { t0: number; n: number }>();
  latencies: number[] = [];
  pubacks: number[] = [];
  acked = 0;
  onAck = (_gw: Gw, a: BatchAck) => {
    const s = this.sent.get(a.batchId);
    if (!s) return;
    this.sent.delete(a.batchId);
    this.latencies.push(performance.now() - s.t0);
    this.acked += a.accepted + a.duplicates + a.rejected.length;
    this.after?.(_gw);
  };
  after?: (gw: Gw) => void;
  publish(gw: Gw, size: number) {
    const { batchId, payload } = batch(gw, size, Date.now());
    const t0 = performance.now();
    this.sent.set(batchId, { t0, n: size });
    gw.client!.publishAsync(topicFor(gw.id, 'readings'), payload, { qos: 1 }).then(
      () => this.pubacks.push(performance.now() - t0),
      () => {},
    );
  }
  reset() {
    this.latencies = [];
    this.pubacks = [];
    this.acked = 0;
  }
}

/** Each sender publishes one batch of 10 a second, spread over the second, for `seconds`. */
async function pacedLoad(book: AckBook, senders: Gw[], seconds: number, label: string): Promise<Load> {
  book.reset();
  book.after = undefined;
  const offered = senders.length * READINGS_PER_SENDER;
  const t0 = performance.now();
  const slot = 1000 / senders.length;
  for (let s = 0; s < seconds; s++) {
    const secondStart = t0 + s * 1000;
    for (let i = 0; i < senders.length; i++) {
      const due = secondStart + i * slot;
      const wait = due - performance.now();
      if (wait > 4) await sleep(wait);
      book.publish(senders[i]!, READINGS_PER_SENDER);
    }
    const elapsed = (performance.now() - t0) / 1000;
    log(`  ${label} ${s + 1}/${seconds} s: ${Math.round(book.acked / elapsed)} readings/s acked of ${offered} offered`);
  }
  const drainEnd = performance.now() + 15_000;
  while (book.sent.size && performance.now() < drainEnd) await sleep(50);
  const elapsed = (performance.now() - t0) / 1000;
  const lat = [...book.latencies].sort((a, b) => a - b);
  const pub = [...book.pubacks].sort((a, b) => a - b);
  const unacked = book.sent.size;
  book.sent.clear();
  return {
    offered,
    sustained: Math.round(book.acked / Math.max(seconds, elapsed)),
    ackP50Ms: round(percentile(lat, 50)),
    ackP99Ms: round(percentile(lat, 99)),
    pubackP50Ms: round(percentile(pub, 50)),
    pubackP99Ms: round(percentile(pub, 99)),
    unacked,
  };
}

/** Every sender keeps two batches of 100 in flight: the most the set-up acknowledges per second. */
async function capacity(book: AckBook, senders: Gw[], seconds: number, label: string): Promise<number> {
  book.reset();
  let stop = false;
  book.after = (gw) => {
    if (!stop) book.publish(gw, 100);
  };
  for (const gw of senders) for (let k = 0; k < 2; k++) book.publish(gw, 100);
  await sleep(2000); // warm-up
  book.reset();
  const t0 = performance.now();
  for (let s = 1; s <= seconds; s++) {
    await sleep(1000);
    log(
      `  ${label} capacity ${s}/${seconds} s: ${Math.round(book.acked / ((performance.now() - t0) / 1000))} readings/s`,
    );
  }
  const rate = book.acked / ((performance.now() - t0) / 1000);
  stop = true;
  const drainEnd = performance.now() + 20_000;
  while (book.sent.size && performance.now() < drainEnd) await sleep(50);
  book.sent.clear();
  book.after = undefined;
  return Math.round(rate);
}

/** The same kind of rows straight into the same database: unnest … ON CONFLICT DO NOTHING, 1,000 a statement. */
async function rawInsertRate(sql: Sql, seconds: number): Promise<number> {
  const gw: Gw = { id: 'gw-fleet-raw', password: '', device: 'ble:fe:ff:ff:ff:ff:ff', seq: 0 };
  let inserted = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      id: `${gw.id}:${gw.seq++}`,
      time: new Date(Date.now() - i),
    }));
    const r = await sql.query(
      `INSERT INTO readings (id, patient_id, device_id, gateway_id, metric, time, value, unit, time_source, batch_id)
       SELECT i.id, NULL, $3, $4, 'spo2', i.time, 97, '%', 'device', $4
         FROM unnest($1::text[], $2::timestamptz[]) AS i(id, time)
       ON CONFLICT (id) DO NOTHING`,
      [rows.map((x) => x.id), rows.map((x) => x.time.toISOString()), gw.device, gw.id],
    );
    inserted += r.rowCount;
  }
  return Math.round(inserted / ((performance.now() - t0) / 1000));
}

/**
 * An administrator changes the organisation's default gateway settings (PUT, as the fleet view
 * does): how long the call takes (it publishes every gateway's retained config) and until every
 * connected gateway has received a config with that revision.
 */
async function pushSettings(server: ServerProc, received: Map<string, number>, connected: number) {
  const login = await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN);
  const me = await server.api<{ organisations: { organisationId: string }[] }>(
    'GET',
    '/api/v1/me',
    undefined,
    login.body.token,
  );
  const t0 = performance.now();
  const r = await server.api<{ revision: number; republished: number }>(
    'PUT',
    `/api/v1/organisations/${me.body.organisations[0]!.organisationId}/gateway-settings`,
    { settings: { maxReadingsPerSecond: 500 } },
    login.body.token,
  );
  const callSeconds = (performance.now() - t0) / 1000;
  if (r.status !== 200) throw new Error(`settings push failed: ${r.status} ${JSON.stringify(r.body)}`);
  const reached = () => [...received.values()].filter((rev) => rev >= r.body.revision).length;
  const end = performance.now() + 120_000;
  while (reached() < connected && performance.now() < end) await sleep(100);
  const allSeconds = (performance.now() - t0) / 1000;
  log(
    `  settings pushed to ${r.body.republished} gateways: the call took ${round(callSeconds, 2)} s; ${reached()}/${connected} had the new config after ${round(allSeconds, 2)} s`,
  );
  return {
    settingsPushCallSeconds: round(callSeconds, 2),
    settingsPushAllSeconds: round(allSeconds, 2),
    settingsPushReached: reached(),
  };
}

function fleetOf(n: number, tag: string): Gw[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `gw-fleet-${tag}-${String(i).padStart(6, '0')}`,
    password: randomBytes(18).toString('base64url'),
    device: `ble:fe:${tag.slice(0, 2).padEnd(2, '0')}:${(i >> 16).toString(16).padStart(2, '0')}:${((i >> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}:01`,
    seq: 0,
  }));
}

async function endFleet(gws: Gw[]) {
  for (let i = 0; i < gws.length; i += 500)
    await Promise.all(gws.slice(i, i + 500).map((g) => g.client?.endAsync(true).catch(() => {})));
}

function serverEnv(schema: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    VITALS_DATABASE_URL: TEST_DATABASE_URL,
    VITALS_DATABASE_SCHEMA: schema,
    VITALS_DATA_DIR: mkdtempSync(join(tmpdir(), 'vitals-fleet-')),
    VITALS_LOG_LEVEL: 'warn',
    ...extra,
  };
}

async function embedded(n: number, rate: number, seconds: number) {
  log(`== one instance, embedded aedes broker: ${n} gateways`);
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const server = await startServerProcess(serverEnv(schema));
  const sql = await openPostgres({ url: TEST_DATABASE_URL, schema });
  const gws = fleetOf(n, 'em');
  try {
    await registerFleet(sql, gws);
    log(`  registered ${n} gateways through storage`);
    await sleep(2000);
    const rss0 = rssMiB(server.child.pid!);
    const book = new AckBook();
    const received = new Map<string, number>();
    const onConfig = (gw: Gw, c: { settings?: { revision?: number } }) =>
      received.set(gw.id, c.settings?.revision ?? 0);
    const t0 = performance.now();
    const connected = await connectFleet(server.mqttUrl, gws, book.onAck, onConfig);
    const connectSeconds = (performance.now() - t0) / 1000;
    await sleep(5000);
    const rss1 = rssMiB(server.child.pid!);
    const perConnKiB = ((rss1 - rss0) * 1024) / connected;
    log(
      `  ${connected} idle connections: server RSS ${round(rss0)} → ${round(rss1)} MiB, ${round(perConnKiB)} KiB per connection`,
    );
    const senders = gws.filter((g) => g.client).slice(0, Math.ceil(rate / READINGS_PER_SENDER));
    const load = await pacedLoad(book, senders, seconds, 'embedded');
    log(
      `  at ${load.offered}/s: ack p50 ${load.ackP50Ms} ms, p99 ${load.ackP99Ms} ms (PUBACK p99 ${load.pubackP99Ms} ms)`,
    );
    const push = await pushSettings(server, received, connected);
    const cap = await capacity(book, senders, Math.max(5, Math.round(seconds / 2)), 'embedded');
    const raw = await rawInsertRate(sql, Math.max(3, Math.round(seconds / 4)));
    log(`  capacity ${cap} readings/s; raw INSERT baseline ${raw} rows/s (ingest ${round((100 * cap) / raw)} % of it)`);
    return {
      connections: connected,
      serverRssBeforeMiB: round(rss0),
      serverRssAfterMiB: round(rss1),
      memoryPerConnectionKiB: round(perConnKiB),
      connectionsPerSecond: Math.round(connected / connectSeconds),
      ...load,
      ...push,
      capacityReadingsPerSecond: cap,
      rawInsertRowsPerSecond: raw,
      capacityVsRawInsert: round(cap / raw, 3),
    };
  } finally {
    await endFleet(gws);
    await server.kill('SIGTERM');
    await sql.close();
    await dropTestSchema(schema);
  }
}

/** A private Mosquitto with a password per gateway and the contract's ACL (docs/server.md). */
async function startMosquitto(gws: Gw[], server: { user: string; password: string }, inflight?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-mosquitto-'));
  const port = await freePort();
  const passwd = join(dir, 'passwd');
  writeFileSync(
    passwd,
    `${[`${server.user}:${server.password}`, ...gws.map((g) => `${g.id}:${g.password}`)].join('\n')}\n`,
    { mode: 0o600 },
  );
  log(`  hashing ${gws.length + 1} passwords for Mosquitto (mosquitto_passwd -U)`);
  await new Promise<void>((resolve, reject) =>
    spawn('mosquitto_passwd', ['-U', passwd], { stdio: 'inherit' }).once('exit', (c) =>
      c === 0 ? resolve() : reject(new Error(`mosquitto_passwd exited with ${c}`)),
    ),
  );
  writeFileSync(
    join(dir, 'acl'),
    [
      'pattern write vitals/v1/gw/%u/readings',
      'pattern write vitals/v1/gw/%u/status',
      'pattern write vitals/v1/gw/%u/events',
      'pattern read vitals/v1/gw/%u/config',
      'pattern read vitals/v1/gw/%u/ack',
      `user ${server.user}`,
      'topic readwrite vitals/v1/#',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'mosquitto.conf'),
    [
      `listener ${port} 127.0.0.1`,
      // Started as root, Mosquitto would switch to its own user, who cannot read this private directory.
      ...(process.getuid?.() === 0 ? ['user root'] : []),
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${join(dir, 'acl')}`,
      'persistence false',
      'max_keepalive 600',
      // QoS 1 messages in flight to each client, the instances included (Mosquitto's default: 20).
      ...(inflight !== undefined ? [`max_inflight_messages ${inflight}`] : []),
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/mosquitto', ['-c', join(dir, 'mosquitto.conf')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d.toString();
  });
  for (let i = 0; i < 100; i++) {
    const ok = await mqtt
      .connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: server.user,
        password: server.password,
        reconnectPeriod: 0,
      })
      .then((c) => c.endAsync().then(() => true))
      .catch(() => false);
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`mosquitto exited: ${err}`);
    await sleep(100);
  }
  return {
    url: `mqtt://127.0.0.1:${port}`,
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withMosquitto(n: number, rate: number, seconds: number, inflight?: number) {
  log(`== Mosquitto 2.0 (private instance, password file + ACL), ${n} gateways: one server instance, then two`);
  const schema = `bench_${randomBytes(5).toString('hex')}`;
  const gws = fleetOf(n, 'mq');
  const serverUser = { user: 'vitals-server', password: randomBytes(18).toString('base64url') };
  const broker = await startMosquitto(gws, serverUser, inflight);
  if (inflight !== undefined) log(`  max_inflight_messages ${inflight}`);
  const group = `fleet${randomBytes(3).toString('hex')}`;
  const external = (instance: string) =>
    serverEnv(schema, {
      VITALS_MQTT_URL: broker.url,
      VITALS_MQTT_USERNAME: serverUser.user,
      VITALS_MQTT_PASSWORD: serverUser.password,
      VITALS_MQTT_SHARE_GROUP: group,
      VITALS_INSTANCE_ID: instance,
    });
  const servers: ServerProc[] = [];
  let sql: Sql | undefined;
  try {
    servers.push(await startServerProcess(external('fleet-a')));
    sql = await openPostgres({ url: TEST_DATABASE_URL, schema });
    await registerFleet(sql, gws);
    log(`  registered ${n} gateways through storage`);
    await sleep(2000);
    const rss0 = rssMiB(broker.pid);
    const srv0 = rssMiB(servers[0]!.child.pid!);
    const book = new AckBook();
    const received = new Map<string, number>();
    const onConfig = (gw: Gw, c: { settings?: { revision?: number } }) =>
      received.set(gw.id, c.settings?.revision ?? 0);
    const t0 = performance.now();
    const connected = await connectFleet(broker.url, gws, book.onAck, onConfig);
    const connectSeconds = (performance.now() - t0) / 1000;
    await sleep(5000);
    const rss1 = rssMiB(broker.pid);
    const srv1 = rssMiB(servers[0]!.child.pid!);
    const perConnKiB = ((rss1 - rss0) * 1024) / connected;
    log(
      `  ${connected} idle connections: Mosquitto RSS ${round(rss0)} → ${round(rss1)} MiB, ${round(perConnKiB)} KiB per connection; server RSS ${round(srv0)} → ${round(srv1)} MiB`,
    );
    const senders = gws.filter((g) => g.client).slice(0, Math.ceil(rate / READINGS_PER_SENDER));
    const capSeconds = Math.max(5, Math.round(seconds / 2));
    const one = await pacedLoad(book, senders, seconds, 'one instance');
    log(
      `  one instance at ${one.offered}/s: ack p50 ${one.ackP50Ms} ms, p99 ${one.ackP99Ms} ms (PUBACK p99 ${one.pubackP99Ms} ms)`,
    );
    const push = await pushSettings(servers[0]!, received, connected);
    const capOne = await capacity(book, senders, capSeconds, 'one instance');
    servers.push(await startServerProcess(external('fleet-b')));
    await sleep(2000);
    const two = await pacedLoad(book, senders, seconds, 'two instances');
    log(`  two instances at ${two.offered}/s: ack p50 ${two.ackP50Ms} ms, p99 ${two.ackP99Ms} ms`);
    const capTwo = await capacity(book, senders, capSeconds, 'two instances');
    const ratio = round(capTwo / capOne, 2);
    log(`  capacity: one instance ${capOne}/s, two ${capTwo}/s: ratio ${ratio}`);
    return {
      connections: connected,
      brokerRssBeforeMiB: round(rss0),
      brokerRssAfterMiB: round(rss1),
      memoryPerConnectionKiB: round(perConnKiB),
      serverRssDeltaMiB: round(srv1 - srv0),
      connectionsPerSecond: Math.round(connected / connectSeconds),
      ...push,
      one: { ...one, capacityReadingsPerSecond: capOne },
      two: { ...two, capacityReadingsPerSecond: capTwo },
      ratioTwoVsOne: ratio,
    };
  } finally {
    await endFleet(gws);
    for (const s of servers) await s.kill('SIGTERM');
    await sql?.close();
    await broker.stop();
    await dropTestSchema(schema);
  }
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const opt = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const gateways = Number(opt('--gateways') ?? 10_000);
  const rate = Number(opt('--rate') ?? 2_000);
  const seconds = Number(opt('--seconds') ?? 20);
  const only = opt('--only');
  if (!(gateways >= 1 && rate >= READINGS_PER_SENDER && seconds >= 1))
    throw new Error(
      'usage: pnpm -s bench fleet [--gateways N>=1] [--rate R>=10] [--seconds S>=1] [--only embedded|mosquitto]',
    );
  // One descriptor per connection here, and as many in the broker (a child: same limit).
  const limit = openFilesLimit();
  if (limit < gateways + 500)
    throw new Error(
      `ulimit -n is ${limit}: ${gateways} connections need at least ${gateways + 500} descriptors here and in the broker. Run \`ulimit -n ${gateways + 1000}\` (raise the hard limit in /etc/security/limits.conf if needed) and try again.`,
    );
  log(
    `fleet: ${gateways} gateways, ${rate} readings/s from ${Math.ceil(rate / READINGS_PER_SENDER)} of them, ${seconds} s per phase; ulimit -n ${limit}; load average ${loadavg()
      .map((l) => round(l, 2))
      .join(' ')}`,
  );
  const out: Record<string, unknown> = { gateways, rate, seconds, loadAverageAtStart: round(loadavg()[0]!, 2) };
  if (only !== 'mosquitto') out.embedded = await embedded(gateways, rate, seconds);
  const inflight = opt('--inflight');
  if (only !== 'embedded')
    out.mosquitto = await withMosquitto(gateways, rate, seconds, inflight === undefined ? undefined : Number(inflight));
  out.loadAverageAtEnd = round(loadavg()[0]!, 2);
  return out;
}
