/**
 * Shared pieces of the store-and-forward fault-injection tests: a registered gateway with
 * its config and password file, the simulated-device gateway process, a blackhole TCP proxy,
 * and the final check that the database holds every produced reading exactly once.
 */

import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestPki as makeSimPki } from '@vitals/firmware-sim/pki.ts';
import pg from 'pg';
import { ADMIN, type Proc, type ServerProc, startNode, TEST_DATABASE_URL } from './processes.ts';

export interface Home {
  gatewayId: string;
  dir: string;
  configPath: string;
  statusFile: string;
  config: Record<string, unknown>;
  writeConfig(over?: Record<string, unknown>): void;
}

export async function registerHome(
  server: ServerProc,
  gatewayId: string,
  mqttUrl: string,
  keepaliveSeconds = 30,
): Promise<Home> {
  const login = await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN);
  const g = await server.api<{ id: string; mqtt: { password: string } }>(
    'POST',
    '/api/v1/gateways',
    { id: gatewayId },
    login.body.token,
  );
  if (g.status !== 201) throw new Error(`gateway registration failed: ${g.status} ${JSON.stringify(g.body)}`);
  const dir = mkdtempSync(join(tmpdir(), `${gatewayId}-`));
  const passwordFile = join(dir, 'mqtt-password');
  writeFileSync(passwordFile, `${g.body.mqtt.password}\n`);
  chmodSync(passwordFile, 0o600);
  const statusFile = join(dir, 'status.json');
  const configPath = join(dir, 'gateway.json');
  const config: Record<string, unknown> = {
    gatewayId,
    server: { url: mqttUrl, passwordFile, keepaliveSeconds },
    dataDir: join(dir, 'data'),
    timezone: 'Asia/Tokyo',
    ble: { enabled: false },
    statusFile,
    logLevel: 'info',
  };
  const home: Home = {
    gatewayId,
    dir,
    configPath,
    statusFile,
    config,
    writeConfig(over = {}) {
      writeFileSync(configPath, JSON.stringify({ ...config, ...over }, null, 2));
    },
  };
  home.writeConfig();
  return home;
}

export interface DeviceRun {
  start: number;
  t0: number;
  rate: number;
  count: number;
}

/** A device run starting now; device times are whole seconds, `hoursAgo` before now. */
export function deviceRun(rate: number, count: number, hoursAgo = 3): DeviceRun {
  const now = Date.now();
  return { start: now, t0: Math.floor(now / 1000) * 1000 - hoursAgo * 3600_000, rate, count };
}

export function startSimGateway(home: Home, run: DeviceRun): Proc {
  return startNode(
    'test/src/store-forward-gateway.ts',
    [
      '--config',
      home.configPath,
      '--start',
      String(run.start),
      '--t0',
      String(run.t0),
      '--rate',
      String(run.rate),
      '--count',
      String(run.count),
    ],
    {},
  );
}

export function readStatus(
  home: Home,
): { connected: boolean; backlog: number; lastReadingByDevice: Record<string, string> } | undefined {
  if (!existsSync(home.statusFile)) return undefined;
  try {
    return JSON.parse(readFileSync(home.statusFile, 'utf8'));
  } catch {
    return undefined;
  }
}

export async function dbQuery<T extends pg.QueryResultRow>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

export async function storedCount(schema: string, gatewayId: string): Promise<number> {
  const rows = await dbQuery<{ n: string }>(`SELECT count(*) AS n FROM "${schema}".readings WHERE gateway_id = $1`, [
    gatewayId,
  ]);
  return Number(rows[0]!.n);
}

/**
 * Every produced reading exactly once: for each record n < count, one spo2 and one pulse_rate
 * at t0 + n s with the record's values, and nothing else from this gateway; no id re-sent
 * with different content.
 */
export async function checkExactlyOnce(schema: string, gatewayId: string, run: Pick<DeviceRun, 't0' | 'count'>) {
  const rows = await dbQuery<{ metric: string; t: string; n: string; v: number }>(
    `SELECT metric, (extract(epoch FROM time) * 1000)::bigint::text AS t, count(*)::text AS n, min(value) AS v
       FROM "${schema}".readings WHERE gateway_id = $1 GROUP BY metric, time`,
    [gatewayId],
  );
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const n = (Number(r.t) - run.t0) / 1000;
    const key = `${r.metric}@${n}`;
    seen.add(key);
    if (Number(r.n) !== 1) problems.push(`${key} stored ${r.n} times`);
    if (!Number.isInteger(n) || n < 0 || n >= run.count) problems.push(`${key}: not a produced reading`);
    const want = r.metric === 'spo2' ? 90 + (n % 10) : 60 + (n % 40);
    if (r.v !== want) problems.push(`${key}: value ${r.v}, produced ${want}`);
  }
  for (let n = 0; n < run.count; n++)
    for (const m of ['spo2', 'pulse_rate']) if (!seen.has(`${m}@${n}`)) problems.push(`${m}@${n} missing`);
  const conflicts = await dbQuery<{ n: string }>(
    `SELECT count(*)::text AS n FROM "${schema}".reading_conflicts c JOIN "${schema}".readings r ON r.id = c.reading_id WHERE r.gateway_id = $1`,
    [gatewayId],
  ).catch(() => [{ n: '0' }]);
  if (Number(conflicts[0]!.n) > 0) problems.push(`${conflicts[0]!.n} ids re-sent with different content`);
  return { rows: rows.length, problems: problems.slice(0, 20), problemCount: problems.length };
}

/**
 * A TCP proxy that can blackhole: while blackholed, bytes in both directions are swallowed
 * and new connections are accepted but never answered, and nothing is closed (as when a
 * router drops packets). Connections the client gives up on are closed on its side only.
 */
export interface BlackholeProxy {
  port: number;
  blackhole(on: boolean): void;
  close(): Promise<void>;
}

export async function startBlackholeProxy(targetPort: number): Promise<BlackholeProxy> {
  let dark = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      sockets.delete(upstream);
      if (!dark) client.destroy();
    });
    client.on('data', (d) => {
      if (!dark) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!dark) client.write(d);
    });
    client.on('close', () => {
      // In a real blackhole the server never hears of it: keep the upstream half open.
      if (!dark) upstream.destroy();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    blackhole(on) {
      dark = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A test PKI made with openssl: a CA, a server certificate for 127.0.0.1, a client certificate. */
export function makeTestPki(clientName: string) {
  const p = makeSimPki([clientName]);
  return {
    dir: p.dir,
    caFile: p.caFile,
    serverKey: p.serverKey,
    serverCert: p.serverCert,
    clientKey: p.clients[clientName]!.key,
    clientCert: p.clients[clientName]!.cert,
  };
}
