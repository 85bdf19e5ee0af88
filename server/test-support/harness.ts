/**
 * Starts a real server in-process for integration tests: embedded PGlite in memory or the
 * machine's PostgreSQL in a schema of its own (dropped afterwards), free ports, one admin.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { type RunningServer, startServer } from '../src/server.ts';
import { httpApi } from './http-api.ts';

export const TEST_DATABASE_URL = process.env.VITALS_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const ADMIN = { email: 'admin@clinic.test', password: 'correct-horse-battery' };
export type TestBackend = 'pglite' | 'postgres';

/** Drops a schema a test or benchmark made in the machine's PostgreSQL. */
export async function dropTestSchema(schema: string, url = TEST_DATABASE_URL): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

export interface TestServer {
  server: RunningServer;
  base: string;
  mqttUrl: string;
  token: string;
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    token?: string | null,
  ): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function startTestServer(
  backend: TestBackend,
  extraEnv: Record<string, string> = {},
): Promise<TestServer> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const env: Record<string, string> = {
    VITALS_HTTP_PORT: '0',
    VITALS_MQTT_PORT: '0',
    VITALS_HTTP_HOST: '127.0.0.1',
    VITALS_MQTT_HOST: '127.0.0.1',
    VITALS_DATA_DIR: 'memory://',
    VITALS_ADMIN_EMAIL: ADMIN.email,
    VITALS_ADMIN_PASSWORD: ADMIN.password,
    // The administrator of the test kits signs in with a password alone; sign-in tests turn this on.
    VITALS_ADMIN_MFA: 'false',
    VITALS_LOG_LEVEL: 'silent',
    // Test webhook receivers listen on loopback.
    VITALS_ALLOW_LOOPBACK_WEBHOOKS: 'true',
    ...(process.env.VITALS_EMBEDDED_SEED ? { VITALS_EMBEDDED_SEED: process.env.VITALS_EMBEDDED_SEED } : {}),
    ...(backend === 'postgres' ? { VITALS_DATABASE_URL: TEST_DATABASE_URL, VITALS_DATABASE_SCHEMA: schema } : {}),
    ...extraEnv,
  };
  const config = loadConfig(env);
  const server = await startServer(config, {
    dashboard: false,
    log: createLogger(config.logLevel),
    // Every answer is checked against its response schema (api/response-check.ts).
    checkResponses: true,
  });
  const base = `http://127.0.0.1:${server.httpPort}`;
  const api = httpApi(base);
  const login = await api<{ token: string }>('POST', '/api/v1/auth/login', ADMIN);
  const ts: TestServer = {
    server,
    base,
    mqttUrl: `mqtt://127.0.0.1:${server.mqttPort}`,
    token: login.body.token,
    api: (m, p, b, t) => api(m, p, b, t === undefined ? login.body.token : t),
    async close() {
      await server.close();
      if (backend === 'postgres') await dropTestSchema(schema);
    },
  };
  return ts;
}
