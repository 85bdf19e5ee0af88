/**
 * `pnpm -s bench outbox [--readings N] [--skip-rss]`: the gateway outbox.
 *
 * - append: readings/s stored durably (WAL, synchronous=FULL: each append is one fsynced
 *   transaction), per PLX record (2 readings per append, as the pipeline stores a frame) and
 *   in blocks of 1,000; next to a raw better-sqlite3 baseline with the same durability and
 *   chunking but none of the outbox's logic (ids, bounds, holds), and the ratio.
 * - drain: readings/s from a full outbox through the real Link (MQTT 3.1.1) to a real server
 *   process (embedded broker, PostgreSQL when VITALS_TEST_DATABASE_URL's database is up, else
 *   PGlite) until the server's end-to-end acks emptied the outbox; without and with the
 *   default pacing ceiling.
 * - rss: resident memory of a real gateway process (`gateway start --simulate`) with four
 *   simulated BLE devices connected (BP monitor, 1 Hz pulse oximeter, thermometer, scale).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DecodedReading, Reading } from '@vitals/contract';
import { Link } from '@vitals/gateway/link/link.ts';
import { Outbox } from '@vitals/gateway/outbox/outbox.ts';
import { toWireReadings } from '@vitals/gateway/pipeline/wire-readings.ts';
import pg from 'pg';
import { log, round } from './stats.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
/** The Node flags of gateway/deploy/vitals-gateway.service (small young generation: a Pi has little memory). */
const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=1', '--max-old-space-size=64', '--v8-pool-size=1'];
/** The environment of the systemd unit: glibc's per-thread malloc arenas cost RSS for nothing here. */
const GATEWAY_ENV = { MALLOC_ARENA_MAX: '2' };
const DATABASE_URL = process.env.VITALS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DEVICE = { id: 'ble:5a:00:00:00:00:02', transport: 'ble' as const, model: 'BENCH-PLX' };
const require = createRequire(createRequire(import.meta.url).resolve('@vitals/gateway/outbox/outbox.ts'));
/** The part of better-sqlite3 the raw baseline uses (the module is the gateway's dependency, not the bench's). */
interface RawDb {
  pragma(s: string): unknown;
  exec(s: string): void;
  prepare(s: string): { run(...a: unknown[]): unknown };
  transaction<A extends unknown[]>(f: (...a: A) => void): (...a: A) => void;
  close(): void;
}
const Database = require('better-sqlite3') as new (path: string) => RawDb;

function option(args: string[], name: string, dflt: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}

/** n seconds of a 1 Hz oximeter: 2n readings with content ids. */
function oximeterReadings(first: number, n: number, t0: number): Reading[] {
  const out: Reading[] = [];
  for (let k = first; k < first + n; k++) {
    const time = new Date(t0 + k * 1000).toISOString();
    const decoded: DecodedReading[] = [
      { metric: 'spo2', value: 90 + (k % 10), unit: '%', time },
      { metric: 'pulse_rate', value: 60 + (k % 40), unit: '/min', time },
    ];
    out.push(
      ...toWireReadings(decoded, { device: DEVICE, receivedAt: new Date(), gatewayClockOk: true, newIds: () => [] }),
    );
  }
  return out;
}

function appendRates(dir: string) {
  const t0 = Date.now() - 86_400_000;
  const perRecord = oximeterReadings(0, 2000, t0);
  const block = oximeterReadings(10_000, 50_000, t0);
  const measure = (label: string, f: () => void, readings: number) => {
    const start = process.hrtime.bigint();
    f();
    const s = Number(process.hrtime.bigint() - start) / 1e9;
    const rate = Math.round(readings / s);
    log(`${label}: ${readings} readings in ${round(s, 2)} s = ${rate} readings/s`);
    return rate;
  };
  const o = new Outbox({ path: join(dir, 'append.sqlite'), gatewayId: 'gw-bench-0001' });
  const outboxRecord = measure(
    'outbox append, 1 record (2 readings) per fsync',
    () => {
      for (let i = 0; i < perRecord.length; i += 2) o.append(perRecord.slice(i, i + 2));
    },
    perRecord.length,
  );
  const outboxBlock = measure(
    'outbox append, 1,000 readings per fsync',
    () => {
      for (let i = 0; i < block.length; i += 1000) o.append(block.slice(i, i + 1000));
    },
    block.length,
  );
  o.close();

  const raw = new Database(join(dir, 'raw.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.exec('CREATE TABLE r (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, body TEXT NOT NULL)');
  const ins = raw.prepare('INSERT INTO r (id, body) VALUES (?, ?)');
  const insertAll = raw.transaction((rs: Reading[]) => {
    for (const r of rs) ins.run(r.id, JSON.stringify(r));
  });
  const rawRecord = measure(
    'raw better-sqlite3, 2 readings per fsync',
    () => {
      for (let i = 0; i < perRecord.length; i += 2) insertAll(perRecord.slice(i, i + 2));
    },
    perRecord.length,
  );
  const rawBlock = measure(
    'raw better-sqlite3, 1,000 readings per fsync',
    () => {
      for (let i = 0; i < block.length; i += 1000) insertAll(block.slice(i, i + 1000));
    },
    block.length,
  );
  raw.close();
  return {
    appendPerRecordReadingsPerSec: outboxRecord,
    appendBlockReadingsPerSec: outboxBlock,
    rawPerRecordReadingsPerSec: rawRecord,
    rawBlockReadingsPerSec: rawBlock,
    appendVsRawPerRecord: round(outboxRecord / rawRecord, 2),
    appendVsRawBlock: round(outboxBlock / rawBlock, 2),
  };
}

interface Server {
  child: ChildProcess;
  mqttPort: number;
  base: string;
  token: string;
  stop(): Promise<void>;
}

async function databaseEnv(): Promise<{ env: Record<string, string>; kind: string; drop(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-outbox-server-'));
  try {
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    await c.end();
    const schema = `bench_${randomBytes(5).toString('hex')}`;
    return {
      env: { VITALS_DATABASE_URL: DATABASE_URL, VITALS_DATABASE_SCHEMA: schema, VITALS_DATA_DIR: dataDir },
      kind: 'postgres',
      async drop() {
        const c2 = new pg.Client({ connectionString: DATABASE_URL });
        await c2.connect();
        await c2.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await c2.end();
      },
    };
  } catch {
    return { env: { VITALS_DATA_DIR: dataDir }, kind: 'pglite', drop: async () => {} };
  }
}

function startNode(args: string[], env: Record<string, string>) {
  return startProcess(['--import', 'tsx', ...args], env);
}

function startProcess(
  args: string[],
  env: Record<string, string> = {},
): { child: ChildProcess; waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray> } {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    child,
    waitFor: (re, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const end = Date.now() + ms;
        const poll = () => {
          const m = out.match(re);
          if (m) return resolve(m);
          if (child.exitCode !== null || Date.now() > end)
            return reject(new Error(`no ${re} from ${args[0]}:\n${out.slice(-2000)}`));
          setTimeout(poll, 50);
        };
        poll();
      }),
  };
}

async function startServer(env: Record<string, string>): Promise<Server> {
  const admin = { email: 'bench@outbox.test', password: 'bench-outbox-password' };
  const p = startNode(['server/src/cli/main.ts', 'start'], {
    ...env,
    VITALS_HTTP_PORT: '0',
    VITALS_MQTT_PORT: '0',
    VITALS_HTTP_HOST: '127.0.0.1',
    VITALS_MQTT_HOST: '127.0.0.1',
    VITALS_ADMIN_EMAIL: admin.email,
    VITALS_ADMIN_PASSWORD: admin.password,
    VITALS_ADMIN_MFA: 'false',
    VITALS_LOG_LEVEL: 'info',
  });
  const m = await p.waitFor(/listening http=(\d+) mqtt=(\d+)/);
  const base = `http://127.0.0.1:${m[1]}`;
  const login = (await (
    await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(admin),
    })
  ).json()) as { token: string };
  return {
    child: p.child,
    mqttPort: Number(m[2]),
    base,
    token: login.token,
    stop: () =>
      new Promise((resolve) => {
        if (p.child.exitCode !== null) return resolve();
        p.child.once('exit', () => resolve());
        p.child.kill('SIGTERM');
      }),
  };
}

async function registerGateway(s: Server, id: string): Promise<string> {
  const r = await fetch(`${s.base}/api/v1/gateways`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
    body: JSON.stringify({ id }),
  });
  if (r.status !== 201) throw new Error(`gateway registration failed: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { mqtt: { password: string } }).mqtt.password;
}

async function drainRate(s: Server, dir: string, readings: number, ceiling: number | undefined, label: string) {
  const id = `gw-bench-${randomBytes(3).toString('hex')}`;
  const password = await registerGateway(s, id);
  const outbox = new Outbox({ path: join(dir, `${id}.sqlite`), gatewayId: id });
  const t0 = Date.now() - 2 * 86_400_000 - Math.floor(Math.random() * 1e9);
  for (let i = 0; i < readings / 2; i += 5000) outbox.append(oximeterReadings(i, Math.min(5000, readings / 2 - i), t0));
  const silent = {
    info() {},
    warn() {},
    error() {},
    debug() {},
    child: () => silent,
  } as unknown as ConstructorParameters<typeof Link>[0]['log'];
  const link = new Link({
    url: `mqtt://127.0.0.1:${s.mqttPort}`,
    gatewayId: id,
    username: id,
    password,
    outbox,
    log: silent,
    version: 'bench',
    bootId: 'bench',
    ...(ceiling ? { maxReadingsPerSecond: ceiling } : {}),
  });
  const start = process.hrtime.bigint();
  link.start();
  while (outbox.size() > 0) await new Promise((r) => setTimeout(r, 10));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  await link.stop();
  outbox.close();
  const rate = Math.round(readings / secs);
  log(
    `drain ${label}: ${readings} readings acked by the server in ${round(secs, 2)} s = ${rate} readings/s (window ${link.window})`,
  );
  return rate;
}

/** Runs the gateway with 4 simulated devices, as `command` (tsx or the bundle), and samples its RSS. */
async function gatewayRss(
  s: Server,
  dir: string,
  command: string[],
  label: string,
  env: Record<string, string> = {},
): Promise<{ rssMb: number; privateMb: number; devicesWithReadings: number }> {
  const id = `gw-rss-${randomBytes(3).toString('hex')}`;
  const password = await registerGateway(s, id);
  const pwFile = join(dir, `${id}.pw`);
  writeFileSync(pwFile, password);
  chmodSync(pwFile, 0o600);
  const home = join(dir, 'home.json');
  writeFileSync(
    home,
    JSON.stringify({
      v: 1,
      name: 'bench: four devices',
      timezone: 'Asia/Tokyo',
      seed: 3,
      patient: {
        systolic: 130,
        diastolic: 80,
        pulse: 70,
        spo2: 96,
        temperature: 36.6,
        weightKg: 60,
        heightM: 1.6,
        glucoseFasting: 100,
      },
      devices: [
        { kind: 'bp-monitor', address: 'c4:7c:8d:6a:3f:31' },
        { kind: 'pulse-oximeter', address: '00:1c:05:12:34:66', rateHz: 1 },
        { kind: 'thermometer', address: 'c4:7c:8d:6a:3f:32' },
        { kind: 'weight-scale', address: 'c4:7c:8d:6a:3f:33' },
      ],
    }),
  );
  const statusFile = join(dir, 'rss-status.json');
  const config = join(dir, 'rss-gateway.json');
  writeFileSync(
    config,
    JSON.stringify({
      gatewayId: id,
      server: { url: `mqtt://127.0.0.1:${s.mqttPort}`, passwordFile: pwFile },
      dataDir: join(dir, 'rss-data'),
      timezone: 'Asia/Tokyo',
      ble: { enabled: true, acceptUnlisted: true },
      statusFile,
      logLevel: 'warn',
    }),
  );
  const p = startProcess([...command, 'start', '--config', config, '--simulate', home, '--spot-every', '5'], env);
  let rss = 0;
  let anon = 0;
  let devices = 0;
  const end = Date.now() + 25_000;
  while (Date.now() < end && p.child.exitCode === null) {
    await new Promise((r) => setTimeout(r, 1000));
    try {
      const st = readFileSync(`/proc/${p.child.pid}/status`, 'utf8');
      rss = Math.max(rss, Number(/VmRSS:\s+(\d+)/.exec(st)?.[1] ?? 0) / 1024);
      anon = Math.max(anon, Number(/RssAnon:\s+(\d+)/.exec(st)?.[1] ?? 0) / 1024);
      devices = Object.keys(
        (JSON.parse(readFileSync(statusFile, 'utf8')) as { lastReadingByDevice: object }).lastReadingByDevice,
      ).length;
    } catch {}
  }
  await new Promise<void>((resolve) => {
    if (p.child.exitCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGTERM');
  });
  log(
    `gateway process (${label}) with 4 simulated BLE devices: max RSS ${round(rss, 1)} MB (private ${round(anon, 1)} MB; the rest is the node binary and its ICU data, shared) over 25 s, ${devices} devices delivered readings`,
  );
  return { rssMb: round(rss, 1), privateMb: round(anon, 1), devicesWithReadings: devices };
}

export async function run(args: string[]): Promise<Record<string, unknown>> {
  const readings = option(args, '--readings', 172_800);
  const dir = mkdtempSync(join(tmpdir(), 'bench-outbox-'));
  const db = await databaseEnv();
  log(
    `outbox bench: append, drain of ${readings} readings (a day of a 1 Hz oximeter), gateway RSS; database ${db.kind}`,
  );
  const figures: Record<string, unknown> = { ...appendRates(dir) };
  const server = await startServer(db.env);
  try {
    figures.drainReadingsPerSec = await drainRate(server, dir, readings, 1e9, 'without a pacing ceiling');
    figures.drainPacedReadingsPerSec = await drainRate(
      server,
      dir,
      readings,
      undefined,
      'with the default ceiling (20,000/s)',
    );
    figures.drainReadings = readings;
    figures.database = db.kind;
    if (!args.includes('--skip-rss')) {
      // As deployed (gateway/deploy/build.mjs bundle, V8 flags of the systemd unit), and through tsx for comparison.
      const bundle = join(ROOT, 'gateway', 'node_modules', '.cache', 'vitals-bench', 'vitals-gateway.mjs');
      execFileSync(process.execPath, [join(ROOT, 'gateway', 'deploy', 'build.mjs'), bundle], { stdio: 'ignore' });
      try {
        const r = await gatewayRss(server, dir, [...GATEWAY_NODE_FLAGS, bundle], 'bundled, as deployed', GATEWAY_ENV);
        figures.gatewayRssMb = r.rssMb;
        figures.gatewayPrivateRssMb = r.privateMb;
        figures.rssDevicesWithReadings = r.devicesWithReadings;
      } finally {
        rmSync(dirname(bundle), { recursive: true, force: true });
      }
      figures.gatewayRssTsxMb = (
        await gatewayRss(server, dir, ['--import', 'tsx', 'gateway/src/cli/main.ts'], 'through tsx')
      ).rssMb;
    }
  } finally {
    await server.stop();
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  }
  figures.targets = { drainReadingsPerSec: 5000, gatewayRssMb: 80 };
  return figures;
}
