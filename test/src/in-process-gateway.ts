/**
 * Kit for the device end-to-end scenarios: a real server process on a fresh PostgreSQL
 * schema (admin session, one patient, SQL on its schema), and a real gateway (startGateway:
 * pipeline, outbox, MQTT link, transports) running inside the test process, so a test can
 * drive the simulated devices directly (a BLE SimWorld behind the real noble, serial devices
 * on pseudo-terminals read by the real serialport) while everything after the radio or the
 * cable is the production code.
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedBindings, type SimWorld } from '@vitals/firmware-sim/ble/index.ts';
import { GatewayClock } from '@vitals/gateway/clock/gateway-clock.ts';
import { parseGatewayConfig } from '@vitals/gateway/config.ts';
import { type RunningGateway, startGateway } from '@vitals/gateway/gateway.ts';
import pg from 'pg';
import pino from 'pino';
import {
  ADMIN,
  eventually,
  freshDatabaseEnv,
  type ServerProc,
  startServerProcess,
  TEST_DATABASE_URL,
} from './processes.ts';

export interface E2eServer {
  server: ServerProc;
  token: string;
  patientId: string;
  /** Runs SQL in the server's schema. */
  query<R extends pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Registers a gateway; resolves with its MQTT password. */
  registerGateway(gatewayId: string): Promise<string>;
  /** Binds a device to the patient from 2020 on. */
  bind(deviceId: string, gatewayId: string): Promise<void>;
  close(): Promise<void>;
}

export async function startE2eServer(patientName = 'E2E patient'): Promise<E2eServer> {
  const db = freshDatabaseEnv('postgres');
  const server = await startServerProcess(db.env);
  const login = await server.api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN);
  const token = login.body.token;
  const patient = await server.api<{ id: string }>('POST', '/api/v1/patients', { displayName: patientName }, token);
  if (patient.status !== 201)
    throw new Error(`patient creation failed: ${patient.status} ${JSON.stringify(patient.body)}`);
  const client = new pg.Client({
    connectionString: TEST_DATABASE_URL,
    options: `-c search_path=${db.env.VITALS_DATABASE_SCHEMA}`,
  });
  await client.connect();
  return {
    server,
    token,
    patientId: patient.body.id,
    async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []) {
      return (await client.query<R>(sql, params)).rows;
    },
    async registerGateway(gatewayId) {
      const g = await server.api<{ mqtt: { password: string } }>('POST', '/api/v1/gateways', { id: gatewayId }, token);
      if (g.status !== 201) throw new Error(`gateway registration failed: ${g.status} ${JSON.stringify(g.body)}`);
      return g.body.mqtt.password;
    },
    async bind(deviceId, gatewayId) {
      const r = await server.api(
        'POST',
        '/api/v1/bindings',
        { deviceId, patientId: patient.body.id, from: '2020-01-01T00:00:00Z', gatewayId },
        token,
      );
      if (r.status !== 201) throw new Error(`binding ${deviceId} failed: ${r.status} ${JSON.stringify(r.body)}`);
    },
    async close() {
      await server.kill('SIGTERM');
      await client.end();
      await db.drop();
    },
  };
}

/** The real noble over a simulated radio world (noble's with-bindings entry). */
export function simulatedNoble(world: SimWorld): unknown {
  const require = createRequire(new URL('../../gateway/package.json', import.meta.url));
  return require('@abandonware/noble/with-bindings')(createSimulatedBindings(world));
}

export interface InProcessGatewayOptions {
  server: ServerProc;
  gatewayId: string;
  password: string;
  /** BLE on this (simulated) noble, allowing these device ids ("ble:<address>"). */
  ble?: { noble: unknown; allow: string[] };
  /** Serial on this by-id directory with these port rules. */
  serial?: { byIdDir: string; ports: { match: string; protocol: string }[] };
  /** Reuse a data directory (outbox, cursors) of an earlier run; a fresh one by default. */
  dataDir?: string;
  timezone?: string;
  /** Other keys of the gateway's config file (settings, pinnedSettings, ...). */
  file?: Record<string, unknown>;
  /** Another server URL than the server's (e.g. one where nothing listens: an offline home). */
  serverUrl?: string;
}

export interface InProcessGateway {
  gw: RunningGateway;
  dataDir: string;
  /** The gateway's log so far (pino JSON lines), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export async function startInProcessGateway(o: InProcessGatewayOptions): Promise<InProcessGateway> {
  const dir = mkdtempSync(join(tmpdir(), `${o.gatewayId}-`));
  const passwordFile = join(dir, 'mqtt-password');
  writeFileSync(passwordFile, `${o.password}\n`);
  chmodSync(passwordFile, 0o600);
  const dataDir = o.dataDir ?? join(dir, 'data');
  const config = parseGatewayConfig({
    gatewayId: o.gatewayId,
    server: { url: o.serverUrl ?? o.server.mqttUrl, passwordFile },
    dataDir,
    timezone: o.timezone ?? 'Asia/Tokyo',
    ble: { enabled: o.ble !== undefined, allow: o.ble?.allow ?? [] },
    serial: o.serial ? { enabled: true, byIdDir: o.serial.byIdDir, ports: o.serial.ports } : { enabled: false },
    logLevel: 'info',
    ...o.file,
  });
  let out = '';
  const log = pino(
    { name: o.gatewayId, level: 'info' },
    {
      write(s: string) {
        out += s;
      },
    },
  );
  // The test machine's NTP state is not under test here (gateway-clock tests cover it).
  const clock = new GatewayClock({ probe: async () => true });
  const gw = await startGateway({ config, log, clock, ...(o.ble ? { noble: o.ble.noble } : {}) });
  return {
    gw,
    dataDir,
    log: () => out,
    stop: () => gw.stop(),
  };
}

/** `eventually`, with the tail of `context()` (the gateway's log) in the error. */
export async function until<T>(
  what: string,
  f: () => Promise<T | undefined | null | false>,
  context: () => string = () => '',
  timeoutMs = 45_000,
): Promise<T> {
  try {
    return await eventually(f, timeoutMs, what);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${context().slice(-4000)}`);
  }
}
